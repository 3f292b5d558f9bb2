// multiMarginLoss rows (src/losses/multi-margin.ts) in float64 lanes for float32 and float64
// logits alike: every term is computed in float64, as the TypeScript path computes it, and the
// gradient is rounded once on the store to the logits' dtype. So the kernel and the reference
// differ only in the order of the sums (two lanes); the differential suite pins them together
// ('multiMarginLoss', float64Kernel). Written once over the logits' type T (f32 or f64):
// `sizeof<T>()` is a compile-time constant.
let LANES01: v128 = i64x2(0, 1);
let LANES23: v128 = i64x2(2, 3);
let ZERO2: v128 = f64x2.splat(0);
let TWO2: v128 = f64x2.splat(2);

/** Elements j, j + 1 (lo) and j + 2, j + 3 (hi) of a row of T as float64 lanes. */
@inline function lo<T>(p: usize, j: i32): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>j << 2)));
  return v128.load(p + (<usize>j << 3));
}
@inline function hi<T>(p: usize, j: i32): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>j << 2), 8));
  return v128.load(p + (<usize>j << 3), 16);
}
/** Stores four float64 lanes (lo, hi) as elements j..j + 3 of a row of T (rounded once for f32). */
@inline function store4<T>(p: usize, j: i32, a: v128, b: v128): void {
  if (sizeof<T>() == 4) {
    v128.store(p + (<usize>j << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5));
  } else {
    v128.store(p + (<usize>j << 3), a);
    v128.store(p + (<usize>j << 3), b, 16);
  }
}

/**
 * `rows` rows of C logits (T) with int32 targets: loss_r = Σ_{j ≠ t} max(0, margin − x_t + x_j)^p
 * · w_t / C (p = 1 or 2), gradient u (1 or 2z) w_t / C at each j with z > 0 and minus their sum at
 * t. `weights`: C doubles or 0. `upstreamPerRow`: doubles, or 0 for `upstream`. `grad` (T) and
 * `losses` (doubles) may be 0. Returns Σ of the row losses.
 */
@inline function marginRows<T>(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, margin: f64, p: i32,
  upstream: f64, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  let total: f64 = 0;
  const squared = p == 2;
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * <usize>C * sizeof<T>();
    const g = grad ? grad + <usize>r * <usize>C * sizeof<T>() : 0;
    const t = load<i32>(targets + (<usize>r << 2));
    const scale = (weights ? load<f64>(weights + (<usize>t << 3)) : 1.0) / <f64>C;
    const u = upstreamPerRow ? load<f64>(upstreamPerRow + (<usize>r << 3)) : upstream;
    // (margin − x_t) + x_j, as the reference.
    const a = margin - <f64>load<T>(row + <usize>t * sizeof<T>());
    const va = f64x2.splat(a);
    const vs = f64x2.splat(scale);
    const vg = f64x2.splat(scale * u);
    const vu = f64x2.splat(u);
    const tb = t & ~3;
    let lossLo = ZERO2, lossHi = ZERO2, sumLo = ZERO2, sumHi = ZERO2;
    let j = 0;
    for (; j + 4 <= C; j += 4) {
      const zl = f64x2.add(va, lo<T>(row, j));
      const zh = f64x2.add(va, hi<T>(row, j));
      // max(z, 0): NaN for a NaN z (as Math.max), which adds nothing to the gradient (z > 0 fails).
      let hl = f64x2.max(zl, ZERO2);
      let hh = f64x2.max(zh, ZERO2);
      let pl = f64x2.gt(zl, ZERO2);
      let ph = f64x2.gt(zh, ZERO2);
      if (j == tb) {
        // The target's own term is not a term.
        const el = i64x2.eq(LANES01, i64x2.splat(<i64>(t - j)));
        const eh = i64x2.eq(LANES23, i64x2.splat(<i64>(t - j)));
        hl = v128.andnot(hl, el);
        hh = v128.andnot(hh, eh);
        pl = v128.andnot(pl, el);
        ph = v128.andnot(ph, eh);
      }
      if (squared) {
        lossLo = f64x2.add(lossLo, f64x2.mul(f64x2.mul(hl, hl), vs));
        lossHi = f64x2.add(lossHi, f64x2.mul(f64x2.mul(hh, hh), vs));
      } else {
        lossLo = f64x2.add(lossLo, f64x2.mul(hl, vs));
        lossHi = f64x2.add(lossHi, f64x2.mul(hh, vs));
      }
      if (g) {
        // p = 1: u · w_t / C; p = 2: 2 z · w_t / C · u (the reference's order of products).
        const gl = v128.and(pl, squared ? f64x2.mul(f64x2.mul(f64x2.mul(TWO2, zl), vs), vu) : vg);
        const gh = v128.and(ph, squared ? f64x2.mul(f64x2.mul(f64x2.mul(TWO2, zh), vs), vu) : vg);
        store4<T>(g, j, gl, gh);
        sumLo = f64x2.add(sumLo, gl);
        sumHi = f64x2.add(sumHi, gh);
      }
    }
    const lossBoth = f64x2.add(lossLo, lossHi);
    const sumBoth = f64x2.add(sumLo, sumHi);
    let loss = f64x2.extract_lane(lossBoth, 0) + f64x2.extract_lane(lossBoth, 1);
    let sum = f64x2.extract_lane(sumBoth, 0) + f64x2.extract_lane(sumBoth, 1);
    for (; j < C; j++) {
      if (j == t) continue;
      const z = a + <f64>load<T>(row + <usize>j * sizeof<T>());
      const h = max(z, 0.0);
      loss += (squared ? h * h : h) * scale;
      if (g) {
        const gj = z > 0 ? (squared ? 2 * z * scale * u : scale * u) : 0.0;
        store<T>(g + <usize>j * sizeof<T>(), <T>gj);
        sum += gj;
      }
    }
    if (g) store<T>(g + <usize>t * sizeof<T>(), <T>(0 - sum));
    if (losses) store<f64>(losses + (<usize>r << 3), loss);
    total += loss;
  }
  return total;
}

export function multiMarginRows(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, margin: f64, p: i32,
  upstream: f64, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  return marginRows<f32>(x, rows, C, targets, weights, margin, p, upstream, upstreamPerRow, grad, losses);
}

export function multiMarginRows64(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, margin: f64, p: i32,
  upstream: f64, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  return marginRows<f64>(x, rows, C, targets, weights, margin, p, upstream, upstreamPerRow, grad, losses);
}

let ONE2: v128 = f64x2.splat(1);

/**
 * multilabelMarginLoss over `rows` rows of C logits (T) with int32 targets (rows × C: class
 * indices ended by the first −1): loss_r = Σ_{y ∈ Y} Σ_{k ∉ Y} max(0, 1 − x_y + x_k) / C, and the
 * gradient u / C times each entry's count of positive hinges (+ for k, − for y). `mask` and
 * `counts`: scratch of C doubles each. Same float64 terms as the reference
 * (src/losses/multilabel-margin.ts), summed in two lanes. Returns Σ of the row losses.
 */
@inline function labelRows<T>(
  x: usize, rows: i32, C: i32, targets: usize, upstream: f64, upstreamPerRow: usize,
  grad: usize, losses: usize, mask: usize, counts: usize,
): f64 {
  let total: f64 = 0;
  const vector = C & ~3;
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * <usize>C * sizeof<T>();
    const trow = targets + (<usize>r * <usize>C << 2);
    const g = grad ? grad + <usize>r * <usize>C * sizeof<T>() : 0;
    // The targets: all-ones lanes in `mask` (their terms are not terms), the count of labels.
    memory.fill(mask, 0, <usize>C << 3);
    let count = 0;
    while (count < C && load<i32>(trow + (<usize>count << 2)) >= 0) {
      store<i64>(mask + (<usize>load<i32>(trow + (<usize>count << 2)) << 3), -1);
      count++;
    }
    if (g) memory.fill(counts, 0, <usize>C << 3);
    let lossLo = ZERO2, lossHi = ZERO2;
    let loss: f64 = 0;
    for (let j = 0; j < count; j++) {
      const y = load<i32>(trow + (<usize>j << 2));
      // (1 − x_y) + x_k, as the reference.
      const a = 1 - <f64>load<T>(row + <usize>y * sizeof<T>());
      const va = f64x2.splat(a);
      let hinges = ZERO2;
      let k = 0;
      for (; k < vector; k += 4) {
        const ml = v128.load(mask + (<usize>k << 3));
        const mh = v128.load(mask + (<usize>k << 3), 16);
        const zl = f64x2.add(va, lo<T>(row, k));
        const zh = f64x2.add(va, hi<T>(row, k));
        // max(z, 0): NaN for a NaN z (as Math.max), which counts nothing (z > 0 fails).
        lossLo = f64x2.add(lossLo, v128.andnot(f64x2.max(zl, ZERO2), ml));
        lossHi = f64x2.add(lossHi, v128.andnot(f64x2.max(zh, ZERO2), mh));
        if (g) {
          const pl = v128.and(v128.andnot(f64x2.gt(zl, ZERO2), ml), ONE2);
          const ph = v128.and(v128.andnot(f64x2.gt(zh, ZERO2), mh), ONE2);
          const c = counts + (<usize>k << 3);
          v128.store(c, f64x2.add(v128.load(c), pl));
          v128.store(c, f64x2.add(v128.load(c, 16), ph), 16);
          hinges = f64x2.add(hinges, f64x2.add(pl, ph));
        }
      }
      let h = f64x2.extract_lane(hinges, 0) + f64x2.extract_lane(hinges, 1);
      for (; k < C; k++) {
        if (load<i64>(mask + (<usize>k << 3)) != 0) continue;
        const z = a + <f64>load<T>(row + <usize>k * sizeof<T>());
        loss += max(z, 0.0);
        if (g && z > 0) {
          store<f64>(counts + (<usize>k << 3), load<f64>(counts + (<usize>k << 3)) + 1);
          h += 1;
        }
      }
      if (g) store<f64>(counts + (<usize>y << 3), load<f64>(counts + (<usize>y << 3)) - h);
    }
    const both = f64x2.add(lossLo, lossHi);
    loss = (loss + f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1)) / <f64>C;
    if (g) {
      const u = (upstreamPerRow ? load<f64>(upstreamPerRow + (<usize>r << 3)) : upstream) / <f64>C;
      const vu = f64x2.splat(u);
      let k = 0;
      for (; k < vector; k += 4) {
        store4<T>(g, k, f64x2.mul(v128.load(counts + (<usize>k << 3)), vu), f64x2.mul(v128.load(counts + (<usize>k << 3), 16), vu));
      }
      for (; k < C; k++) store<T>(g + <usize>k * sizeof<T>(), <T>(load<f64>(counts + (<usize>k << 3)) * u));
    }
    if (losses) store<f64>(losses + (<usize>r << 3), loss);
    total += loss;
  }
  return total;
}

export function multilabelMarginRows(
  x: usize, rows: i32, C: i32, targets: usize, upstream: f64, upstreamPerRow: usize,
  grad: usize, losses: usize, mask: usize, counts: usize,
): f64 {
  return labelRows<f32>(x, rows, C, targets, upstream, upstreamPerRow, grad, losses, mask, counts);
}

export function multilabelMarginRows64(
  x: usize, rows: i32, C: i32, targets: usize, upstream: f64, upstreamPerRow: usize,
  grad: usize, losses: usize, mask: usize, counts: usize,
): f64 {
  return labelRows<f64>(x, rows, C, targets, upstream, upstreamPerRow, grad, losses, mask, counts);
}
