// Vectorised exp and log for f64x2, fdlibm's algorithms (the ones behind V8's Math.exp and
// Math.log): below 1 ulp of float64, subnormal results and inputs included (measured against
// Math.exp / Math.log by src/kernels/wasm.test.ts). Constants in globals, as in math.ts.

let LOG2E: v128 = f64x2.splat(1.4426950408889634);
// 1.5 · 2^52: adding it rounds to an integer whose bits, minus its own, are that integer.
let ROUND_MAGIC: v128 = f64x2.splat(6755399441055744.0);
let LN2_HI: v128 = f64x2.splat(6.93147180369123816490e-1); // low 32 bits zero: n · LN2_HI is exact
let LN2_LO: v128 = f64x2.splat(1.90821492927058770002e-10);
let EXP_P1: v128 = f64x2.splat(1.66666666666666019037e-1);
let EXP_P2: v128 = f64x2.splat(-2.77777777770155933842e-3);
let EXP_P3: v128 = f64x2.splat(6.61375632143793436117e-5);
let EXP_P4: v128 = f64x2.splat(-1.65339022054652515390e-6);
let EXP_P5: v128 = f64x2.splat(4.13813679705723846039e-8);
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

// exp(x) = 2^n exp(r), n = round(x / ln2), r = hi − lo with hi = x − n·LN2_HI, lo = n·LN2_LO;
// exp(r) = 1 − ((lo − r c / (2 − c)) − hi), c = r − r²(P1 + r²(P2 + ...)) (fdlibm's e_exp.c).
// 2^n is applied as 2^(n/2) · 2^(n − n/2), both normal, so subnormal results round once.
@inline export function exp2d(x: v128): v128 {
  const clamped = f64x2.pmin(f64x2.pmax(x, EXP_MIN_ARG), EXP_MAX_ARG);
  const shifted = f64x2.add(f64x2.mul(clamped, LOG2E), ROUND_MAGIC);
  const n = f64x2.sub(shifted, ROUND_MAGIC);
  const ni = i64x2.sub(shifted, MAGIC_BITS);
  const hi = f64x2.sub(clamped, f64x2.mul(n, LN2_HI));
  const lo = f64x2.mul(n, LN2_LO);
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = madd2(t, EXP_P5, EXP_P4);
  p = madd2(t, p, EXP_P3);
  p = madd2(t, p, EXP_P2);
  p = madd2(t, p, EXP_P1);
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const y = f64x2.sub(ONE, f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(TWO, c))), hi));
  const half = i64x2.shr_s(ni, 1);
  const s1 = i64x2.shl(i64x2.add(half, BIAS), 52);
  const s2 = i64x2.shl(i64x2.add(i64x2.sub(ni, half), BIAS), 52);
  let result = f64x2.mul(f64x2.mul(y, s1), s2);
  result = v128.and(result, f64x2.ge(x, EXP_ZERO_BELOW));
  result = v128.bitselect(POS_INF, result, f64x2.gt(x, EXP_OVERFLOW_ABOVE));
  return v128.bitselect(x, result, f64x2.ne(x, x));
}

// log(x) = k ln2 + log(1 + f) with x = 2^k (1 + f), 1 + f in [√½, √2); log(1 + f) = f − hfsq +
// s (hfsq + R(s²)), s = f / (2 + f), R fdlibm's degree-14 even polynomial (e_log.c). Subnormal
// inputs are scaled by 2^54 first. log(0) = −inf, log(x < 0) = NaN, log(+inf) = +inf.
@inline export function log2d(x: v128): v128 {
  const subnormal = f64x2.lt(x, MIN_NORMAL);
  const scaled = v128.bitselect(f64x2.mul(x, TWO_POW_54), x, subnormal);
  let k = i64x2.sub(i64x2.shr_u(scaled, 52), EXPONENT_SHIFT_BIAS);
  k = i64x2.sub(k, v128.and(subnormal, INT_54));
  let m = v128.or(v128.and(scaled, MANTISSA_MASK), ONE_BITS); // m in [1, 2)
  const big = f64x2.gt(m, SQRT2);
  m = v128.bitselect(f64x2.mul(m, HALF), m, big);
  k = i64x2.add(k, v128.and(big, INT_ONE));
  const f = f64x2.sub(m, ONE);
  // k as float64: its low 32 bits (|k| < 1100) as i32 lanes 0 and 1, converted.
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(k, k, 0, 2, 0, 2));
  const s = f64x2.div(f, f64x2.add(TWO, f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, madd2(w, madd2(w, LG6, LG4), LG2));
  const t2 = f64x2.mul(z, madd2(w, madd2(w, madd2(w, LG7, LG5), LG3), LG1));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(f64x2.mul(HALF, f), f);
  const inner = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(dk, LN2_LO));
  let result = f64x2.sub(f64x2.mul(dk, LN2_HI), f64x2.sub(f64x2.sub(hfsq, inner), f));
  result = v128.bitselect(NEG_INF, result, f64x2.eq(x, ZERO));
  result = v128.bitselect(NAN2, result, f64x2.lt(x, ZERO));
  result = v128.bitselect(x, result, f64x2.eq(x, POS_INF));
  return v128.bitselect(x, result, f64x2.ne(x, x));
}

/** log(1 + e) for e >= 0: log(u) + (e − (u − 1)) / u with u = 1 + e rounded (the rounding's correction). */
@inline export function log1p2d(e: v128): v128 {
  const u = f64x2.add(ONE, e);
  return f64x2.add(log2d(u), f64x2.div(f64x2.sub(e, f64x2.sub(u, ONE)), u));
}
