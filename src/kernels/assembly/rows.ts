// The embedding losses' row kernels (tripletMarginLoss and tripletMarginWithDistanceLoss with
// p = 2 or the cosine distance, cosineEmbeddingLoss): src/core/row-distance.ts drives them chunk by
// chunk. A chunk's rows are reduced to a few sums each (rowSums_*), the loss turns the sums into
// each row's loss and gradient coefficients in TypeScript (the one copy of that logic), and the
// gradient rows are combinations of the input rows with those coefficients (rowDiffs_*,
// rowLinear_*). The combinations, and the sums of float64 rows, are computed in float64 lanes, as
// the TypeScript reference computes them (JavaScript numbers), a float32 gradient rounded once on
// the store. The sums of float32 rows take their terms in float32 lanes (sumRow32: one or two
// float32 roundings a term, as PyTorch's float32 arithmetic; the sums themselves in float64),
// falling back to float64 lanes for a row where that could lose accuracy. The differential suite
// pins kernel and reference together (float64Kernel, with the terms' magnitude as the scale of
// these gradients, which are differences of terms). Written once over the inputs' type T (f32 or f64).
import { madd } from './math';
import { madd2 } from './math64';

let ZERO_2: v128 = f64x2.splat(0);

/** Elements i, i + 1 (lo) and i + 2, i + 3 (hi) of a row of T, as float64 lanes. */
@inline function lo<T>(p: usize, i: i32): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>i << 2)));
  return v128.load(p + (<usize>i << 3));
}
@inline function hi<T>(p: usize, i: i32): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>i << 2), 8));
  return v128.load(p + (<usize>i << 3), 16);
}
/** Stores four float64 lanes as elements i..i + 3 of a row of T (rounded once for f32). */
@inline function put4<T>(p: usize, i: i32, a: v128, b: v128): void {
  if (sizeof<T>() == 4) {
    v128.store(p + (<usize>i << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5));
  } else {
    v128.store(p + (<usize>i << 3), a);
    v128.store(p + (<usize>i << 3), b, 16);
  }
}
@inline function at<T>(p: usize, i: i32): f64 {
  return <f64>load<T>(p + <usize>i * sizeof<T>());
}
@inline function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** The sums of one row into out[0..5] (the indices of row-distance.ts's `terms`), in float64 lanes. */
// SQUARES: Σ(a − b + eps)², Σ(a − c + eps)² and, with `three`, Σ(b − c + eps)² (out 0, 1, 2).
// PRODUCTS: a·b, a·c, (three) b·c, a·a, b·b, c·c (out 0..5); with `two` (c absent): a·b, a·a, b·b (out 0, 3, 4).
@inline function sumRow<T>(squares: bool, three: bool, two: bool, pa: usize, pb: usize, pc: usize, D: i32, eps: f64, o: usize): void {
  const ve = f64x2.splat(eps);
  // Two accumulators per sum (elements i, i + 1 and i + 2, i + 3).
  let s0 = ZERO_2, t0 = ZERO_2, s1 = ZERO_2, t1 = ZERO_2, s2 = ZERO_2, t2 = ZERO_2;
  let s3 = ZERO_2, t3 = ZERO_2, s4 = ZERO_2, t4 = ZERO_2, s5 = ZERO_2, t5 = ZERO_2;
  let i = 0;
  for (; i + 4 <= D; i += 4) {
    const al = lo<T>(pa, i), ah = hi<T>(pa, i), bl = lo<T>(pb, i), bh = hi<T>(pb, i);
    if (squares) {
      const cl = lo<T>(pc, i), ch = hi<T>(pc, i);
      // (a − b) + eps, as the reference
      const ul = f64x2.add(f64x2.sub(al, bl), ve), uh = f64x2.add(f64x2.sub(ah, bh), ve);
      const vl = f64x2.add(f64x2.sub(al, cl), ve), vh = f64x2.add(f64x2.sub(ah, ch), ve);
      s0 = madd2(ul, ul, s0);
      t0 = madd2(uh, uh, t0);
      s1 = madd2(vl, vl, s1);
      t1 = madd2(vh, vh, t1);
      if (three) {
        const wl = f64x2.add(f64x2.sub(bl, cl), ve), wh = f64x2.add(f64x2.sub(bh, ch), ve);
        s2 = madd2(wl, wl, s2);
        t2 = madd2(wh, wh, t2);
      }
    } else {
      s0 = madd2(al, bl, s0);
      t0 = madd2(ah, bh, t0);
      s3 = madd2(al, al, s3);
      t3 = madd2(ah, ah, t3);
      s4 = madd2(bl, bl, s4);
      t4 = madd2(bh, bh, t4);
      if (!two) {
        const cl = lo<T>(pc, i), ch = hi<T>(pc, i);
        s1 = madd2(al, cl, s1);
        t1 = madd2(ah, ch, t1);
        s5 = madd2(cl, cl, s5);
        t5 = madd2(ch, ch, t5);
        if (three) {
          s2 = madd2(bl, cl, s2);
          t2 = madd2(bh, ch, t2);
        }
      }
    }
  }
  let r0 = lanes(f64x2.add(s0, t0)), r1 = lanes(f64x2.add(s1, t1)), r2 = lanes(f64x2.add(s2, t2));
  let r3 = lanes(f64x2.add(s3, t3)), r4 = lanes(f64x2.add(s4, t4)), r5 = lanes(f64x2.add(s5, t5));
  for (; i < D; i++) {
    const x = at<T>(pa, i), y = at<T>(pb, i);
    if (squares) {
      const z = at<T>(pc, i);
      const u = x - y + eps, v = x - z + eps;
      r0 += u * u;
      r1 += v * v;
      if (three) {
        const w = y - z + eps;
        r2 += w * w;
      }
    } else {
      r0 += x * y;
      r3 += x * x;
      r4 += y * y;
      if (!two) {
        const z = at<T>(pc, i);
        r1 += x * z;
        r5 += z * z;
        if (three) r2 += y * z;
      }
    }
  }
  store<f64>(o, r0);
  store<f64>(o, r1, 8);
  store<f64>(o, r2, 16);
  store<f64>(o, r3, 24);
  store<f64>(o, r4, 32);
  store<f64>(o, r5, 40);
}

/** Whether a sum of squares the float32 loop computed is trustworthy: no overflow, no underflow's relative loss, no NaN. */
@inline function fine(s: f64): bool {
  return s >= 1e-20 && s <= 1e36;
}

/**
 * sumRow for float32 rows, faster: each term (difference, square or product) in float32 lanes and
 * summed there four at a time, the partial sums added in float64 — so the terms carry one or two
 * float32 roundings (relative 2⁻²⁴ each, as PyTorch's float32 arithmetic) and the sum's order adds
 * none of float32's growth. False (the caller then runs sumRow) where that would not hold: a row
 * whose squared norms (or sums of squares) leave [1e-20, 1e36] (float32 overflow or underflow of
 * the terms, a NaN, an infinity), or an eps beyond 1e30.
 */
@inline function sumRow32(squares: bool, three: bool, two: bool, pa: usize, pb: usize, pc: usize, D: i32, eps: f64, o: usize): bool {
  if (!(abs(eps) <= 1e30)) return false;
  const ve = f32x4.splat(<f32>eps);
  let s0 = ZERO_2, t0 = ZERO_2, s1 = ZERO_2, t1 = ZERO_2, s2 = ZERO_2, t2 = ZERO_2;
  let s3 = ZERO_2, t3 = ZERO_2, s4 = ZERO_2, t4 = ZERO_2, s5 = ZERO_2, t5 = ZERO_2;
  let i = 0;
  for (; i + 16 <= D; i += 16) {
    let q0 = ZERO_2, q1 = ZERO_2, q2 = ZERO_2, q3 = ZERO_2, q4 = ZERO_2, q5 = ZERO_2;
    for (let j = 0; j < 64; j += 16) {
      const off = (<usize>i << 2) + <usize>j;
      const a = v128.load(pa + off), b = v128.load(pb + off);
      if (squares) {
        const c = v128.load(pc + off);
        const u = f32x4.add(f32x4.sub(a, b), ve), v = f32x4.add(f32x4.sub(a, c), ve);
        q0 = madd(u, u, q0);
        q1 = madd(v, v, q1);
        if (three) {
          const w = f32x4.add(f32x4.sub(b, c), ve);
          q2 = madd(w, w, q2);
        }
      } else {
        q0 = madd(a, b, q0);
        q3 = madd(a, a, q3);
        q4 = madd(b, b, q4);
        if (!two) {
          const c = v128.load(pc + off);
          q1 = madd(a, c, q1);
          q5 = madd(c, c, q5);
          if (three) q2 = madd(b, c, q2);
        }
      }
    }
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(q0));
    t0 = f64x2.add(t0, f64x2.promote_low_f32x4(v128.shuffle<f32>(q0, q0, 2, 3, 0, 1)));
    if (squares) {
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(q1));
      t1 = f64x2.add(t1, f64x2.promote_low_f32x4(v128.shuffle<f32>(q1, q1, 2, 3, 0, 1)));
    } else {
      s3 = f64x2.add(s3, f64x2.promote_low_f32x4(q3));
      t3 = f64x2.add(t3, f64x2.promote_low_f32x4(v128.shuffle<f32>(q3, q3, 2, 3, 0, 1)));
      s4 = f64x2.add(s4, f64x2.promote_low_f32x4(q4));
      t4 = f64x2.add(t4, f64x2.promote_low_f32x4(v128.shuffle<f32>(q4, q4, 2, 3, 0, 1)));
      if (!two) {
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(q1));
        t1 = f64x2.add(t1, f64x2.promote_low_f32x4(v128.shuffle<f32>(q1, q1, 2, 3, 0, 1)));
        s5 = f64x2.add(s5, f64x2.promote_low_f32x4(q5));
        t5 = f64x2.add(t5, f64x2.promote_low_f32x4(v128.shuffle<f32>(q5, q5, 2, 3, 0, 1)));
      }
    }
    if (three) {
      s2 = f64x2.add(s2, f64x2.promote_low_f32x4(q2));
      t2 = f64x2.add(t2, f64x2.promote_low_f32x4(v128.shuffle<f32>(q2, q2, 2, 3, 0, 1)));
    }
  }
  let r0 = lanes(f64x2.add(s0, t0)), r1 = lanes(f64x2.add(s1, t1)), r2 = lanes(f64x2.add(s2, t2));
  let r3 = lanes(f64x2.add(s3, t3)), r4 = lanes(f64x2.add(s4, t4)), r5 = lanes(f64x2.add(s5, t5));
  // The last D mod 16 elements in float64, as sumRow.
  for (; i < D; i++) {
    const x = at<f32>(pa, i), y = at<f32>(pb, i);
    if (squares) {
      const z = at<f32>(pc, i);
      const u = x - y + eps, v = x - z + eps;
      r0 += u * u;
      r1 += v * v;
      if (three) {
        const w = y - z + eps;
        r2 += w * w;
      }
    } else {
      r0 += x * y;
      r3 += x * x;
      r4 += y * y;
      if (!two) {
        const z = at<f32>(pc, i);
        r1 += x * z;
        r5 += z * z;
        if (three) r2 += y * z;
      }
    }
  }
  if (squares ? !(fine(r0) && fine(r1) && (!three || fine(r2))) : !(fine(r3) && fine(r4) && (two || fine(r5)))) return false;
  store<f64>(o, r0);
  store<f64>(o, r1, 8);
  store<f64>(o, r2, 16);
  store<f64>(o, r3, 24);
  store<f64>(o, r4, 32);
  store<f64>(o, r5, 40);
  return true;
}

/** The sums of `rows` rows (six doubles a row at out): sumRow32 for float32 where it holds, else sumRow. */
@inline function sumRows<T>(squares: bool, three: bool, two: bool, a: usize, b: usize, c: usize, rows: i32, D: i32, eps: f64, out: usize): void {
  const row = <usize>D * sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const pa = a + <usize>r * row, pb = b + <usize>r * row, pc = c + <usize>r * row, o = out + <usize>r * 48;
    if (sizeof<T>() == 4 && sumRow32(squares, three, two, pa, pb, pc, D, eps, o)) continue;
    sumRow<T>(squares, three, two, pa, pb, pc, D, eps, o);
  }
}

/**
 * The row sums of `rows` rows of D elements (T) of a, b, c (c: 0 for mode 4) into `out`, six
 * doubles a row. mode: 0 squares, 1 squares with b − c (swap), 2 products, 3 products with b·c
 * (swap), 4 products of two rows. Each mode its own loop (V8 does not unswitch loops).
 */
@inline function rowSums<T>(mode: i32, a: usize, b: usize, c: usize, rows: i32, D: i32, eps: f64, out: usize): void {
  if (mode == 0) sumRows<T>(true, false, false, a, b, c, rows, D, eps, out);
  else if (mode == 1) sumRows<T>(true, true, false, a, b, c, rows, D, eps, out);
  else if (mode == 2) sumRows<T>(false, false, false, a, b, c, rows, D, 0, out);
  else if (mode == 3) sumRows<T>(false, true, false, a, b, c, rows, D, 0, out);
  else sumRows<T>(false, false, true, a, b, c, rows, D, 0, out);
}

/**
 * `g = k₁ (x₁ − y₁ + eps) + k₂ (x₂ − y₂ + eps)` (`two`) or `g = k₁ (x₁ − y₁ + eps)`, row by row,
 * with each row's k₁, k₂ at coef + 24 r (three doubles a row).
 */
@inline function diffRows<T>(two: bool, x1: usize, y1: usize, x2: usize, y2: usize, rows: i32, D: i32, eps: f64, coef: usize, g: usize): void {
  const ve = f64x2.splat(eps);
  const row = <usize>D * sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * row;
    const k1 = load<f64>(coef + <usize>r * 24), k2 = load<f64>(coef + <usize>r * 24, 8);
    const v1 = f64x2.splat(k1), v2 = f64x2.splat(k2);
    const p1 = x1 + off, q1 = y1 + off, p2 = x2 + off, q2 = y2 + off, pg = g + off;
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      let l = f64x2.mul(v1, f64x2.add(f64x2.sub(lo<T>(p1, i), lo<T>(q1, i)), ve));
      let h = f64x2.mul(v1, f64x2.add(f64x2.sub(hi<T>(p1, i), hi<T>(q1, i)), ve));
      if (two) {
        l = madd2(v2, f64x2.add(f64x2.sub(lo<T>(p2, i), lo<T>(q2, i)), ve), l);
        h = madd2(v2, f64x2.add(f64x2.sub(hi<T>(p2, i), hi<T>(q2, i)), ve), h);
      }
      put4<T>(pg, i, l, h);
    }
    for (; i < D; i++) {
      let v = k1 * (at<T>(p1, i) - at<T>(q1, i) + eps);
      if (two) v += k2 * (at<T>(p2, i) - at<T>(q2, i) + eps);
      store<T>(pg + <usize>i * sizeof<T>(), <T>v);
    }
  }
}

/**
 * `g = k₁ x + k₂ y + k₃ z` (`three`) or `g = k₁ x + k₂ y`, row by row, with each row's
 * coefficients at coef + 24 r.
 */
@inline function linearRows<T>(three: bool, x: usize, y: usize, z: usize, rows: i32, D: i32, coef: usize, g: usize): void {
  const row = <usize>D * sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * row;
    const k1 = load<f64>(coef + <usize>r * 24), k2 = load<f64>(coef + <usize>r * 24, 8), k3 = load<f64>(coef + <usize>r * 24, 16);
    const v1 = f64x2.splat(k1), v2 = f64x2.splat(k2), v3 = f64x2.splat(k3);
    const px = x + off, py = y + off, pz = z + off, pg = g + off;
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      let l = madd2(v2, lo<T>(py, i), f64x2.mul(v1, lo<T>(px, i)));
      let h = madd2(v2, hi<T>(py, i), f64x2.mul(v1, hi<T>(px, i)));
      if (three) {
        l = madd2(v3, lo<T>(pz, i), l);
        h = madd2(v3, hi<T>(pz, i), h);
      }
      put4<T>(pg, i, l, h);
    }
    for (; i < D; i++) {
      let v = k1 * at<T>(px, i) + k2 * at<T>(py, i);
      if (three) v += k3 * at<T>(pz, i);
      store<T>(pg + <usize>i * sizeof<T>(), <T>v);
    }
  }
}

export function rowSums_f32(mode: i32, a: usize, b: usize, c: usize, rows: i32, D: i32, eps: f64, out: usize): void {
  rowSums<f32>(mode, a, b, c, rows, D, eps, out);
}
export function rowSums_f64(mode: i32, a: usize, b: usize, c: usize, rows: i32, D: i32, eps: f64, out: usize): void {
  rowSums<f64>(mode, a, b, c, rows, D, eps, out);
}
/** diffRows; x2 = 0 for the one-term form. */
export function rowDiffs_f32(x1: usize, y1: usize, x2: usize, y2: usize, rows: i32, D: i32, eps: f64, coef: usize, g: usize): void {
  if (x2) diffRows<f32>(true, x1, y1, x2, y2, rows, D, eps, coef, g);
  else diffRows<f32>(false, x1, y1, 0, 0, rows, D, eps, coef, g);
}
export function rowDiffs_f64(x1: usize, y1: usize, x2: usize, y2: usize, rows: i32, D: i32, eps: f64, coef: usize, g: usize): void {
  if (x2) diffRows<f64>(true, x1, y1, x2, y2, rows, D, eps, coef, g);
  else diffRows<f64>(false, x1, y1, 0, 0, rows, D, eps, coef, g);
}
/** linearRows; z = 0 for the two-term form. */
export function rowLinear_f32(x: usize, y: usize, z: usize, rows: i32, D: i32, coef: usize, g: usize): void {
  if (z) linearRows<f32>(true, x, y, z, rows, D, coef, g);
  else linearRows<f32>(false, x, y, 0, rows, D, coef, g);
}
export function rowLinear_f64(x: usize, y: usize, z: usize, rows: i32, D: i32, coef: usize, g: usize): void {
  if (z) linearRows<f64>(true, x, y, z, rows, D, coef, g);
  else linearRows<f64>(false, x, y, 0, rows, D, coef, g);
}
