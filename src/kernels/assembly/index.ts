// losskit's WebAssembly SIMD kernels (AssemblyScript, compiled by scripts/build-wasm.mjs in `npm run build`).
// Every kernel works on buffers in this module's memory, placed by the TypeScript driver
// (src/kernels/wasm.ts), which streams rows through a small scratch area so that the data stays in
// cache between the copy in, the kernel and the copy out. Loss totals are accumulated in f64; a
// row's Σ exp in f32 lanes (each term is in [0, 1]), added up in f64.
import { ONE, exp4, log4 } from './math';
import { expSumOf, expSumRow, indexOfT, rowMaxOf, tiesOf } from './class-rows';

// Loop constants in globals (see math.ts: V8 rematerialises v128.const in loops).
let ZERO4: v128 = f32x4.splat(0);
let F64_ZERO4: v128 = f64x2.splat(0);
let LANES: v128 = i32x4(0, 1, 2, 3);

/** First free byte of linear memory (16-byte aligned): the driver's scratch area starts here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** exp and log of n floats in place (for the accuracy tests of the approximations). */
export function expInPlace(p: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), exp4(v128.load(p + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), f32x4.extract_lane(exp4(f32x4.splat(load<f32>(p + (<usize>i << 2)))), 0));
}

/** exp of n floats <= 0 in place, through the cross-entropy and softmax kernels' exp-sum loop. */
export function expNonPositiveInPlace(p: usize, n: i32): void {
  expSumRow(p, n, 0, p);
}

export function logInPlace(p: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), log4(v128.load(p + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), f32x4.extract_lane(log4(f32x4.splat(load<f32>(p + (<usize>i << 2)))), 0));
}


/**
 * The lanes of Σ g · 0 over a gradient: 0, or NaN where some gradient entry is not finite. Added to
 * a kernel's total, it sends the call to the float64 TypeScript path (a float32 intermediate
 * overflowed: weights of 1e38, logits near float32's max), as a non-finite loss does.
 */
@inline function gradientCheck(check: v128): f64 {
  return <f64>(f32x4.extract_lane(check, 0) + f32x4.extract_lane(check, 1) + f32x4.extract_lane(check, 2) + f32x4.extract_lane(check, 3));
}


export * from './elementwise';
export * from './activations';
export { flushSubnormals_f32, matmulNT_f32, matmulNT_f64, transpose_f32, transpose_f64 } from './matmul';
export { crossEntropySpatial, crossEntropySpatial64 } from './cross-entropy-spatial';

// Lane helpers of either width for the lane-generic kernels below.
let LANES2: v128 = i64x2(0, 1);
let ONE2: v128 = f64x2.splat(1);
/** The float64 sums of T lanes v: items 0, 1 (lo) and, for f32, 2, 3 (hi). */
@inline function lowOf<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v);
  return v;
}
@inline function highOf<T>(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}
/** All-ones in lane j of T's lanes (j in [0, lanes)), zeros elsewhere. */
@inline function laneIs<T>(j: i32): v128 {
  if (sizeof<T>() == 4) return i32x4.eq(LANES, i32x4.splat(j));
  return i64x2.eq(LANES2, i64x2.splat(<i64>j));
}
/** The sum of T's lanes of a check vector (g · 0 terms). */
@inline function laneSum<T>(v: v128): f64 {
  if (sizeof<T>() == 4) return gradientCheck(v);
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}
@inline function fillNaNOf<T>(p: usize, C: i32): void {
  for (let c = 0; c < C; c++) store<T>(p + <usize>c * sizeof<T>(), <T>NaN);
}

/**
 * Cross-entropy of `rows` rows of C logits with class-index targets, fused with its gradient.
 * Coefficients per row: a_c = (1 − ε) w_t [c = t] + (ε / C) w_c; A = Σ a_c;
 *   loss = Σ a_c (lse − x_c) = (1 − ε) w_t ((m − x_t) + log Σ) + (ε / C) (W log Σ + Σ_c w_c (m − x_c)),
 * with m the row max and Σ = Σ exp(x − m): sums of non-negative terms, exact at any magnitude;
 * gradient = u (softmax · A − a). `weights` = 0: all ones (weightSum = C). `grad` = 0: forward
 * only. `losses` = 0: no per-row output. A row holding NaN or +inf, or only −inf, is NaN
 * (loss and gradient), as PyTorch's. Returns Σ of the row losses, plus g · 0 of every gradient
 * entry (NaN where one is not finite: a float32 intermediate overflowed, see gradientCheck).
 * Float32 here; crossEntropyRows64 is the same kernel on doubles (weights, weightSum, smoothing,
 * upstream(s), grad and losses in float64). Both are classRows below.
 */
export function crossEntropyRows(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, weightSum: f32, ignoreIndex: i32,
  smoothing: f32, upstream: f32, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  return classRows<f32>(x, rows, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerRow, grad, losses);
}

export function crossEntropyRows64(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, weightSum: f64, ignoreIndex: i32,
  smoothing: f64, upstream: f64, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  return classRows<f64>(x, rows, C, targets, weights, weightSum, ignoreIndex, smoothing, upstream, upstreamPerRow, grad, losses);
}

/**
 * Cross-entropy with probability targets (rows × C floats at `targets`), fused with its gradients:
 * a_c = w_c ((1 − ε) y_c + ε / C); loss = Σ a_c (lse − x_c) with lse − x_c = (m − x_c) + log Σ
 * (non-negative terms: no cancellation at large logits, and log Σ never rounded into m);
 * ∂/∂x_c = u (softmax_c · A − a_c); ∂/∂y_c = u (1 − ε) w_c (lse − x_c). A row holding NaN or +inf,
 * or only −inf, is NaN, as PyTorch's. Returns Σ of the row losses. Float32 here;
 * crossEntropyProbRows64 is the same kernel on doubles (every argument and array in float64).
 */
export function crossEntropyProbRows(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, smoothing: f32,
  upstream: f32, upstreamPerRow: usize, grad: usize, gradTarget: usize, losses: usize,
): f64 {
  return probRows<f32>(x, rows, C, targets, weights, smoothing, upstream, upstreamPerRow, grad, gradTarget, losses);
}

export function crossEntropyProbRows64(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, smoothing: f64,
  upstream: f64, upstreamPerRow: usize, grad: usize, gradTarget: usize, losses: usize,
): f64 {
  return probRows<f64>(x, rows, C, targets, weights, smoothing, upstream, upstreamPerRow, grad, gradTarget, losses);
}

/** crossEntropyProbRows written once over the lane type T (f32x4 or f64x2), sums in float64. */
@inline function probRows<T>(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, smoothing: T,
  upstream: T, upstreamPerRow: usize, grad: usize, gradTarget: usize, losses: usize,
): f64 {
  const size = <usize>sizeof<T>();
  const lanes = <i32>(16 / sizeof<T>());
  const zero = sizeof<T>() == 4 ? ZERO4 : F64_ZERO4;
  const ones = sizeof<T>() == 4 ? ONE : ONE2;
  let total: f64 = 0;
  const uniformScalar = smoothing / <T>C;
  const uniform = v128.splat<T>(uniformScalar);
  const keep = v128.splat<T>(<T>1 - smoothing);
  const vector = C & ~(lanes - 1);
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>C * size;
    const row = x + offset;
    const trow = targets + offset;
    const g = grad ? grad + offset : 0;
    const gt = gradTarget ? gradTarget + offset : 0;
    // Pass 1: max.
    const m = rowMaxOf<T>(row, C);
    if (m == <T>Infinity || m == <T>-Infinity) {
      total += NaN;
      if (losses) store<T>(losses + <usize>r * size, <T>NaN);
      if (g) fillNaNOf<T>(g, C);
      if (gt) fillNaNOf<T>(gt, C);
      continue;
    }
    // Pass 2: Σ exp(x − m) (the exps kept in the gradient row).
    const others = expSumOf<T>(row, C, m, g);
    const ties = <f64>tiesOf<T>();
    const sum = ties + others;
    const logSum = Math.log1p(ties - 1 + others);
    // Pass 3: loss = Σ a_c ((m − x_c) + log Σ), A = Σ a_c, and the gradients; sums in float64.
    const u: T = upstreamPerRow ? load<T>(upstreamPerRow + <usize>r * size) : upstream;
    const vm = v128.splat<T>(m);
    const vlog = v128.splat<T>(<T>logSum);
    const tscale = v128.splat<T>(u * (<T>1 - smoothing));
    // k: the unique maximum, whose a is left out of `rest` (A − a_k, see pass 4).
    const k = g && tiesOf<T>() == 1 ? indexOfT<T>(row, C, m) : -1;
    let lossLo = F64_ZERO4, lossHi = F64_ZERO4, aLo = F64_ZERO4, aHi = F64_ZERO4;
    let check = zero; // g · 0 of every gradient written (see gradientCheck)
    let c = 0;
    for (; c < vector; c += lanes) {
      const w = weights ? v128.load(weights + <usize>c * size) : ones;
      const unweighted = v128.add<T>(v128.mul<T>(keep, v128.load(trow + <usize>c * size)), uniform);
      const margin = v128.add<T>(v128.sub<T>(vm, v128.load(row + <usize>c * size)), vlog);
      const kept = (k & ~(lanes - 1)) == c ? v128.andnot(unweighted, laneIs<T>(k - c)) : unweighted;
      const l = v128.mul<T>(unweighted, margin);
      if (weights) {
        // The weight applied in float64: a float32 a_c = w_c (...) of a weight like 1e-40 is subnormal
        // and keeps few digits.
        lossLo = f64x2.add(lossLo, f64x2.mul(lowOf<T>(l), lowOf<T>(w)));
        aLo = f64x2.add(aLo, f64x2.mul(lowOf<T>(kept), lowOf<T>(w)));
        if (sizeof<T>() == 4) {
          lossHi = f64x2.add(lossHi, f64x2.mul(highOf<T>(l), highOf<T>(w)));
          aHi = f64x2.add(aHi, f64x2.mul(highOf<T>(kept), highOf<T>(w)));
        }
      } else {
        lossLo = f64x2.add(lossLo, lowOf<T>(l));
        aLo = f64x2.add(aLo, lowOf<T>(kept));
        if (sizeof<T>() == 4) {
          lossHi = f64x2.add(lossHi, highOf<T>(l));
          aHi = f64x2.add(aHi, highOf<T>(kept));
        }
      }
      if (gt) {
        // u (1 − ε) margin first, then w: u · w underflows for subnormal weights
        const v = v128.mul<T>(v128.mul<T>(tscale, margin), w);
        v128.store(gt + <usize>c * size, v);
        check = v128.add<T>(check, v128.mul<T>(v, zero));
      }
    }
    const lossBoth = f64x2.add(lossLo, lossHi);
    const aBoth = f64x2.add(aLo, aHi);
    let loss = f64x2.extract_lane(lossBoth, 0) + f64x2.extract_lane(lossBoth, 1);
    let rest = f64x2.extract_lane(aBoth, 0) + f64x2.extract_lane(aBoth, 1);
    for (; c < C; c++) {
      const w: T = weights ? load<T>(weights + <usize>c * size) : <T>1;
      const unweighted = (<T>1 - smoothing) * load<T>(trow + <usize>c * size) + uniformScalar;
      const margin = (m - load<T>(row + <usize>c * size)) + <T>logSum;
      loss += <f64>(unweighted * margin) * <f64>w;
      if (c != k) rest += <f64>unweighted * <f64>w;
      if (gt) {
        const v = u * (<T>1 - smoothing) * margin * w;
        store<T>(gt + <usize>c * size, v);
        total += <f64>(v * 0);
      }
    }
    let ak: f64 = 0;
    if (k >= 0) {
      const w: T = weights ? load<T>(weights + <usize>k * size) : <T>1;
      ak = <f64>((<T>1 - smoothing) * load<T>(trow + <usize>k * size) + uniformScalar) * <f64>w;
    }
    const A = rest + ak;
    total += loss;
    if (losses) store<T>(losses + <usize>r * size, <T>loss);
    if (g) {
      // Pass 4: g_c = u (e_c A / Σ − a_c).
      const scalar = <T>(<f64>u * A / sum);
      const scale = v128.splat<T>(scalar);
      const vu = v128.splat<T>(u);
      c = 0;
      for (; c < vector; c += lanes) {
        const w = weights ? v128.load(weights + <usize>c * size) : ones;
        const a = v128.mul<T>(v128.add<T>(v128.mul<T>(keep, v128.load(trow + <usize>c * size)), uniform), w);
        const v = v128.sub<T>(v128.mul<T>(v128.load(g + <usize>c * size), scale), v128.mul<T>(vu, a));
        v128.store(g + <usize>c * size, v);
        check = v128.add<T>(check, v128.mul<T>(v, zero));
      }
      for (; c < C; c++) {
        const w: T = weights ? load<T>(weights + <usize>c * size) : <T>1;
        const a = ((<T>1 - smoothing) * load<T>(trow + <usize>c * size) + uniformScalar) * w;
        const v = load<T>(g + <usize>c * size) * scalar - u * a;
        store<T>(g + <usize>c * size, v);
        total += <f64>(v * 0);
      }
      if (k >= 0) {
        // The unique maximum in float64: p A − a cancels there on a confident row (p ≈ 1 and,
        // for a near one-hot target, a ≈ A); written (A − a) − A (1 − p) with 1 − p = others / Σ
        // and A − a = `rest`, the other classes' a summed apart (A − a_k itself would cancel).
        const top = <T>(<f64>u * (rest - A * (others / sum)));
        store<T>(g + <usize>k * size, top);
        total += <f64>(top * 0);
      }
    }
    total += laneSum<T>(check);
  }
  return total;
}
/** crossEntropyRows written once over the lane type T (f32x4 or f64x2); the loss and the target's and maximum's gradients in float64. */
@inline function classRows<T>(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, weightSum: T, ignoreIndex: i32,
  smoothing: T, upstream: T, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  const size = <usize>sizeof<T>();
  const lanes = <i32>(16 / sizeof<T>());
  const zero = sizeof<T>() == 4 ? ZERO4 : F64_ZERO4;
  const ones = sizeof<T>() == 4 ? ONE : ONE2;
  let total: f64 = 0;
  const uniform = smoothing / <T>C;
  const vector = C & ~(lanes - 1);
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>C * size;
    const row = x + offset;
    const g = grad ? grad + offset : 0;
    const t = load<i32>(targets + (<usize>r << 2));
    if (t == ignoreIndex) {
      if (losses) store<T>(losses + <usize>r * size, <T>0);
      if (g) memory.fill(g, 0, <usize>C * size);
      continue;
    }
    // Pass 1: max (NaN elements are skipped here and poison the sum of pass 2).
    const m = rowMaxOf<T>(row, C);
    if (m == <T>Infinity || m == <T>-Infinity) {
      total += NaN;
      if (losses) store<T>(losses + <usize>r * size, <T>NaN);
      if (g) fillNaNOf<T>(g, C);
      continue;
    }
    // Pass 2: e_c = exp(x_c − m), kept in the gradient row when there is one.
    const others = expSumOf<T>(row, C, m, g);
    const ties = <f64>tiesOf<T>();
    const sum = ties + others;
    const logSum = Math.log1p(ties - 1 + others);
    const xt = <f64>load<T>(row + <usize>t * size);
    const wt = weights ? <f64>load<T>(weights + <usize>t * size) : 1.0;
    let loss = (1.0 - <f64>smoothing) * wt * ((<f64>m - xt) + logSum);
    if (smoothing != 0) {
      // Σ_c w_c (m − x_c): non-negative terms, in float64 (m − x_c overflows float32 for logits
      // of both signs near float32's max, and so could w_c (m − x_c)).
      const vm = f64x2.splat(<f64>m);
      let lo = F64_ZERO4, hi = F64_ZERO4;
      let c = 0;
      for (; c < vector; c += lanes) {
        const v = v128.load(row + <usize>c * size);
        let dLo = f64x2.sub(vm, lowOf<T>(v));
        let dHi = sizeof<T>() == 4 ? f64x2.sub(vm, highOf<T>(v)) : F64_ZERO4;
        if (weights) {
          const wv = v128.load(weights + <usize>c * size);
          dLo = f64x2.mul(dLo, lowOf<T>(wv));
          if (sizeof<T>() == 4) dHi = f64x2.mul(dHi, highOf<T>(wv));
        }
        lo = f64x2.add(lo, dLo);
        if (sizeof<T>() == 4) hi = f64x2.add(hi, dHi);
      }
      const both = f64x2.add(lo, hi);
      let spread = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
      for (; c < C; c++) {
        const d = <f64>m - <f64>load<T>(row + <usize>c * size);
        spread += weights ? d * <f64>load<T>(weights + <usize>c * size) : d;
      }
      loss += <f64>uniform * (<f64>weightSum * logSum + spread);
    }
    total += loss;
    if (losses) store<T>(losses + <usize>r * size, <T>loss);
    if (g) {
      // Pass 3: g_c = u (e_c / Σ · A − a_c).
      const u: T = upstreamPerRow ? load<T>(upstreamPerRow + <usize>r * size) : upstream;
      const A = (1.0 - <f64>smoothing) * wt + <f64>uniform * <f64>weightSum;
      const gt = g + <usize>t * size;
      const et = <f64>load<T>(gt); // e_t, before the loop below scales it
      const scalar = <T>(<f64>u * A / sum);
      const scale = v128.splat<T>(scalar);
      const vu = v128.splat<T>(u * uniform);
      let c = 0;
      // check: g · 0 summed, NaN where a gradient is not finite (see gradientCheck).
      let check = zero;
      if (smoothing == 0) {
        for (; c < vector; c += lanes) {
          const v = v128.mul<T>(v128.load(g + <usize>c * size), scale);
          v128.store(g + <usize>c * size, v);
          check = v128.add<T>(check, v128.mul<T>(v, zero));
        }
      } else {
        for (; c < vector; c += lanes) {
          const v = v128.sub<T>(v128.mul<T>(v128.load(g + <usize>c * size), scale), v128.mul<T>(vu, weights ? v128.load(weights + <usize>c * size) : ones));
          v128.store(g + <usize>c * size, v);
          check = v128.add<T>(check, v128.mul<T>(v, zero));
        }
      }
      for (; c < C; c++) {
        let v = load<T>(g + <usize>c * size) * scalar;
        if (smoothing != 0) v -= u * uniform * (weights ? load<T>(weights + <usize>c * size) : <T>1);
        store<T>(g + <usize>c * size, v);
        total += <f64>(v * <T>0);
      }
      total += laneSum<T>(check);
      // The target, in float64: p_t A − a_t (a_t holds the (1 − ε) w_t the loop above left out).
      const at = (1.0 - <f64>smoothing) * wt + <f64>uniform * wt;
      const target = <T>(<f64>u * ((et / sum) * A - at));
      store<T>(gt, target);
      total += <f64>(target * <T>0);
      if (tiesOf<T>() == 1) {
        // The unique maximum k, in float64: p_k A − a_k cancels on a confident row (p_k ≈ 1) when
        // a_k ≈ A (k the target, or label smoothing with the other weights small). Written
        // (A − a_k) − A (1 − p_k) with 1 − p_k = others / Σ and A − a_k = Σ_{c≠k} a_c, from small terms.
        const k = xt == <f64>m ? t : indexOfT<T>(row, C, m);
        let otherWeights = <f64>(C - 1); // Σ_{c≠k} w_c, summed apart when there are weights (W − w_k cancels)
        if (weights && smoothing != 0) {
          otherWeights = 0;
          for (let j = 0; j < C; j++) if (j != k) otherWeights += <f64>load<T>(weights + <usize>j * size);
        }
        const rest = <f64>uniform * otherWeights + (k == t ? 0 : (1.0 - <f64>smoothing) * wt);
        const top = <T>(<f64>u * (rest - A * (others / sum)));
        store<T>(g + <usize>k * size, top);
        total += <f64>(top * <T>0);
      }
    }
  }
  return total;
}

export { multiMarginRows, multiMarginRows64, multilabelMarginRows, multilabelMarginRows64 } from './margin';
export { rowSums_f32, rowSums_f64, rowDiffs_f32, rowDiffs_f64, rowLinear_f32, rowLinear_f64 } from './rows';
export { atanInPlace64, boxIou_f32, boxIou_f64 } from './box-iou';
export { log1pInPlace64 } from './math64';
