// Cross-entropy of float64 rows ([C], [N, C]) with class indices, in f64x2 lanes: the float64 twin
// of crossEntropyRows (index.ts), same passes and formulas, every operation in float64 (the exps
// by math64.ts's exp2d, below 1 ulp). Softmax of float64 rows (softmaxRows64) shares its passes.
//
// Two copies of one formula: this kernel and the TypeScript reference (src/losses/cross-entropy.ts,
// src/activations/softmax.ts) compute the same quantities; the differential suite
// (test/support/differential-targets.ts, 'float64' targets) pins them together, against the
// reference within 1e-9 relative.
import { madd2 } from './math64';

let NEG_INF2: v128 = f64x2.splat(-Infinity);
let ZERO2: v128 = f64x2.splat(0);

// exp(d) for d <= 0 (softmax's x − m) without a division: 2^n · p(r), n = round(d / ln2),
// r = d − n·ln2 (ln2 in two parts, Cody–Waite: n·LN2_HI is exact), |r| <= ln2 / 2, and p the
// degree-13 Taylor polynomial of exp (its remainder r^14 / 14! < 5e-18 there, well below half an
// ulp; the evaluation's rounding adds about one ulp, measured against Math.exp by the differential
// suite's float64 softmax target). 2^n as 2^(n/2) · 2^(n − n/2), so subnormal results round
// once; d below −746 gives 0, NaN stays NaN. Measured: 1.6x faster than exp2d (fdlibm's form,
// whose division dominates) on the cross-entropy kernel's exp-sum loop.
let D_MIN: v128 = f64x2.splat(-746.0);
let D_LOG2E: v128 = f64x2.splat(1.4426950408889634);
let D_MAGIC: v128 = f64x2.splat(6755399441055744.0); // 1.5 · 2^52
let D_MAGIC_BITS: v128 = i64x2.splat(0x4338000000000000);
let D_LN2_HI: v128 = f64x2.splat(6.93147180369123816490e-1);
let D_LN2_LO: v128 = f64x2.splat(1.90821492927058770002e-10);
let D_BIAS: v128 = i64x2.splat(1023);
let D_ONE: v128 = f64x2.splat(1.0);
let C13: v128 = f64x2.splat(1.0 / 6227020800.0);
let C12: v128 = f64x2.splat(1.0 / 479001600.0);
let C11: v128 = f64x2.splat(1.0 / 39916800.0);
let C10: v128 = f64x2.splat(1.0 / 3628800.0);
let C9: v128 = f64x2.splat(1.0 / 362880.0);
let C8: v128 = f64x2.splat(1.0 / 40320.0);
let C7: v128 = f64x2.splat(1.0 / 5040.0);
let C6: v128 = f64x2.splat(1.0 / 720.0);
let C5: v128 = f64x2.splat(1.0 / 120.0);
let C4: v128 = f64x2.splat(1.0 / 24.0);
let C3: v128 = f64x2.splat(1.0 / 6.0);
let C2: v128 = f64x2.splat(0.5);

@inline export function expNonPositive2(d: v128): v128 {
  const clamped = f64x2.pmax(d, D_MIN);
  const shifted = f64x2.add(f64x2.mul(clamped, D_LOG2E), D_MAGIC);
  const n = f64x2.sub(shifted, D_MAGIC);
  const ni = i64x2.sub(shifted, D_MAGIC_BITS);
  const r = f64x2.sub(f64x2.sub(clamped, f64x2.mul(n, D_LN2_HI)), f64x2.mul(n, D_LN2_LO));
  // Estrin's scheme (depth 5 instead of Horner's 13 dependent multiply-adds: the loop is latency-bound otherwise).
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q0 = madd2(r2, madd2(C3, r, C2), f64x2.add(D_ONE, r));
  const q1 = madd2(r2, madd2(C7, r, C6), madd2(C5, r, C4));
  const q2 = madd2(r2, madd2(C11, r, C10), madd2(C9, r, C8));
  const q3 = madd2(C13, r, C12);
  const p = madd2(r8, madd2(r4, q3, q2), madd2(r4, q1, q0));
  const half = i64x2.shr_s(ni, 1);
  const s1 = i64x2.shl(i64x2.add(half, D_BIAS), 52);
  const s2 = i64x2.shl(i64x2.add(i64x2.sub(ni, half), D_BIAS), 52);
  return f64x2.mul(f64x2.mul(p, s1), s2);
}

@inline function hmax2(v: v128): f64 {
  return max(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
}

/** max of a row of C doubles (NaN is skipped: pmax keeps its first operand; it poisons the exp sum). */
export function rowMax64(row: usize, C: i32): f64 {
  const vector = C & ~1;
  let m0 = NEG_INF2, m1 = NEG_INF2, m2 = NEG_INF2, m3 = NEG_INF2;
  let c = 0;
  for (; c + 8 <= vector; c += 8) {
    const p = row + (<usize>c << 3);
    m0 = f64x2.pmax(m0, v128.load(p));
    m1 = f64x2.pmax(m1, v128.load(p, 16));
    m2 = f64x2.pmax(m2, v128.load(p, 32));
    m3 = f64x2.pmax(m3, v128.load(p, 48));
  }
  for (; c < vector; c += 2) m0 = f64x2.pmax(m0, v128.load(row + (<usize>c << 3)));
  let m = hmax2(f64x2.pmax(f64x2.pmax(m0, m1), f64x2.pmax(m2, m3)));
  if (c < C) {
    const v = load<f64>(row + (<usize>c << 3));
    if (v > m) m = v;
  }
  return m;
}

/** How many elements equalled the row's max in the last {@link expSumRow64}. */
let rowTies64: i32 = 0;

/** rowTies64, for the kernels of other files. */
export function lastTies64(): i32 {
  return rowTies64;
}

/**
 * Σ_c exp(x_c − m) over the elements below m (those equal to m counted in rowTies64), each exp
 * stored at `out` unless it is 0 (see expSumRow in index.ts for why the ties are kept apart).
 */
export function expSumRow64(row: usize, C: i32, m: f64, out: usize): f64 {
  const vector = C & ~1;
  const vm = f64x2.splat(m);
  let s0 = ZERO2, s1 = ZERO2;
  let ties = ZERO2; // −1 per tie, per lane (i64)
  let c = 0;
  for (; c + 4 <= vector; c += 4) {
    const p = row + (<usize>c << 3);
    const d0 = f64x2.sub(v128.load(p), vm);
    const d1 = f64x2.sub(v128.load(p, 16), vm);
    const e0 = expNonPositive2(d0);
    const e1 = expNonPositive2(d1);
    if (out) {
      v128.store(out + (<usize>c << 3), e0);
      v128.store(out + (<usize>c << 3), e1, 16);
    }
    const t0 = f64x2.eq(d0, ZERO2);
    const t1 = f64x2.eq(d1, ZERO2);
    s0 = f64x2.add(s0, v128.andnot(e0, t0));
    s1 = f64x2.add(s1, v128.andnot(e1, t1));
    ties = i64x2.add(ties, i64x2.add(t0, t1));
  }
  for (; c < vector; c += 2) {
    const d = f64x2.sub(v128.load(row + (<usize>c << 3)), vm);
    const e = expNonPositive2(d);
    if (out) v128.store(out + (<usize>c << 3), e);
    const t = f64x2.eq(d, ZERO2);
    s0 = f64x2.add(s0, v128.andnot(e, t));
    ties = i64x2.add(ties, t);
  }
  const both = f64x2.add(s0, s1);
  let sum = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  let count = -<i32>(i64x2.extract_lane(ties, 0) + i64x2.extract_lane(ties, 1));
  if (c < C) {
    const d = load<f64>(row + (<usize>c << 3)) - m;
    const e = f64x2.extract_lane(expNonPositive2(f64x2.splat(d)), 0);
    if (d == 0) count++;
    else sum += e;
    if (out) store<f64>(out + (<usize>c << 3), e);
  }
  rowTies64 = count;
  return sum;
}

/** Index of the first of the C doubles at `row` equal to m. */
export function indexOf64(row: usize, C: i32, m: f64): i32 {
  for (let c = 0; c < C; c++) if (load<f64>(row + (<usize>c << 3)) == m) return c;
  return -1;
}

/**
 * crossEntropyRows (index.ts) in float64: `rows` rows of C doubles with int32 class indices,
 * fused with the gradient; weights, weightSum, smoothing, upstream(s), grad and losses as there
 * (doubles). A row holding NaN or ±inf, or only −inf, makes the total NaN (the caller redoes the
 * call on the TypeScript path). Returns Σ of the row losses, plus g · 0 of every gradient entry.
 */
export function crossEntropyRows64(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, weightSum: f64, ignoreIndex: i32,
  smoothing: f64, upstream: f64, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  let total: f64 = 0;
  const uniform = smoothing / <f64>C;
  const vector = C & ~1;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>C << 3;
    const row = x + offset;
    const g = grad ? grad + offset : 0;
    const t = load<i32>(targets + (<usize>r << 2));
    if (t == ignoreIndex) {
      if (losses) store<f64>(losses + (<usize>r << 3), 0);
      if (g) memory.fill(g, 0, <usize>C << 3);
      continue;
    }
    const m = rowMax64(row, C);
    if (m == Infinity || m == -Infinity) return NaN;
    const others = expSumRow64(row, C, m, g);
    const ties = <f64>rowTies64;
    const sum = ties + others;
    const logSum = Math.log1p(ties - 1 + others);
    const xt = load<f64>(row + (<usize>t << 3));
    const wt = weights ? load<f64>(weights + (<usize>t << 3)) : 1.0;
    let loss = (1.0 - smoothing) * wt * ((m - xt) + logSum);
    if (smoothing != 0) {
      // Σ_c w_c (m − x_c): non-negative terms.
      const vm = f64x2.splat(m);
      let acc = ZERO2;
      let c = 0;
      for (; c < vector; c += 2) {
        let d = f64x2.sub(vm, v128.load(row + (<usize>c << 3)));
        if (weights) d = f64x2.mul(d, v128.load(weights + (<usize>c << 3)));
        acc = f64x2.add(acc, d);
      }
      let spread = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
      if (c < C) {
        const d = m - load<f64>(row + (<usize>c << 3));
        spread += weights ? d * load<f64>(weights + (<usize>c << 3)) : d;
      }
      loss += uniform * (weightSum * logSum + spread);
    }
    total += loss;
    if (losses) store<f64>(losses + (<usize>r << 3), loss);
    if (g) {
      // g_c = u (e_c / Σ · A − a_c): the exps are in the gradient row.
      const u = upstreamPerRow ? load<f64>(upstreamPerRow + (<usize>r << 3)) : upstream;
      const A = (1.0 - smoothing) * wt + uniform * weightSum;
      const scale = u * A / sum;
      const vScale = f64x2.splat(scale);
      const vu = f64x2.splat(u * uniform);
      const gt = g + (<usize>t << 3);
      const et = load<f64>(gt); // e_t, before the loop below scales it
      let check = ZERO2; // g · 0: NaN where an entry is not finite
      let c = 0;
      if (smoothing == 0) {
        for (; c < vector; c += 2) {
          const v = f64x2.mul(v128.load(g + (<usize>c << 3)), vScale);
          v128.store(g + (<usize>c << 3), v);
          check = f64x2.add(check, f64x2.mul(v, ZERO2));
        }
      } else {
        for (; c < vector; c += 2) {
          const w = weights ? v128.load(weights + (<usize>c << 3)) : f64x2.splat(1.0);
          const v = f64x2.sub(f64x2.mul(v128.load(g + (<usize>c << 3)), vScale), f64x2.mul(vu, w));
          v128.store(g + (<usize>c << 3), v);
          check = f64x2.add(check, f64x2.mul(v, ZERO2));
        }
      }
      if (c < C) {
        let v = load<f64>(g + (<usize>c << 3)) * scale;
        if (smoothing != 0) v -= u * uniform * (weights ? load<f64>(weights + (<usize>c << 3)) : 1.0);
        store<f64>(g + (<usize>c << 3), v);
        total += v * 0;
      }
      total += f64x2.extract_lane(check, 0) + f64x2.extract_lane(check, 1);
      // The target: p_t A − a_t.
      const at = (1.0 - smoothing) * wt + uniform * wt;
      const target = u * ((et / sum) * A - at);
      store<f64>(gt, target);
      total += target * 0;
      if (rowTies64 == 1) {
        // The unique maximum k: (A − a_k) − A (1 − p_k), from small terms (see crossEntropyRows).
        const k = xt == m ? t : indexOf64(row, C, m);
        let otherWeights = <f64>(C - 1);
        if (weights && smoothing != 0) {
          otherWeights = 0;
          for (let j = 0; j < C; j++) if (j != k) otherWeights += load<f64>(weights + (<usize>j << 3));
        }
        const rest = uniform * otherWeights + (k == t ? 0 : (1.0 - smoothing) * wt);
        const top = u * (rest - A * (others / sum));
        store<f64>(g + (<usize>k << 3), top);
        total += top * 0;
      }
    }
  }
  return total;
}

/**
 * softmaxRows (index.ts) in float64: softmax (mode 0), log-softmax (1) or logsumexp (2) of `rows`
 * rows of C doubles into `out`. A row with NaN or ±inf, or only −inf, returns NaN at once (the
 * caller computes the call on the TypeScript path); else 0.
 */
export function softmaxRows64(x: usize, rows: i32, C: i32, mode: i32, out: usize): f64 {
  const vector = C & ~1;
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>r * <usize>C << 3);
    const o = out + (<usize>(mode == 2 ? r : r * C) << 3);
    const m = rowMax64(row, C);
    if (m == Infinity || m == -Infinity) return NaN;
    const others = expSumRow64(row, C, m, mode == 0 ? o : 0);
    if (others != others) return NaN;
    const ties = <f64>rowTies64;
    const logSum = Math.log1p(ties - 1 + others);
    if (mode == 2) {
      store<f64>(o, m + logSum);
      continue;
    }
    let c = 0;
    if (mode == 0) {
      const inv = 1.0 / (ties + others);
      const vInv = f64x2.splat(inv);
      for (; c < vector; c += 2) v128.store(o + (<usize>c << 3), f64x2.mul(v128.load(o + (<usize>c << 3)), vInv));
      if (c < C) store<f64>(o + (<usize>c << 3), load<f64>(o + (<usize>c << 3)) * inv);
    } else {
      const vm = f64x2.splat(m);
      const vLog = f64x2.splat(logSum);
      for (; c < vector; c += 2) v128.store(o + (<usize>c << 3), f64x2.sub(f64x2.sub(v128.load(row + (<usize>c << 3)), vm), vLog));
      if (c < C) store<f64>(o + (<usize>c << 3), load<f64>(row + (<usize>c << 3)) - m - logSum);
    }
  }
  return 0;
}
