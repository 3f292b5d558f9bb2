// Cross-entropy of K-dimensional logits, [N, C, d1, ..., dk] (a segmentation map), with class-index
// targets: the classes of an item are strided by the inner size, so the kernel runs SIMD across
// neighbouring items (spatial positions: four per f32x4, two per f64x2) and walks the classes one
// vector at a time — every load is contiguous, no transpose. The driver (src/kernels/wasm.ts,
// crossEntropySpatialWasm) copies a block of B items into the scratch area as [C, B] (class stride
// B, B a multiple of 4; padding items carry the ignore index).
//
// Written once over the lane type T (as elementwise.ts): f32 (crossEntropySpatial, float32 lanes
// with the exps summed in float32 per block of classes, the blocks in float64) and f64
// (crossEntropySpatial64, every operation in float64, the exps by cross-entropy64.ts's
// exp2d). `sizeof<T>()` is a compile-time constant: each helper below resolves to one
// width's instructions when the kernel is compiled.
//
// Two copies of one formula: this kernel and the TypeScript reference (src/losses/cross-entropy.ts)
// compute the same coefficients, loss and gradient (see the row kernel crossEntropyRows in index.ts
// for the derivations); test/support/differential-targets.ts pins them together on K-dimensional
// inputs ('crossEntropy K-dim'), special values and ignored items included.
//
// Per item (lane): m = max_c x_c; Σ = ties + others with others = Σ_{x_c < m} exp(x_c − m);
//   log Σ = log1p(ties − 1 + others) (log1p4 below);
//   loss = (1 − ε) w_t ((m − x_t) + log Σ) + (ε / C) (W log Σ + Σ_c w_c (m − x_c));
//   A = (1 − ε) w_t + (ε / C) W;  g_c = u (e_c A / Σ − a_c),  a_c = (ε / C) w_c + [c = t] (1 − ε) w_t;
//   the unique maximum k: g_k = u ((A − a_k) − A · others / Σ), A − a_k summed from the other classes.
// x_t and w_t are read by one indexed load per item where its target is a class (gatherTargets;
// an ignored target such as −100 is no address, and its lane is masked out). A NaN or infinite
// logit, or an overflow in float32, makes the total non-finite, and the driver's caller then
// redoes the call in float64 (TypeScript).
import {
  EXP_MIN_ARG, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, LN2_HI, LN2_LO, LOG2E, ONE, ROUND_MAGIC_BIASED,
  log4,
} from './math';
import { log1p2d } from './math64';
import { c as pick } from './elementwise'; // (c is the class counter here)
import { expNonPositiveLocal } from './class-rows';

// Loop constants in globals, one per width; pick<T>(a32, a64) (elementwise.ts's c) picks T's at compile time.
let NEG_INF4: v128 = f32x4.splat(-Infinity);
let NEG_INF2: v128 = f64x2.splat(-Infinity);
let ZERO4: v128 = f32x4.splat(0);
let F64_ZERO2: v128 = f64x2.splat(0);
let ONE4: v128 = f32x4.splat(1);
let ONE2: v128 = f64x2.splat(1);
let INT_ONE4: v128 = i32x4.splat(1);
let INT_ONE2: v128 = i64x2.splat(1);
let INT_MINUS_ONE4: v128 = i32x4.splat(-1);
let INT_MINUS_ONE2: v128 = i64x2.splat(-1);

/** Exps summed in float32 per block of this many classes, the blocks in float64 (the error does not grow with C). */
const BLOCK = 16;

/** The lanes of lo and hi (float64 sums) as T lanes: f32, the four items 0, 1 | 2, 3; f64, lo itself. */
@inline function narrow<T>(lo: v128, hi: v128): v128 {
  if (sizeof<T>() == 8) return lo;
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The float64 sums of T lanes v: lo gets items 0, 1 and (f32) hi items 2, 3. */
@inline function widenLo<T>(v: v128): v128 {
  if (sizeof<T>() == 8) return v;
  return f64x2.promote_low_f32x4(v);
}
@inline function widenHi<T>(v: v128): v128 {
  if (sizeof<T>() == 8) return F64_ZERO2;
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** The integer lanes of T's width (the class counter, the targets, the tie counts). */
@inline function ieq<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) return i32x4.eq(a, b);
  return i64x2.eq(a, b);
}
@inline function iadd<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) return i32x4.add(a, b);
  return i64x2.add(a, b);
}
@inline function isplat<T>(v: i32): v128 {
  if (sizeof<T>() == 4) return i32x4.splat(v);
  return i64x2.splat(<i64>v);
}
/** The int32 class indices of the lanes' items at p, widened to T's integer lanes. */
@inline function loadTargets<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return v128.load(p);
  return i64x2.extend_low_i32x4_s(v128.load64_zero(p));
}
/** −(tie counts) (integer lanes, −1 per tie) as T lanes. */
@inline function tieCount<T>(ties: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.convert_i32x4_s(i32x4.neg(ties));
  const counts = i64x2.neg(ties); // small: the low 32-bit halves (lanes 0 and 2) hold them
  return f64x2.convert_low_i32x4_s(v128.shuffle<i32>(counts, counts, 0, 2, 0, 2));
}
/**
 * log1p(y) for y >= 0 (or NaN), accurate to a few ulp: with u = 1 + y rounded, log(u) · y / (u − 1)
 * cancels the rounding of u (Goldberg, "What every computer scientist should know about
 * floating-point arithmetic", theorem 4); y itself where u rounds to 1 (log1p(y) = y there).
 */
@inline function log1p4<T>(y: v128): v128 {
  if (sizeof<T>() == 8) return log1p2d(y);
  const u = f32x4.add(ONE4, y);
  const r = f32x4.mul(log4(u), f32x4.div(y, f32x4.sub(u, ONE4)));
  return v128.bitselect(y, r, f32x4.eq(u, ONE4));
}

/**
 * Lane j of `v` replaced by the T at `base + t_j · stride + j · laneStep` where t_j, the int32 at
 * `targets + 4j`, is a class (in [0, C)); kept where it is not (an ignored item's or the padding's
 * index, such as −100: no address). x_t (stride B, laneStep one T) and w_t (stride one T, laneStep
 * 0) by one indexed load per item, instead of a compare and two selects per class:
 * [4, 21, 128, 128] forward 2.35–2.52 → 1.99–2.07 ms in float32, 4.37–4.85 → 3.79–4.07 in
 * float64, with the gradient 7–10% faster (library calls, Node 24, medians of 60, three
 * interleaved runs).
 */
@inline function gatherTargets<T>(v: v128, base: usize, stride: usize, laneStep: usize, targets: usize, C: i32): v128 {
  const t0 = load<i32>(targets), t1 = load<i32>(targets, 4);
  if (<u32>t0 < <u32>C) v = v128.replace_lane<T>(v, 0, load<T>(base + <usize>t0 * stride));
  if (<u32>t1 < <u32>C) v = v128.replace_lane<T>(v, 1, load<T>(base + <usize>t1 * stride + laneStep));
  if (sizeof<T>() == 4) {
    const t2 = load<i32>(targets, 8), t3 = load<i32>(targets, 12);
    if (<u32>t2 < <u32>C) v = v128.replace_lane<T>(v, 2, load<T>(base + <usize>t2 * stride + 2 * laneStep));
    if (<u32>t3 < <u32>C) v = v128.replace_lane<T>(v, 3, load<T>(base + <usize>t3 * stride + 3 * laneStep));
  }
  return v;
}

/**
 * Cross-entropy of B items (a multiple of 4) of C classes each, laid out [C, B] at `x` (float32),
 * with int32 class indices at `targets` (B of them), fused with the gradient ([C, B] at `grad`, or
 * 0). `weights`: C floats (ones for none), weightSum their sum. `upstreamPerItem`: B floats, or 0
 * for the shared `upstream`. `losses`: B floats, or 0. Returns Σ of the item losses (NaN where one
 * is not finite, or where a gradient entry is not finite).
 */
export function crossEntropySpatial(
  x: usize, B: i32, C: i32, targets: usize, weights: usize, weightSum: f32, ignoreIndex: i32,
  smoothing: f32, upstream: f32, upstreamPerItem: usize, grad: usize, losses: usize,
): f64 {
  return variants<f32>(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses);
}

/** crossEntropySpatial in float64: logits, weights, upstreams, gradient and losses are doubles. */
export function crossEntropySpatial64(
  x: usize, B: i32, C: i32, targets: usize, weights: usize, weightSum: f64, ignoreIndex: i32,
  smoothing: f64, upstream: f64, upstreamPerItem: usize, grad: usize, losses: usize,
): f64 {
  return variants<f64>(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses);
}

@inline function variants<T>(
  x: usize, B: i32, C: i32, targets: usize, weights: usize, weightSum: T, ignoreIndex: i32,
  smoothing: T, upstream: T, upstreamPerItem: usize, grad: usize, losses: usize,
): f64 {
  // Literal flags, so that each variant's loops carry no loop-invariant branch (V8 does not
  // unswitch). Weights are always given (the driver passes ones): a variant without them saved
  // ~7% and cost 6 KB of code.
  if (grad) {
    return smoothing != 0
      ? spatial<T>(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, true, true)
      : spatial<T>(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, false, true);
  }
  return smoothing != 0
    ? spatial<T>(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, true, false)
    : spatial<T>(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, false, false);
}

@inline function spatial<T>(
  x: usize, B: i32, C: i32, targets: usize, weights: usize, weightSum: T, ignoreIndex: i32,
  smoothing: T, upstream: T, upstreamPerItem: usize, grad: usize, losses: usize,
  smooth: bool, withGrad: bool,
): f64 {
  const mn = EXP_MIN_ARG, l2e = LOG2E, mag = ROUND_MAGIC_BIASED, hi = LN2_HI, lo = LN2_LO;
  const p0 = EXP_P0, p1 = EXP_P1, p2 = EXP_P2, p3 = EXP_P3, p4 = EXP_P4, p5 = EXP_P5, one = ONE;
  const size = <usize>sizeof<T>();
  const lanes = <i32>(16 / sizeof<T>());
  const stride = <usize>B * size;
  const zero = pick<T>(ZERO4, F64_ZERO2);
  const ones = pick<T>(ONE4, ONE2);
  const uniform = smoothing / <T>C;
  const vUniform = v128.splat<T>(uniform);
  const vKeep = v128.splat<T>(<T>1 - smoothing);
  const vW = v128.splat<T>(weightSum);
  const vIgnore = isplat<T>(ignoreIndex);
  const vShared = v128.splat<T>(upstream);
  const intOne = pick<T>(INT_ONE4, INT_ONE2);
  let totalLo = F64_ZERO2, totalHi = F64_ZERO2;
  let check = zero; // g · 0 of every gradient entry: NaN where one is not finite
  for (let p = 0; p < B; p += lanes) {
    const column = x + <usize>p * size;
    const t = loadTargets<T>(targets + (<usize>p << 2));
    const ignored = ieq<T>(t, vIgnore);
    // Pass 1: the max (two accumulators; pmax skips NaN, which poisons the sum of pass 2).
    let m0 = pick<T>(NEG_INF4, NEG_INF2), m1 = m0;
    let q = column;
    let c = 0;
    for (; c + 2 <= C; c += 2) {
      m0 = v128.pmax<T>(m0, v128.load(q));
      m1 = v128.pmax<T>(m1, v128.load(q + stride));
      q += stride << 1;
    }
    if (c < C) m0 = v128.pmax<T>(m0, v128.load(q));
    const m = v128.pmax<T>(m0, m1);
    // Pass 2: the exps (kept in the gradient), the ties, x_t and w_t, and the smoothing sums.
    let othersLo = F64_ZERO2, othersHi = F64_ZERO2, spreadLo = F64_ZERO2, spreadHi = F64_ZERO2;
    let ties = zero; // −1 per tie, per lane (integer lanes)
    let argmax = zero; // the class of the last tie (the maximum, where it is unique)
    const tp = targets + (<usize>p << 2);
    const xt = gatherTargets<T>(zero, column, stride, size, tp, C);
    const wt = gatherTargets<T>(ones, weights, size, 0, tp, C);
    let otherWeights = zero;
    let cv = zero; // the class counter, in every lane (integer lanes)
    q = column;
    let gq = grad + <usize>p * size;
    c = 0;
    while (c < C) {
      // f32: a block of classes summed in float32 lanes, then in float64; f64: one block.
      const end = sizeof<T>() == 4 ? min(c + BLOCK, C) : C;
      let others = zero, spread = zero;
      for (; c < end; c++) {
        const v = v128.load(q);
        const d = v128.sub<T>(v, m);
        const e = expNonPositiveLocal<T>(d, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
        const tie = v128.eq<T>(d, zero);
        others = v128.add<T>(others, v128.andnot(e, tie));
        ties = iadd<T>(ties, tie);
        if (withGrad) {
          argmax = v128.bitselect(cv, argmax, tie);
          v128.store(gq, e);
          cv = iadd<T>(cv, intOne);
        }
        if (smooth) {
          const w = v128.load_splat<T>(weights + <usize>c * size);
          spread = v128.sub<T>(spread, v128.mul<T>(w, d));
          if (withGrad) otherWeights = v128.add<T>(otherWeights, v128.andnot(w, tie));
        }
        q += stride;
        gq += stride;
      }
      othersLo = f64x2.add(othersLo, widenLo<T>(others));
      othersHi = f64x2.add(othersHi, widenHi<T>(others));
      if (smooth) {
        spreadLo = f64x2.add(spreadLo, widenLo<T>(spread));
        spreadHi = f64x2.add(spreadHi, widenHi<T>(spread));
      }
    }
    const others = narrow<T>(othersLo, othersHi);
    const count = tieCount<T>(ties);
    const sum = v128.add<T>(count, others);
    // log Σ = log1p(ties − 1 + others): ties − 1 is exact, so one dominant logit keeps others' digits.
    const logSum = log1p4<T>(v128.add<T>(v128.sub<T>(count, ones), others));
    const keepW = v128.mul<T>(vKeep, wt); // (1 − ε) w_t
    let l = v128.mul<T>(keepW, v128.add<T>(v128.sub<T>(m, xt), logSum));
    if (smooth) l = v128.add<T>(l, v128.mul<T>(vUniform, v128.add<T>(v128.mul<T>(vW, logSum), narrow<T>(spreadLo, spreadHi))));
    l = v128.andnot(l, ignored);
    totalLo = f64x2.add(totalLo, widenLo<T>(l));
    totalHi = f64x2.add(totalHi, widenHi<T>(l));
    if (losses) v128.store(losses + <usize>p * size, l);
    if (withGrad) {
      // Pass 3: g_c = u (e_c A / Σ − a_c); the unique maximum from its own formula.
      const u = upstreamPerItem ? v128.load(upstreamPerItem + <usize>p * size) : vShared;
      const A = smooth ? v128.add<T>(keepW, v128.mul<T>(vUniform, vW)) : keepW;
      const scale = v128.div<T>(v128.mul<T>(u, A), sum);
      const uTarget = v128.mul<T>(u, keepW);
      const uUniform = v128.mul<T>(u, vUniform);
      const unique = ieq<T>(ties, pick<T>(INT_MINUS_ONE4, INT_MINUS_ONE2));
      // A − a_k = (ε / C) Σ_{c≠k} w_c + (1 − ε) w_t unless k is the target.
      let rest = v128.andnot(keepW, ieq<T>(argmax, t));
      if (smooth) rest = v128.add<T>(rest, v128.mul<T>(vUniform, otherWeights));
      const top = v128.mul<T>(u, v128.sub<T>(rest, v128.mul<T>(A, v128.div<T>(others, sum))));
      gq = grad + <usize>p * size;
      cv = zero;
      for (c = 0; c < C; c++) {
        let g = v128.mul<T>(v128.load(gq), scale);
        if (smooth) g = v128.sub<T>(g, v128.mul<T>(uUniform, v128.load_splat<T>(weights + <usize>c * size)));
        g = v128.sub<T>(g, v128.and(uTarget, ieq<T>(cv, t)));
        g = v128.bitselect(top, g, v128.and(ieq<T>(cv, argmax), unique));
        g = v128.andnot(g, ignored);
        v128.store(gq, g);
        check = v128.add<T>(check, v128.mul<T>(g, zero));
        cv = iadd<T>(cv, intOne);
        gq += stride;
      }
    }
  }
  const total = f64x2.add(f64x2.add(totalLo, totalHi), widenLo<T>(check));
  return f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1) + f64x2.extract_lane(widenHi<T>(check), 0) + f64x2.extract_lane(widenHi<T>(check), 1);
}
