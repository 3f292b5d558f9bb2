// The float64 row helpers of the cross-entropy and softmax kernels (index.ts, activations.ts, through
// rows.ts): max, Σ exp(x − m) with the maxima counted apart, index of the maximum, in f64x2 lanes.
//
// The differential suite (test/support/differential-targets.ts, 'float64' targets) pins the kernels
// built on them to the TypeScript reference (src/losses/cross-entropy.ts, src/activations/softmax.ts)
// within 1e-9 relative.
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
