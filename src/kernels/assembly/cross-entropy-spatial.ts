// Cross-entropy of K-dimensional logits, [N, C, d1, ..., dk] (a segmentation map), with class-index
// targets: the classes of an item are strided by the inner size, so the kernel runs SIMD across
// four neighbouring items (spatial positions) and walks the classes one vector at a time — every
// load is contiguous, no transpose. The driver (src/kernels/wasm.ts, crossEntropySpatialWasm)
// copies a block of B items into the scratch area as [C, B] (class stride B, B a multiple of 4;
// padding items carry the ignore index).
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
// x_t and w_t are gathered by comparing the class counter with the targets (no indexed load: an
// ignored target such as −100 is no address). A NaN or infinite logit, or an overflow in float32,
// makes the total non-finite, and the driver's caller then redoes the call in float64 (TypeScript).
import {
  EXP_MIN_ARG, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, LN2_HI, LN2_LO, LOG2E, ONE, ROUND_MAGIC_BIASED,
  expNonPositiveWith, log4,
} from './math';

let NEG_INF4: v128 = f32x4.splat(-Infinity);
let ZERO4: v128 = f32x4.splat(0);
let F64_ZERO2: v128 = f64x2.splat(0);
let ONE4: v128 = f32x4.splat(1);
let INT_ONE4: v128 = i32x4.splat(1);
let INT_MINUS_ONE4: v128 = i32x4.splat(-1);

/** Exps summed in float32 per block of this many classes, the blocks in float64 (the error does not grow with C). */
const BLOCK = 16;

/** The four f64 lanes of lo (items 0, 1) and hi (items 2, 3) as one f32x4. */
@inline function narrow(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** lo += the f32 lanes 0, 1 of v; hi += lanes 2, 3 (as f64). */
@inline function widenLo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline function widenHi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/**
 * log1p(y) for y >= 0 (or NaN), accurate to a few ulp: with u = 1 + y rounded, log(u) · y / (u − 1)
 * cancels the rounding of u (Goldberg, "What every computer scientist should know about
 * floating-point arithmetic", theorem 4); y itself where u rounds to 1 (log1p(y) = y there).
 */
@inline function log1p4(y: v128): v128 {
  const u = f32x4.add(ONE4, y);
  const r = f32x4.mul(log4(u), f32x4.div(y, f32x4.sub(u, ONE4)));
  return v128.bitselect(y, r, f32x4.eq(u, ONE4));
}

/**
 * Cross-entropy of B items (a multiple of 4) of C classes each, laid out [C, B] at `x`, with
 * int32 class indices at `targets` (B of them), fused with the gradient ([C, B] at `grad`, or 0).
 * `weights`: C floats or 0 (all ones; weightSum = C). `upstreamPerItem`: B floats, or 0 for the
 * shared `upstream`. `losses`: B floats, or 0. Returns Σ of the item losses (NaN where one is
 * not finite, or where a gradient entry is not finite).
 */
export function crossEntropySpatial(
  x: usize, B: i32, C: i32, targets: usize, weights: usize, weightSum: f32, ignoreIndex: i32,
  smoothing: f32, upstream: f32, upstreamPerItem: usize, grad: usize, losses: usize,
): f64 {
  // Literal flags, so that each variant's loops carry no loop-invariant branch (V8 does not unswitch).
  if (grad) {
    if (weights) {
      return smoothing != 0
        ? spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, true, true, true)
        : spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, true, false, true);
    }
    return smoothing != 0
      ? spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, false, true, true)
      : spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, false, false, true);
  }
  if (weights) {
    return smoothing != 0
      ? spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, true, true, false)
      : spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, true, false, false);
  }
  return smoothing != 0
    ? spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, false, true, false)
    : spatial(x, B, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerItem, grad, losses, false, false, false);
}

@inline function spatial(
  x: usize, B: i32, C: i32, targets: usize, weights: usize, weightSum: f32, ignoreIndex: i32,
  smoothing: f32, upstream: f32, upstreamPerItem: usize, grad: usize, losses: usize,
  weighted: bool, smooth: bool, withGrad: bool,
): f64 {
  const mn = EXP_MIN_ARG, l2e = LOG2E, mag = ROUND_MAGIC_BIASED, hi = LN2_HI, lo = LN2_LO;
  const p0 = EXP_P0, p1 = EXP_P1, p2 = EXP_P2, p3 = EXP_P3, p4 = EXP_P4, p5 = EXP_P5, one = ONE;
  const stride = <usize>B << 2;
  const uniform = smoothing / <f32>C;
  const vUniform = f32x4.splat(uniform);
  const vKeep = f32x4.splat(<f32>1 - smoothing);
  const vW = f32x4.splat(weightSum);
  const vIgnore = i32x4.splat(ignoreIndex);
  const vShared = f32x4.splat(upstream);
  // Σ_{c≠k} w_c without weights: C − 1.
  const vRestUnweighted = f32x4.splat(<f32>(C - 1));
  let totalLo = F64_ZERO2, totalHi = F64_ZERO2;
  let check = ZERO4; // g · 0 of every gradient entry: NaN where one is not finite
  for (let p = 0; p < B; p += 4) {
    const column = x + (<usize>p << 2);
    const t = v128.load(targets + (<usize>p << 2));
    const ignored = i32x4.eq(t, vIgnore);
    // Pass 1: the max (two accumulators; pmax skips NaN, which poisons the sum of pass 2).
    let m0 = NEG_INF4, m1 = NEG_INF4;
    let q = column;
    let c = 0;
    for (; c + 2 <= C; c += 2) {
      m0 = f32x4.pmax(m0, v128.load(q));
      m1 = f32x4.pmax(m1, v128.load(q + stride));
      q += stride << 1;
    }
    if (c < C) m0 = f32x4.pmax(m0, v128.load(q));
    const m = f32x4.pmax(m0, m1);
    // Pass 2: the exps (kept in the gradient), the ties, x_t and w_t, and the smoothing sums.
    let othersLo = F64_ZERO2, othersHi = F64_ZERO2, spreadLo = F64_ZERO2, spreadHi = F64_ZERO2;
    let ties = ZERO4; // −1 per tie, per lane
    let argmax = ZERO4; // the class of the last tie (the maximum, where it is unique)
    let xt = ZERO4, wt = ONE4, otherWeights = ZERO4;
    let cv = ZERO4; // the class counter, in every lane
    q = column;
    let gq = grad + (<usize>p << 2);
    c = 0;
    while (c < C) {
      const end = min(c + BLOCK, C);
      let others = ZERO4, spread = ZERO4;
      for (; c < end; c++) {
        const v = v128.load(q);
        const d = f32x4.sub(v, m);
        const e = expNonPositiveWith(d, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
        const tie = f32x4.eq(d, ZERO4);
        others = f32x4.add(others, v128.andnot(e, tie));
        ties = i32x4.add(ties, tie);
        const isTarget = i32x4.eq(cv, t);
        xt = v128.bitselect(v, xt, isTarget);
        if (withGrad) {
          argmax = v128.bitselect(cv, argmax, tie);
          v128.store(gq, e);
        }
        if (weighted) {
          const w = v128.load32_splat(weights + (<usize>c << 2));
          wt = v128.bitselect(w, wt, isTarget);
          if (smooth) {
            spread = f32x4.sub(spread, f32x4.mul(w, d));
            if (withGrad) otherWeights = f32x4.add(otherWeights, v128.andnot(w, tie));
          }
        } else if (smooth) spread = f32x4.sub(spread, d);
        cv = i32x4.add(cv, INT_ONE4);
        q += stride;
        gq += stride;
      }
      othersLo = f64x2.add(othersLo, widenLo(others));
      othersHi = f64x2.add(othersHi, widenHi(others));
      if (smooth) {
        spreadLo = f64x2.add(spreadLo, widenLo(spread));
        spreadHi = f64x2.add(spreadHi, widenHi(spread));
      }
    }
    const others = narrow(othersLo, othersHi);
    const count = f32x4.convert_i32x4_s(i32x4.neg(ties));
    const sum = f32x4.add(count, others);
    // log Σ = log1p(ties − 1 + others): ties − 1 is exact, so one dominant logit keeps others' digits.
    const logSum = log1p4(f32x4.add(f32x4.sub(count, ONE4), others));
    const keepW = f32x4.mul(vKeep, wt); // (1 − ε) w_t
    let l = f32x4.mul(keepW, f32x4.add(f32x4.sub(m, xt), logSum));
    if (smooth) l = f32x4.add(l, f32x4.mul(vUniform, f32x4.add(f32x4.mul(vW, logSum), narrow(spreadLo, spreadHi))));
    l = v128.andnot(l, ignored);
    totalLo = f64x2.add(totalLo, widenLo(l));
    totalHi = f64x2.add(totalHi, widenHi(l));
    if (losses) v128.store(losses + (<usize>p << 2), l);
    if (withGrad) {
      // Pass 3: g_c = u (e_c A / Σ − a_c); the unique maximum from its own formula.
      const u = upstreamPerItem ? v128.load(upstreamPerItem + (<usize>p << 2)) : vShared;
      const A = smooth ? f32x4.add(keepW, f32x4.mul(vUniform, vW)) : keepW;
      const scale = f32x4.div(f32x4.mul(u, A), sum);
      const uTarget = f32x4.mul(u, keepW);
      const uUniform = f32x4.mul(u, vUniform);
      const unique = i32x4.eq(ties, INT_MINUS_ONE4);
      // A − a_k = (ε / C) Σ_{c≠k} w_c + (1 − ε) w_t unless k is the target.
      let rest = v128.andnot(keepW, i32x4.eq(argmax, t));
      if (smooth) rest = f32x4.add(rest, f32x4.mul(vUniform, weighted ? otherWeights : vRestUnweighted));
      const top = f32x4.mul(u, f32x4.sub(rest, f32x4.mul(A, f32x4.div(others, sum))));
      gq = grad + (<usize>p << 2);
      cv = ZERO4;
      for (c = 0; c < C; c++) {
        let g = f32x4.mul(v128.load(gq), scale);
        if (smooth) g = f32x4.sub(g, weighted ? f32x4.mul(uUniform, v128.load32_splat(weights + (<usize>c << 2))) : uUniform);
        g = f32x4.sub(g, v128.and(uTarget, i32x4.eq(cv, t)));
        g = v128.bitselect(top, g, v128.and(i32x4.eq(cv, argmax), unique));
        g = v128.andnot(g, ignored);
        v128.store(gq, g);
        check = f32x4.add(check, f32x4.mul(g, ZERO4));
        cv = i32x4.add(cv, INT_ONE4);
        gq += stride;
      }
    }
  }
  const total = f64x2.add(totalLo, totalHi);
  return f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1) +
    <f64>(f32x4.extract_lane(check, 0) + f32x4.extract_lane(check, 1) + f32x4.extract_lane(check, 2) + f32x4.extract_lane(check, 3));
}
