// Row reductions shared by the kernels over rows of classes (cross-entropy: index.ts,
// cross-entropy64.ts) and the softmax family (activations.ts): the row's max, Σ exp(x − m) with the
// maxima counted apart, the index of the maximum; float32 here, float64 in cross-entropy64.ts, and
// <T> wrappers that resolve at compile time to one or the other.
import {
  EXP_NEG_MAX, EXPN_Q0, EXPN_Q1, EXPN_Q2, EXPN_Q3, EXPN_Q4, LN2_HI, LN2_LO,
  NEG_LOG2E, ONE, ROUND_MAGIC_BIASED, expNegWith, expNonPositiveWith,
} from './math';
import { expSumRow64, indexOf64, lastTies64, rowMax64 } from './cross-entropy64';
import { exp2d } from './math64';

let NEG_INF4: v128 = f32x4.splat(-Infinity);
let ZERO4: v128 = f32x4.splat(0);
let F64_ZERO4: v128 = f64x2.splat(0);

@inline function hmax(v: v128): f32 {
  const a = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return max(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1));
}

/**
 * max of a row of C floats (NaN is skipped: pmax keeps its first operand). Four accumulators:
 * one chain of pmax is latency-bound, 3.4x slower (measured).
 */
@inline export function rowMax(row: usize, C: i32): f32 {
  const vector = C & ~3;
  let m0 = NEG_INF4, m1 = NEG_INF4, m2 = NEG_INF4, m3 = NEG_INF4;
  let c = 0;
  for (; c + 16 <= vector; c += 16) {
    const p = row + (<usize>c << 2);
    m0 = f32x4.pmax(m0, v128.load(p));
    m1 = f32x4.pmax(m1, v128.load(p, 16));
    m2 = f32x4.pmax(m2, v128.load(p, 32));
    m3 = f32x4.pmax(m3, v128.load(p, 48));
  }
  for (; c < vector; c += 4) m0 = f32x4.pmax(m0, v128.load(row + (<usize>c << 2)));
  let m = hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
  for (; c < C; c++) m = max(m, load<f32>(row + (<usize>c << 2)));
  return m;
}

/**
 * How many elements of the row equalled its maximum in the last {@link expSumRow} (each one's
 * exp(0) = 1 is counted here, not in the returned sum).
 */
let rowTies: i32 = 0;

// Σ_c exp(x_c − m) = ties + others, with the terms of the maxima (x_c − m = 0 exactly, exp = 1)
// counted apart: on a confident row Σ = 1 + others with others ≪ 1, and a float32 lane holding the
// 1 would round every small term added to it (1 + others keeps about 7 digits of others: 4e-5
// relative on a gradient 1 − p of 1e-3). With the 1 kept out, others is a sum of small positive
// terms, and log Σ = log1p(ties − 1 + others), 1 − p_max = others / Σ keep its digits.
// Each block of 32 exps is summed as a tree in float32 (positive terms: 3 roundings of relative
// 6e-8 at most) and the blocks in float64, so the error does not grow with the row length.

/** Lanes of a mask as integers (−1 per true lane) added up. */
@inline function countTrue(v: v128): i32 {
  return -(i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
}

/**
 * Σ_c exp(x_c − m) over a row of C floats, without the elements equal to m (m >= every x_c; their
 * count goes to rowTies), storing each exp at `out` unless it is 0. Eight vectors per iteration
 * summed as a tree, the exp constants in locals, and the loop specialised on `out` by hand: V8
 * then keeps the accumulators in registers, 2.2x faster than two vectors per iteration (measured,
 * 4M floats, before the ties were counted apart). A NaN element makes the sum NaN. The exp is
 * math.ts's expNegWith of m − x (clamped at 88, where it flushes to 0, as exp(−inf)): its degree-4
 * polynomial and no range masks take two operations per vector off exp(x − m) by
 * expNonPositiveWith, 8–10% off crossEntropy and logSumExp over [4096, 1000] float32 (measured,
 * Node 24, medians of 40 calls, three interleaved runs), 5% off softmax, at the same accuracy
 * (wasm.test.ts measures this loop against Math.exp).
 */
export function expSumRow(row: usize, C: i32, m: f32, out: usize): f64 {
  const mx = EXP_NEG_MAX, nl2e = NEG_LOG2E, mag = ROUND_MAGIC_BIASED, hi = LN2_HI, lo = LN2_LO;
  const q0 = EXPN_Q0, q1 = EXPN_Q1, q2 = EXPN_Q2, q3 = EXPN_Q3, q4 = EXPN_Q4, one = ONE;
  const vector = C & ~3;
  const vm = f32x4.splat(m);
  const zero = ZERO4;
  let sumLo = F64_ZERO4, sumHi = F64_ZERO4;
  let ties = ZERO4; // −1 per tie, per lane
  let c = 0;
  // The loop specialised on `out` by hand (V8 does not unswitch loops).
  if (out) {
    for (; c + 32 <= vector; c += 32) {
      const p = row + (<usize>c << 2);
      const o = out + (<usize>c << 2);
      const d0 = f32x4.sub(vm, v128.load(p));
      const e0 = expNegWith(f32x4.pmin(d0, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e0);
      const t0 = f32x4.eq(d0, zero);
      const d1 = f32x4.sub(vm, v128.load(p, 16));
      const e1 = expNegWith(f32x4.pmin(d1, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e1, 16);
      const t1 = f32x4.eq(d1, zero);
      const d2 = f32x4.sub(vm, v128.load(p, 32));
      const e2 = expNegWith(f32x4.pmin(d2, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e2, 32);
      const t2 = f32x4.eq(d2, zero);
      const d3 = f32x4.sub(vm, v128.load(p, 48));
      const e3 = expNegWith(f32x4.pmin(d3, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e3, 48);
      const t3 = f32x4.eq(d3, zero);
      const d4 = f32x4.sub(vm, v128.load(p, 64));
      const e4 = expNegWith(f32x4.pmin(d4, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e4, 64);
      const t4 = f32x4.eq(d4, zero);
      const d5 = f32x4.sub(vm, v128.load(p, 80));
      const e5 = expNegWith(f32x4.pmin(d5, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e5, 80);
      const t5 = f32x4.eq(d5, zero);
      const d6 = f32x4.sub(vm, v128.load(p, 96));
      const e6 = expNegWith(f32x4.pmin(d6, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e6, 96);
      const t6 = f32x4.eq(d6, zero);
      const d7 = f32x4.sub(vm, v128.load(p, 112));
      const e7 = expNegWith(f32x4.pmin(d7, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      v128.store(o, e7, 112);
      const t7 = f32x4.eq(d7, zero);
      const block = f32x4.add(
        f32x4.add(f32x4.add(v128.andnot(e0, t0), v128.andnot(e1, t1)), f32x4.add(v128.andnot(e2, t2), v128.andnot(e3, t3))),
        f32x4.add(f32x4.add(v128.andnot(e4, t4), v128.andnot(e5, t5)), f32x4.add(v128.andnot(e6, t6), v128.andnot(e7, t7))),
      );
      sumLo = f64x2.add(sumLo, f64x2.promote_low_f32x4(block));
      sumHi = f64x2.add(sumHi, f64x2.promote_low_f32x4(v128.shuffle<f32>(block, block, 2, 3, 0, 1)));
      ties = i32x4.add(ties, i32x4.add(i32x4.add(i32x4.add(t0, t1), i32x4.add(t2, t3)), i32x4.add(i32x4.add(t4, t5), i32x4.add(t6, t7))));
    }
  } else {
    for (; c + 32 <= vector; c += 32) {
      const p = row + (<usize>c << 2);
      const d0 = f32x4.sub(vm, v128.load(p));
      const e0 = expNegWith(f32x4.pmin(d0, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t0 = f32x4.eq(d0, zero);
      const d1 = f32x4.sub(vm, v128.load(p, 16));
      const e1 = expNegWith(f32x4.pmin(d1, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t1 = f32x4.eq(d1, zero);
      const d2 = f32x4.sub(vm, v128.load(p, 32));
      const e2 = expNegWith(f32x4.pmin(d2, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t2 = f32x4.eq(d2, zero);
      const d3 = f32x4.sub(vm, v128.load(p, 48));
      const e3 = expNegWith(f32x4.pmin(d3, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t3 = f32x4.eq(d3, zero);
      const d4 = f32x4.sub(vm, v128.load(p, 64));
      const e4 = expNegWith(f32x4.pmin(d4, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t4 = f32x4.eq(d4, zero);
      const d5 = f32x4.sub(vm, v128.load(p, 80));
      const e5 = expNegWith(f32x4.pmin(d5, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t5 = f32x4.eq(d5, zero);
      const d6 = f32x4.sub(vm, v128.load(p, 96));
      const e6 = expNegWith(f32x4.pmin(d6, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t6 = f32x4.eq(d6, zero);
      const d7 = f32x4.sub(vm, v128.load(p, 112));
      const e7 = expNegWith(f32x4.pmin(d7, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
      const t7 = f32x4.eq(d7, zero);
      const block = f32x4.add(
        f32x4.add(f32x4.add(v128.andnot(e0, t0), v128.andnot(e1, t1)), f32x4.add(v128.andnot(e2, t2), v128.andnot(e3, t3))),
        f32x4.add(f32x4.add(v128.andnot(e4, t4), v128.andnot(e5, t5)), f32x4.add(v128.andnot(e6, t6), v128.andnot(e7, t7))),
      );
      sumLo = f64x2.add(sumLo, f64x2.promote_low_f32x4(block));
      sumHi = f64x2.add(sumHi, f64x2.promote_low_f32x4(v128.shuffle<f32>(block, block, 2, 3, 0, 1)));
      ties = i32x4.add(ties, i32x4.add(i32x4.add(i32x4.add(t0, t1), i32x4.add(t2, t3)), i32x4.add(i32x4.add(t4, t5), i32x4.add(t6, t7))));
    }
  }
  for (; c < vector; c += 4) {
    const d = f32x4.sub(vm, v128.load(row + (<usize>c << 2)));
    const e = expNegWith(f32x4.pmin(d, mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one);
    if (out) v128.store(out + (<usize>c << 2), e);
    const tie = f32x4.eq(d, zero);
    const kept = v128.andnot(e, tie);
    sumLo = f64x2.add(sumLo, f64x2.promote_low_f32x4(kept));
    sumHi = f64x2.add(sumHi, f64x2.promote_low_f32x4(v128.shuffle<f32>(kept, kept, 2, 3, 0, 1)));
    ties = i32x4.add(ties, tie);
  }
  const total = f64x2.add(sumLo, sumHi);
  let sum = f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1);
  let count = countTrue(ties);
  for (; c < C; c++) {
    const d = m - load<f32>(row + (<usize>c << 2));
    const e = f32x4.extract_lane(expNegWith(f32x4.pmin(f32x4.splat(d), mx), nl2e, mag, hi, lo, q0, q1, q2, q3, q4, one), 0);
    if (d == 0) count++;
    else sum += <f64>e;
    if (out) store<f32>(out + (<usize>c << 2), e);
  }
  rowTies = count;
  return sum;
}

/** Index of the first of the C floats at `row` equal to m (vector search, then the lanes). */
export function indexOf(row: usize, C: i32, m: f32): i32 {
  const vm = f32x4.splat(m);
  let c = 0;
  for (; c + 4 <= C; c += 4) if (v128.any_true(f32x4.eq(v128.load(row + (<usize>c << 2)), vm))) break;
  for (; c < C; c++) if (load<f32>(row + (<usize>c << 2)) == m) return c;
  return -1;
}

// The same of either width (T = f32: above; T = f64: cross-entropy64.ts). `sizeof<T>()` is a
// compile-time constant: each resolves to one call.
@inline export function rowMaxOf<T>(row: usize, C: i32): T {
  if (sizeof<T>() == 4) return <T>rowMax(row, C);
  return <T>rowMax64(row, C);
}
@inline export function expSumOf<T>(row: usize, C: i32, m: T, out: usize): f64 {
  if (sizeof<T>() == 4) return expSumRow(row, C, <f32>m, out);
  return expSumRow64(row, C, <f64>m, out);
}
@inline export function tiesOf<T>(): i32 {
  if (sizeof<T>() == 4) return rowTies;
  return lastTies64();
}
@inline export function indexOfT<T>(row: usize, C: i32, m: T): i32 {
  if (sizeof<T>() == 4) return indexOf(row, C, <f32>m);
  return indexOf64(row, C, <f64>m);
}

/**
 * exp(d) for d <= 0 over T lanes: f32 math.ts's polynomial with its constants passed in from the
 * caller's locals (see expNonPositiveWith), f64 math64.ts's exp2d (27% faster than the degree-13
 * Taylor polynomial these kernels had, measured on the float64 cross-entropy kernel).
 */
@inline export function expNonPositiveLocal<T>(
  d: v128, mn: v128, l2e: v128, mag: v128, hi: v128, lo: v128,
  p0: v128, p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, one: v128,
): v128 {
  if (sizeof<T>() == 4) return expNonPositiveWith(d, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
  return exp2d(d);
}
