// Vectorised exp and log for f64x2: within 1 ulp of V8's Math.exp and Math.log (fdlibm's), subnormal
// results and inputs included (measured by src/kernels/wasm.test.ts). Constants in globals, as in
// math.ts. Each function has a fast path for the ordinary lanes, taken when both lanes are
// ordinary (one compare and a branch), and the full-range form beside it for the rest: the range
// masks, the subnormal scaling and the split power of two cost as much as the approximation itself.

let LOG2E: v128 = f64x2.splat(1.4426950408889634);
// 1.5 · 2^52: adding it rounds to an integer whose bits, minus its own, are that integer.
let ROUND_MAGIC: v128 = f64x2.splat(6755399441055744.0);
let LN2_HI: v128 = f64x2.splat(6.93147180369123816490e-1); // low 32 bits zero: n · LN2_HI is exact
let LN2_LO: v128 = f64x2.splat(1.90821492927058770002e-10);
let EXP_MIN_ARG: v128 = f64x2.splat(-746.0);
let EXP_MAX_ARG: v128 = f64x2.splat(710.0);
let EXP_OVERFLOW_ABOVE: v128 = f64x2.splat(709.782712893384);
let EXP_ZERO_BELOW: v128 = f64x2.splat(-745.1332191019412); // exp rounds to 0 below
let ONE: v128 = f64x2.splat(1.0);
let TWO: v128 = f64x2.splat(2.0);
let HALF: v128 = f64x2.splat(0.5);
let ZERO: v128 = f64x2.splat(0.0);
let POS_INF: v128 = f64x2.splat(Infinity);
let NEG_INF: v128 = f64x2.splat(-Infinity);
let NAN2: v128 = f64x2.splat(NaN);
let BIAS: v128 = i64x2.splat(1023);
let MAGIC_BITS: v128 = i64x2.splat(0x4338000000000000);
let LG1: v128 = f64x2.splat(6.666666666666735130e-1);
let LG2: v128 = f64x2.splat(3.999999999940941908e-1);
let LG3: v128 = f64x2.splat(2.857142874366239149e-1);
let LG4: v128 = f64x2.splat(2.222219843214978396e-1);
let LG5: v128 = f64x2.splat(1.818357216161805012e-1);
let LG6: v128 = f64x2.splat(1.531383769920937332e-1);
let LG7: v128 = f64x2.splat(1.479819860511658591e-1);
let SQRT2: v128 = f64x2.splat(1.4142135623730951);
let MIN_NORMAL: v128 = f64x2.splat(2.2250738585072014e-308);
let TWO_POW_54: v128 = f64x2.splat(18014398509481984.0);
let INT_54: v128 = i64x2.splat(54);
let INT_ONE: v128 = i64x2.splat(1);
let MANTISSA_MASK: v128 = i64x2.splat(0x000fffffffffffff);
let ONE_BITS: v128 = i64x2.splat(0x3ff0000000000000);
let EXPONENT_SHIFT_BIAS: v128 = i64x2.splat(1023);

/** a·b + c: fused with relaxed SIMD (see math.ts, madd). */
@inline export function madd2(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

// 1.5 · 2^52 + 1023: the low bits of x / ln2 plus it are n + 1023, so one shift makes 2^n.
let ROUND_MAGIC_BIASED: v128 = f64x2.splat(6755399441055744.0 + 1023.0);
let EXP_FAST_MAX: v128 = f64x2.splat(708.0);
let ABS_MASK: v128 = i64x2.splat(0x7fffffffffffffff);
// expm1(r) = r + r² Q(r) on |r| <= ln2/2, Q of degree 9: a Chebyshev fit (scripts/fit-polynomials.py),
// relative error 1.7e-17 in exp(r), a seventh of an ulp.
let EXPM1_Q0: v128 = f64x2.splat(0.500000000000000102109);
let EXPM1_Q1: v128 = f64x2.splat(0.166666666666666674519);
let EXPM1_Q2: v128 = f64x2.splat(0.0416666666666241619026);
let EXPM1_Q3: v128 = f64x2.splat(0.00833333333333006444947);
let EXPM1_Q4: v128 = f64x2.splat(0.00138888889171967190767);
let EXPM1_Q5: v128 = f64x2.splat(0.000198412698630405452706);
let EXPM1_Q6: v128 = f64x2.splat(0.000024801521322368693266);
let EXPM1_Q7: v128 = f64x2.splat(0.00000275572684803100255256);
let EXPM1_Q8: v128 = f64x2.splat(2.76200758799833665859e-7);
let EXPM1_Q9: v128 = f64x2.splat(2.51003758325612336644e-8);

/** c − a·b: fused with relaxed SIMD (see math.ts, nmadd). */
@inline export function nmadd2(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_nmadd(a, b, c);
  return f64x2.sub(c, f64x2.mul(a, b));
}

/**
 * exp(r) − 1 for |r| <= ln2/2: r + r² Q(r), Q by Estrin's scheme (depth 4 instead of Horner's 9
 * dependent steps). No division: fdlibm's rational form (e_exp.c, the one behind Math.exp) spends
 * one, and a vector division costs as much as the whole polynomial.
 */
@inline export function expm1Reduced2d(r: v128): v128 {
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q01 = madd2(EXPM1_Q1, r, EXPM1_Q0);
  const q23 = madd2(EXPM1_Q3, r, EXPM1_Q2);
  const q45 = madd2(EXPM1_Q5, r, EXPM1_Q4);
  const q67 = madd2(EXPM1_Q7, r, EXPM1_Q6);
  const q89 = madd2(EXPM1_Q9, r, EXPM1_Q8);
  const q = madd2(r8, q89, madd2(r4, madd2(r2, q67, q45), madd2(r2, q23, q01)));
  return madd2(r2, q, r);
}

// exp(x) = 2^n exp(r), n = round(x / ln2), r = x − n·LN2_HI − n·LN2_LO (Cody–Waite: the first
// product and difference are exact), |r| <= ln2/2. The result is 2^n + 2^n·expm1(r), rounded once
// (2^n·expm1(r) is exact): about half an ulp. Fast path |x| <= 708, where 2^n is a normal number
// (n in [−1022, 1022]) made by one shift; otherwise expWide2d. NaN takes the fast path and stays NaN.
@inline export function exp2d(x: v128): v128 {
  if (v128.any_true(f64x2.gt(v128.and(x, ABS_MASK), EXP_FAST_MAX))) return EXP_WIDE(x);
  const shifted = madd2(x, LOG2E, ROUND_MAGIC_BIASED);
  const n = f64x2.sub(shifted, ROUND_MAGIC_BIASED);
  const r = nmadd2(n, LN2_LO, nmadd2(n, LN2_HI, x));
  const scale = i64x2.shl(shifted, 52);
  return madd2(expm1Reduced2d(r), scale, scale);
}

// exp over the whole range: x clamped to [−746, 710], 2^n applied as 2^(n/2) · 2^(n − n/2), both
// normal, so that subnormal results round once more only (fdlibm's as well); 0 below −745.13,
// +inf above 709.78, NaN stays NaN.
function expWide2d(x: v128): v128 {
  const clamped = f64x2.pmin(f64x2.pmax(x, EXP_MIN_ARG), EXP_MAX_ARG);
  const shifted = f64x2.add(f64x2.mul(clamped, LOG2E), ROUND_MAGIC);
  const n = f64x2.sub(shifted, ROUND_MAGIC);
  const ni = i64x2.sub(shifted, MAGIC_BITS);
  const r = nmadd2(n, LN2_LO, nmadd2(n, LN2_HI, clamped));
  // n / 2 rounded down, taken in float64 (floor and the rounding trick are single instructions;
  // x64 has no 64-bit arithmetic shift before AVX-512, and V8 emulates i64x2.shr_s).
  const half = i64x2.sub(f64x2.add(f64x2.floor(f64x2.mul(n, HALF)), ROUND_MAGIC), MAGIC_BITS);
  const s1 = i64x2.shl(i64x2.add(half, BIAS), 52);
  const s2 = i64x2.shl(i64x2.add(i64x2.sub(ni, half), BIAS), 52);
  let result = f64x2.mul(madd2(expm1Reduced2d(r), s1, s1), s2);
  result = v128.and(result, f64x2.ge(x, EXP_ZERO_BELOW));
  result = v128.bitselect(POS_INF, result, f64x2.gt(x, EXP_OVERFLOW_ABOVE));
  return v128.bitselect(x, result, f64x2.ne(x, x));
}

// log(x) = k ln2 + log(1 + f) with x = 2^k (1 + f), 1 + f in [√½, √2); log(1 + f) = f − hfsq +
// s (hfsq + R(s²)), s = f / (2 + f), R fdlibm's degree-14 even polynomial (e_log.c).
@inline function logReduced(f: v128, dk: v128): v128 {
  const s = f64x2.div(f, f64x2.add(TWO, f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, madd2(w, madd2(w, LG6, LG4), LG2));
  const t2 = f64x2.mul(z, madd2(w, madd2(w, madd2(w, LG7, LG5), LG3), LG1));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(HALF, f), f);
  const inner = madd2(s, f64x2.add(hfsq, R), f64x2.mul(dk, LN2_LO));
  return f64x2.sub(f64x2.mul(dk, LN2_HI), f64x2.sub(f64x2.sub(hfsq, inner), f));
}

// The bits of √½, and the exponent field.
let LOG_OFFSET_BITS: v128 = i64x2.splat(0x3fe6a09e667f3bcd);
let EXPONENT_FIELD: v128 = i64x2.splat(0xfff0000000000000);
let MAX_FINITE: v128 = f64x2.splat(1.7976931348623157e308);

// Fast path, both lanes positive normal finite numbers: x's bits minus those of √½ hold k in
// their exponent field (an arithmetic shift of the high 32-bit words: no 64-bit one on x64) and
// x minus that field is 1 + f, in [√½, √2) (musl's log.c), without compares or selects.
// Otherwise logWide2d: log(0) = −inf, log(x < 0) = NaN, log(+inf) = +inf, NaN stays NaN.
@inline export function log2d(x: v128): v128 {
  if (!i64x2.all_true(v128.and(f64x2.ge(x, MIN_NORMAL), f64x2.le(x, MAX_FINITE)))) return LOG_WIDE(x);
  const t = i64x2.sub(x, LOG_OFFSET_BITS);
  const high = i32x4.shr_s(t, 20); // k in the odd 32-bit lanes
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(high, high, 1, 3, 1, 3));
  const f = f64x2.sub(i64x2.sub(x, v128.and(t, EXPONENT_FIELD)), ONE);
  return logReduced(f, dk);
}

// log over every input: subnormal inputs scaled by 2^54 first, the special values masked in.
function logWide2d(x: v128): v128 {
  const subnormal = f64x2.lt(x, MIN_NORMAL);
  const scaled = v128.bitselect(f64x2.mul(x, TWO_POW_54), x, subnormal);
  let k = i64x2.sub(i64x2.shr_u(scaled, 52), EXPONENT_SHIFT_BIAS);
  k = i64x2.sub(k, v128.and(subnormal, INT_54));
  let m = v128.or(v128.and(scaled, MANTISSA_MASK), ONE_BITS); // m in [1, 2)
  const big = f64x2.gt(m, SQRT2);
  m = v128.bitselect(f64x2.mul(m, HALF), m, big);
  k = i64x2.add(k, v128.and(big, INT_ONE));
  // k as float64: its low 32 bits (|k| < 1100) as i32 lanes 0 and 1, converted.
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(k, k, 0, 2, 0, 2));
  let result = logReduced(f64x2.sub(m, ONE), dk);
  result = v128.bitselect(NEG_INF, result, f64x2.eq(x, ZERO));
  result = v128.bitselect(NAN2, result, f64x2.lt(x, ZERO));
  result = v128.bitselect(x, result, f64x2.eq(x, POS_INF));
  return v128.bitselect(x, result, f64x2.ne(x, x));
}

// log1p(e) = e − hfsq + s (hfsq + R(s²)) for e in [0, 1] (f = e exactly: no rounding of 1 + e to
// correct), s = e / (2 + e) in [0, 1/3], R(z) = z P(z) with P of degree 9 on z in [0, 1/9]: a
// Chebyshev fit (scripts/fit-polynomials.py), relative error 5e-18 in log1p(e).
let LOG1P_P0: v128 = f64x2.splat(0.66666666666666658561);
let LOG1P_P1: v128 = f64x2.splat(0.400000000000145826732);
let LOG1P_P2: v128 = f64x2.splat(0.28571428567108757162);
let LOG1P_P3: v128 = f64x2.splat(0.222222227174278629893);
let LOG1P_P4: v128 = f64x2.splat(0.181817894361328581693);
let LOG1P_P5: v128 = f64x2.splat(0.153855700649586231034);
let LOG1P_P6: v128 = f64x2.splat(0.133141442096549361503);
let LOG1P_P7: v128 = f64x2.splat(0.120010728095907125352);
let LOG1P_P8: v128 = f64x2.splat(0.0880073848614467388222);
let LOG1P_P9: v128 = f64x2.splat(0.161640456119435322209);

/**
 * log(1 + e) for e >= 0. Fast path, both lanes in [0, 1] (NaN too; the activations' and the
 * logistic losses' log1p(exp(−|z|))): one division and a polynomial, against log's division and
 * a second one for the rounding of 1 + e (log1pWide2d).
 */
@inline export function log1p2d(e: v128): v128 {
  if (v128.any_true(f64x2.gt(e, ONE))) return LOG1P_WIDE(e);
  const s = f64x2.div(e, f64x2.add(TWO, e));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const w2 = f64x2.mul(w, w);
  const lo = madd2(w, madd2(LOG1P_P3, z, LOG1P_P2), madd2(LOG1P_P1, z, LOG1P_P0));
  const hi = madd2(w, madd2(LOG1P_P7, z, LOG1P_P6), madd2(LOG1P_P5, z, LOG1P_P4));
  const P = madd2(f64x2.mul(w2, w2), madd2(LOG1P_P9, z, LOG1P_P8), madd2(w2, hi, lo));
  const hfsq = f64x2.mul(f64x2.mul(HALF, e), e);
  return f64x2.sub(e, f64x2.sub(hfsq, f64x2.mul(s, madd2(z, P, hfsq))));
}

/** log(1 + e) for any e >= 0: log(u) + (e − (u − 1)) / u with u = 1 + e rounded (the rounding's correction). */
function log1pWide2d(e: v128): v128 {
  const u = f64x2.add(ONE, e);
  return f64x2.add(log2d(u), f64x2.div(f64x2.sub(e, f64x2.sub(u, ONE)), u));
}

// The full-range forms are called through mutable function references, so they are never inlined:
// inlined, the optimiser turns the fast path's branch into a select, and both forms run for every
// vector (measured: no faster than without the fast path). The rare vectors pay an indirect call.
let EXP_WIDE: (x: v128) => v128 = expWide2d;
let LOG_WIDE: (x: v128) => v128 = logWide2d;
let LOG1P_WIDE: (x: v128) => v128 = log1pWide2d;

/** log1p2d over n doubles in place (n even): the accuracy test's hook (src/kernels/wasm-test-hooks.ts). */
export function log1pInPlace64(p: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) {
    const q = p + (<usize>i << 3);
    v128.store(q, log1p2d(v128.load(q)));
  }
}
