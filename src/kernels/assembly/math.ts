// Vectorised exp and log for f32x4, accurate to about 1 ulp of float32 (measured against
// Math.exp / Math.log over their whole ranges by src/kernels/wasm.test.ts).

// The constants live in mutable globals: V8 (11.x) rematerialises every v128.const inside a loop
// (several instructions each), while a global is one load from L1. This alone makes exp4 ~1.5x faster.
// The hottest loop (index.ts, expSumRow) goes one step further and copies them into locals.
export let EXP_MIN_ARG: v128 = f32x4.splat(-88.0);
let EXP_MAX_ARG: v128 = f32x4.splat(88.8);
export let LOG2E: v128 = f32x4.splat(1.44269504088896341);
let ROUND_MAGIC: v128 = f32x4.splat(12582912.0);
export let ROUND_MAGIC_BIASED: v128 = f32x4.splat(12582912.0 + 127.0);
export let LN2_HI: v128 = f32x4.splat(0.693359375);
export let LN2_LO: v128 = f32x4.splat(-2.12194440e-4);
export let EXP_P0: v128 = f32x4.splat(1.9875691500e-4);
export let EXP_P1: v128 = f32x4.splat(1.3981999507e-3);
export let EXP_P2: v128 = f32x4.splat(8.3334519073e-3);
export let EXP_P3: v128 = f32x4.splat(4.1665795894e-2);
export let EXP_P4: v128 = f32x4.splat(1.6666665459e-1);
export let EXP_P5: v128 = f32x4.splat(5.0000001201e-1);
export let ONE: v128 = f32x4.splat(1.0);
let EXP_FLUSH_BELOW: v128 = f32x4.splat(-87.33654475);
let POS_INF: v128 = f32x4.splat(Infinity);
let EXP_OVERFLOW_ABOVE: v128 = f32x4.splat(88.72283905);
let SQRT_HALF: v128 = f32x4.splat(0.707106781186547524);
let LOG_P0: v128 = f32x4.splat(7.0376836292e-2);
let LOG_P1: v128 = f32x4.splat(-1.1514610310e-1);
let LOG_P2: v128 = f32x4.splat(1.1676998740e-1);
let LOG_P3: v128 = f32x4.splat(-1.2420140846e-1);
let LOG_P4: v128 = f32x4.splat(1.4249322787e-1);
let LOG_P5: v128 = f32x4.splat(-1.6668057665e-1);
let LOG_P6: v128 = f32x4.splat(2.0000714765e-1);
let LOG_P7: v128 = f32x4.splat(-2.4999993993e-1);
let LOG_P8: v128 = f32x4.splat(3.3333331174e-1);
let HALF: v128 = f32x4.splat(0.5);
let NEG_INF: v128 = f32x4.splat(-Infinity);
export let MIN_NORMAL: v128 = f32x4.splat(1.17549435e-38);
let NAN4: v128 = f32x4.splat(NaN);
let ZERO: v128 = f32x4.splat(0);
let ROUND_MAGIC_BITS: v128 = i32x4.splat(0x4b400000);
let EXPONENT_BIAS: v128 = i32x4.splat(127);
let MIN_NORMAL_BITS: v128 = i32x4.splat(0x00800000);
let FREXP_BIAS: v128 = i32x4.splat(126);
let MANTISSA_MASK: v128 = i32x4.splat(0x007fffff);
let HALF_EXPONENT_BITS: v128 = i32x4.splat(0x3f000000);
let INT_ONE: v128 = i32x4.splat(1);
let INT_24: v128 = i32x4.splat(24);
let TWO_POW_24: v128 = f32x4.splat(16777216.0);

/**
 * a·b + c. The kernels are compiled twice (scripts/build-wasm.mjs): with relaxed SIMD this is one
 * fused multiply-add where the hardware has one (28% off the cross-entropy kernel, measured), and
 * the driver picks that module where the engine accepts it; without, a multiply and an add.
 */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * mask ? a : b, lane by lane, for a mask of whole lanes (a comparison's): with relaxed SIMD one
 * blend instruction (x64: blendvps, which reads the sign bit only), without, bitselect (three).
 */
@inline
export function select(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}

/** c − a·b, fused as {@link madd}. */
@inline
export function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

/** exp(x − n·ln2) for |x − n·ln2| <= ln2/2: ln2 in two parts (Cody–Waite), then Cephes' polynomial. */
@inline
function expReduced(
  x: v128, n: v128, ln2Hi: v128, ln2Lo: v128,
  p0: v128, p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, one: v128,
): v128 {
  let r = nmadd(n, ln2Hi, x);
  r = nmadd(n, ln2Lo, r);
  const z = f32x4.mul(r, r);
  let p = p0;
  p = madd(p, r, p1);
  p = madd(p, r, p2);
  p = madd(p, r, p3);
  p = madd(p, r, p4);
  p = madd(p, r, p5);
  return f32x4.add(madd(p, z, r), one);
}

// exp(x) = 2^n · exp(r) with n = round(x / ln2) and r = x − n·ln2, where ln2 is split in two parts
// (Cody–Waite) so that r is exact; exp(r) on |r| <= ln2/2 is Cephes' degree-7 polynomial.
// Results below 2^-126 (x < −87.3365) are flushed to 0 (no subnormals); x > 88.7228 gives +inf.
@inline
export function exp4(x: v128): v128 {
  // pmin/pmax are single x86 instructions (min/max with NaN semantics are not); NaN is restored below.
  const clamped = f32x4.pmin(f32x4.pmax(x, EXP_MIN_ARG), EXP_MAX_ARG);
  // n = round(x / ln2) by the 1.5·2^23 trick: adding it rounds to an integer, and the low bits of
  // the sum are n itself (no float-to-int conversion, which is slow in wasm SIMD on x64).
  const shifted = f32x4.add(f32x4.mul(clamped, LOG2E), ROUND_MAGIC);
  const n = f32x4.sub(shifted, ROUND_MAGIC);
  const ni = i32x4.sub(shifted, ROUND_MAGIC_BITS); // bits of 1.5·2^23 + n, minus those of 1.5·2^23
  const p = expReduced(clamped, n, LN2_HI, LN2_LO, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, ONE);
  // 2^n: n + 127 in the exponent field. n is in [−127, 128]; split 2^n = 2^(n/2)·2^(n − n/2) so
  // that both factors are normal numbers.
  const half = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(half, EXPONENT_BIAS), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), EXPONENT_BIAS), 23);
  let result = f32x4.mul(f32x4.mul(p, s1), s2);
  // Flush what would be subnormal to 0, keep +inf above the range, and let NaN through.
  result = v128.and(result, f32x4.ge(x, EXP_FLUSH_BELOW));
  result = v128.bitselect(POS_INF, result, f32x4.gt(x, EXP_OVERFLOW_ABOVE));
  return v128.bitselect(x, result, f32x4.ne(x, x));
}

// exp(x) for x <= 0 (softmax's x − max), without exp4's range masks: x is clamped at −88, so
// n = round(x / ln2) is in [−127, 0]. The rounding constant carries the exponent bias,
// 1.5·2^23 + 127, so the low bits of the sum are n + 127 and one shift makes 2^n; n = −127 gives a
// zero scale, flushing results below about 2^-126 to 0. NaN propagates through the arithmetic.
@inline
export function expNonPositive4(x: v128): v128 {
  return expNonPositiveWith(x, EXP_MIN_ARG, LOG2E, ROUND_MAGIC_BIASED, LN2_HI, LN2_LO, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, ONE);
}

/**
 * expNonPositive4 with its constants passed in. An exp-bound loop loads them into locals once,
 * before the loop (see expSumRow in index.ts); read from the globals, every use inside the loop is a
 * fresh load, and V8 (11.x) then spills the loop's accumulator: 1.45x slower (measured, 4M floats).
 */
@inline
export function expNonPositiveWith(
  x: v128, minArg: v128, log2e: v128, magic: v128, ln2Hi: v128, ln2Lo: v128,
  p0: v128, p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, one: v128,
): v128 {
  const clamped = f32x4.pmax(x, minArg);
  const shifted = f32x4.add(f32x4.mul(clamped, log2e), magic);
  const n = f32x4.sub(shifted, magic);
  const p = expReduced(clamped, n, ln2Hi, ln2Lo, p0, p1, p2, p3, p4, p5, one);
  return f32x4.mul(p, i32x4.shl(shifted, 23));
}

// exp(−x) for the pointwise activations, x in [−89, 88] (clamped by the caller): n = round(−x / ln2)
// is in [−127, 128], r = −x − n·ln2 (Cody–Waite, as exp4) and exp(r) = 1 + r + r²q(r) with q a
// degree-4 near-minimax polynomial on |r| <= ln2/2 (Chebyshev fit, scripts/fit-polynomials.py:
// relative error 1.0e-8, a sixth of an ulp; exp4's Cephes q has degree 5). Written in
// u = −r = x + n·ln2, so no negation is spent: exp(−u) = 1 − (u − u²q(−u)), q(−u) with the odd
// coefficients negated. The rounding constant carries the exponent bias, so one shift makes 2^n:
// n = −127 (x > 87.7) gives a zero scale, so results below about 2^−126 flush to 0, and n = 128
// (x < −88.4) an infinite one, +inf (the true value overflows from −88.72). NaN propagates. One
// polynomial degree and exp4's range masks fewer: with the sigmoid kernel's single exp of −x
// instead of its two-branch form, 1.6x faster (measured, 4M floats, scratch benchmark).
export let NEG_LOG2E: v128 = f32x4.splat(-1.44269504088896341);
/** The top of expNegWith's domain, where callers clamp x: exp(−88) flushes to 0, as exp(−inf). */
export let EXP_NEG_MAX: v128 = f32x4.splat(88);
export let EXPN_Q0: v128 = f32x4.splat(<f32>0.00139261761199355788836);
export let EXPN_Q1: v128 = f32x4.splat(<f32>-0.00836317307451371090281);
export let EXPN_Q2: v128 = f32x4.splat(<f32>0.0416665546620505339818);
export let EXPN_Q3: v128 = f32x4.splat(<f32>-0.166665770255979881901);
export let EXPN_Q4: v128 = f32x4.splat(0.5);

/**
 * exp(−x) for x in [−89, 88], its constants passed in (an exp-bound loop copies them into locals
 * once, see expNonPositiveWith): nl2e = NEG_LOG2E, magic = ROUND_MAGIC_BIASED, ln2Hi, ln2Lo,
 * q0..q4 = EXPN_Q0..EXPN_Q4, one = ONE.
 */
@inline
export function expNegWith(
  x: v128, nl2e: v128, magic: v128, ln2Hi: v128, ln2Lo: v128,
  q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, one: v128,
): v128 {
  const shifted = madd(x, nl2e, magic);
  const n = f32x4.sub(shifted, magic);
  let u = madd(n, ln2Hi, x);
  u = madd(n, ln2Lo, u);
  const z = f32x4.mul(u, u);
  let q = madd(q0, u, q1);
  q = madd(q, u, q2);
  q = madd(q, u, q3);
  q = madd(q, u, q4);
  return f32x4.mul(f32x4.sub(one, nmadd(q, z, u)), i32x4.shl(shifted, 23));
}

/**
 * exp(x) for any x, expNegWith's constants passed in (`max` = EXP_NEG_MAX): expNegWith(min(−x, 88))
 * where no lane of x exceeds 88, exp4 where one does (its two-step scale keeps exp finite up to
 * 88.72, where expNegWith's 2^128 would be +inf already). A predicted branch per vector instead of
 * exp4's range masks and its 19 constants read from globals in every iteration: poissonNllLoss's
 * forward (exp(x) − y x, 4M floats, Node 24) 7.0–7.4 → 4.7 ms. Below x = −88 the result is 0 (exp4:
 * below −87.34); from −87.68 to −87.34 a subnormal (exp4: 0), nearer the true value. NaN propagates
 * (pmin keeps its first operand), −inf gives 0, +inf takes exp4's +inf.
 */
@inline
export function expAnyWith(
  x: v128, nl2e: v128, magic: v128, ln2Hi: v128, ln2Lo: v128,
  q0: v128, q1: v128, q2: v128, q3: v128, q4: v128, one: v128, max: v128,
): v128 {
  if (v128.any_true(f32x4.gt(x, max))) return exp4(x);
  return expNegWith(f32x4.pmin(f32x4.neg(x), max), nl2e, magic, ln2Hi, ln2Lo, q0, q1, q2, q3, q4, one);
}

// log1p(e) for e in [0, 1] without a logarithm: log1p(e) = 2 atanh(s) = 2s A(s²) with s = e / (2 + e)
// in [0, 1/3] (e itself, exact: no rounding of 1 + e to correct), A(t) = atanh(s)/s a degree-4
// near-minimax polynomial on t in [0, 1/9] (Chebyshev fit, scripts/fit-polynomials.py: relative
// error 4e-9; the Taylor series needs degree 7 for that). One division.
export let LOG1P_A0: v128 = f32x4.splat(<f32>1.00000000384087944044);
export let LOG1P_A1: v128 = f32x4.splat(<f32>0.333331608206888865781);
export let LOG1P_A2: v128 = f32x4.splat(<f32>0.200122976153518739558);
export let LOG1P_A3: v128 = f32x4.splat(<f32>0.139825788725986344442);
export let LOG1P_A4: v128 = f32x4.splat(<f32>0.140788891815545403274);
export let TWO: v128 = f32x4.splat(2.0);

/** log1p(e) for e in [0, 1] with its constants (TWO, LOG1P_A0..A4) passed in: a loop holds them in locals. */
@inline
export function log1pUnitWith(e: v128, two: v128, a0: v128, a1: v128, a2: v128, a3: v128, a4: v128): v128 {
  const s = f32x4.div(e, f32x4.add(two, e));
  const t = f32x4.mul(s, s);
  let a = madd(a4, t, a3);
  a = madd(a, t, a2);
  a = madd(a, t, a1);
  a = madd(a, t, a0);
  return f32x4.mul(f32x4.add(s, s), a);
}

// log(x) = e·ln2 + log(m) with x = m·2^e, m in [√½, √2); log(1 + f) on that interval is Cephes'
// degree-9 polynomial. log(0) = −inf, log(x < 0) = NaN, log(+inf) = +inf. Subnormal inputs are
// scaled by 2^24 first (exact) and 24 taken off the exponent: log(1e-40) = −92.103, as PyTorch's
// (BCE at such a probability is not clamped to −100).
@inline
export function log4(x: v128): v128 {
  const subnormal = f32x4.lt(x, MIN_NORMAL);
  const scaled = v128.bitselect(f32x4.mul(x, TWO_POW_24), x, subnormal);
  const bits = i32x4.max_s(scaled, MIN_NORMAL_BITS); // smallest normal for zero and negative inputs
  let e = i32x4.sub(i32x4.shr_s(bits, 23), FREXP_BIAS);
  e = i32x4.sub(e, v128.and(subnormal, INT_24));
  let m = v128.or(v128.and(bits, MANTISSA_MASK), HALF_EXPONENT_BITS); // m in [0.5, 1)
  const small = f32x4.lt(m, SQRT_HALF);
  e = i32x4.sub(e, v128.and(small, INT_ONE));
  // m < √½: f = 2m − 1, else f = m − 1
  const f = f32x4.sub(f32x4.add(m, v128.and(small, m)), ONE);
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let y = LOG_P0;
  y = madd(y, f, LOG_P1);
  y = madd(y, f, LOG_P2);
  y = madd(y, f, LOG_P3);
  y = madd(y, f, LOG_P4);
  y = madd(y, f, LOG_P5);
  y = madd(y, f, LOG_P6);
  y = madd(y, f, LOG_P7);
  y = madd(y, f, LOG_P8);
  y = f32x4.mul(f32x4.mul(y, f), z);
  y = f32x4.add(y, f32x4.mul(ef, LN2_LO));
  y = f32x4.sub(y, f32x4.mul(z, HALF));
  let result = f32x4.add(f32x4.add(f, y), f32x4.mul(ef, LN2_HI));
  result = v128.bitselect(NEG_INF, result, f32x4.eq(x, ZERO));
  result = v128.bitselect(NAN4, result, f32x4.lt(x, ZERO));
  result = v128.bitselect(x, result, f32x4.eq(x, POS_INF));
  return v128.bitselect(x, result, f32x4.ne(x, x));
}
