import { KERAS_EPSILON, normalizeAxis, ONE_AXIS } from '../core/keras.js';
import { gradBuffer, gradOf } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { booleanOption, numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, broadcastMap } from '../core/shape.js';
import { laneSoftmax } from '../core/stable.js';
import { asTensor, type TensorLike, type TypedArray } from '../core/tensor.js';
import { SoftmaxBlocks } from '../kernels/softmax-blocks.js';

/** Options of {@link categoricalFocalCrossEntropy}. */
export interface CategoricalFocalCrossEntropyOptions {
  /** Class weight: a number, or a tensor broadcast to the input's shape (e.g. `[C]`, one per class); default 0.25. */
  alpha?: number | TensorLike;
  /** Focusing parameter, the power of `1 − p`; default 2. */
  gamma?: number;
  /** `input` holds logits (a softmax along `axis` is taken first); default false: probabilities. */
  fromLogits?: boolean;
  /** In [0, 1]: targets become `y (1 − s) + s / K`, K the size of the LAST dimension (as Keras); default 0. */
  labelSmoothing?: number;
  /** The class axis; default −1. */
  axis?: number;
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Softmax focal cross-entropy, as `keras.losses.CategoricalFocalCrossentropy` (Keras 3.15; Lin et
 * al., 2018).
 *
 * Along `axis`, with y the (one-hot or soft) target: `q = softmax(x)` (with `fromLogits`) or
 * `q = x`; `o = clip(q / Σ q, 1e-7, 1 − 1e-7)`; `loss = Σ_k alpha_k (1 − o_k)^gamma (−y_k log o_k)`.
 * `gamma = 0, alpha = 1` is the categorical cross-entropy of Keras (clip included).
 *
 * Gradient (as Keras's JAX backend differentiates it): with
 * `f_k = alpha_k (1 − o_k)^gamma (−y_k log o_k)`,
 * `∂f_k/∂o_k = alpha_k y_k (gamma (1 − o_k)^(gamma − 1) log o_k − (1 − o_k)^gamma / o_k)`, zero
 * where the clip is active (half at its bounds exactly, as JAX's maximum/minimum); through
 * `o = q / s`: `∂/∂q_k = (∂/∂o_k − Σ_c o_c ∂/∂o_c) / s`; through the softmax:
 * `∂/∂x_k = q_k (∂/∂q_k − Σ_c q_c ∂/∂q_c)`. Target: `∂/∂y_k = alpha_k (1 − o_k)^gamma (−log o_k)`,
 * times `1 − labelSmoothing`.
 *
 * Shapes: `input` and `target` `[*]` with at least one dimension, the same; `alpha` a number or
 * broadcastable to the input; result `[]`, or for `'none'` the input's shape without `axis`.
 *
 * @example
 * ```ts
 * const target = [[0, 1, 0], [0, 0, 1]];
 * console.log(categoricalFocalCrossEntropy([[0.05, 0.95, 0], [0.1, 0.8, 0.1]], target, { reduction: 'none' }).toString());
 * console.log(categoricalFocalCrossEntropy([[2, 5, -1], [0, 3, 1]], target, { fromLogits: true, alpha: [1, 1, 2], gamma: 1 }).toString());
 * // tensor([3.2058e-05, 4.6627e-01])
 * // tensor(1.9233)
 * ```
 * Differs from Keras: the prediction comes first (Keras takes `y_true, y_pred`); shapes must
 * match. Follows Keras where it is surprising: the clip to [1e-7, 1 − 1e-7] also applies to
 * softmax outputs (the loss of a row of confident wrong logits saturates at `alpha · 16.1`, with
 * zero gradient), and label smoothing divides by the size of the last dimension whatever `axis` is.
 * For float32 inputs the clip bounds are Keras's float32 ones (1 − 1e-7 rounds to 1 − 2^-23).
 */
export const categoricalFocalCrossEntropy = defineLoss(
  {
    name: 'categoricalFocalCrossEntropy',
    reference: 'keras.losses.CategoricalFocalCrossentropy',
    args: [{ name: 'input', shape: '[*] (classes along axis)', differentiable: true }, { name: 'target', shape: 'like input (one-hot or probabilities)', differentiable: true }],
    options: {
      // A number here, as sigmoidFocalLoss's alpha (one command-line flag): the API takes a tensor too.
      alpha: { type: 'number', default: 0.25, doc: 'class weight (the API also takes a tensor broadcast to input, e.g. one per class)' },
      gamma: { type: 'number', default: 2, doc: 'focusing parameter, the power of 1 − p' },
      fromLogits: { type: 'boolean', default: false, doc: 'input holds logits (a softmax along axis is taken first)' },
      labelSmoothing: { type: 'number', default: 0, range: { min: 0, max: 1 }, doc: 'targets become y (1 − s) + s / K, K the size of the last dimension' },
      axis: ONE_AXIS,
    },
    // fromLogits along the last axis: the softmax, in float64 (the loss itself is TypeScript).
    kernels: ['softmaxRows_f64'],
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<CategoricalFocalCrossEntropyOptions>) => {
    const fn = 'categoricalFocalCrossEntropy';
    const [x, y] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const gamma = numberOption(fn, 'gamma', options.gamma, 2);
    const fromLogits = booleanOption(fn, 'fromLogits', options.fromLogits, false);
    const smoothing = numberOption(fn, 'labelSmoothing', options.labelSmoothing, 0);
    if (!(smoothing >= 0 && smoothing <= 1)) throw new Error(`${fn}: labelSmoothing must be in [0, 1], got ${smoothing}`);
    const axis = normalizeAxis(fn, options.axis ?? -1, x.shape.length);
    assertSameShape(fn, 'target', y, 'input', x);
    const dtype = resultDtype([x]);
    const alphaTensor = typeof options.alpha === 'number' || options.alpha === undefined ? null : asTensor(fn, 'alpha', options.alpha, dtype === 'float64' ? 'float64' : 'float32');
    const alphaScalar = alphaTensor ? 0 : numberOption(fn, 'alpha', options.alpha, 0.25);
    const alphaMap = alphaTensor ? broadcastMap(fn, 'alpha', alphaTensor.shape, x.shape) : null;
    const alphaData = alphaTensor?.data;
    // Keras's clip bounds, in the input's precision (ops.clip casts them to the tensor's dtype).
    const round = dtype === 'float64' ? (v: number) => v : Math.fround;
    const [lo, hi] = [round(KERAS_EPSILON), round(1 - KERAS_EPSILON)];
    const K = x.shape[x.shape.length - 1];
    const reducer = new Reducer(fn, reduction, x.shape.filter((_, d) => d !== axis), dtype);
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const losses = new Float64Array(reducer.itemShape.reduce((a, d) => a * d, 1));
    const [X, Y] = [x.data, y.data];
    // In the result's dtype, every entry written.
    const [gx, gy] = [0, 1].map((k) => (call.wantGrads[k] ? gradBuffer(call, k, call.tensors[k], false) : null));
    // fromLogits along the last axis: the softmax on the float64 kernels, a block of rows at a time
    // (kernels/softmax-blocks.ts); elsewhere, or for a block holding NaN or ±inf, laneSoftmax.
    const softmax = fromLogits && axis === x.shape.length - 1 ? SoftmaxBlocks.create(X, x.shape[axis], false) : null;
    focalLanes({
      X, Y, shape: x.shape, axis, fromLogits, softmax, smoothing, K, alphaData, alphaMap, alphaScalar, lo, hi, gamma,
      upstream: wantGrad ? reducer.upstreams() : null, losses, gx, gy,
    });
    return { loss: reducer.reduce(losses), grads: wantGrad ? [gradOf(gx, x), gradOf(gy, y)] : [] };
  },
);

/** What {@link focalLanes} reads and writes: one call's operands, options and outputs. */
interface FocalLanes {
  X: TypedArray;
  Y: ArrayLike<number>;
  shape: readonly number[];
  axis: number;
  fromLogits: boolean;
  /** fromLogits along the last axis: the softmax of the rows on the float64 kernels, or null. */
  softmax: SoftmaxBlocks | null;
  smoothing: number;
  /** The size of the last dimension (label smoothing's K). */
  K: number;
  alphaData: ArrayLike<number> | undefined;
  alphaMap: Int32Array | null;
  alphaScalar: number;
  lo: number;
  hi: number;
  gamma: number;
  /** The upstream gradient of each lane (or one for all), null for the forward pass. */
  upstream: number | ArrayLike<number> | null;
  losses: Float64Array;
  gx: Float32Array | Float64Array | null;
  gy: Float32Array | Float64Array | null;
}

/**
 * The loss of every lane along `axis`, and the gradients asked for. A function of its own, its
 * operands in locals: the same loops inside the loss's closure, reading every operand from the
 * closure's context at each element, took [4096, 1000] float32 probabilities' forward 80 ms
 * against 35 here (single calls, Node 24).
 */
function focalLanes(p: FocalLanes): void {
  const { X, Y, fromLogits, softmax, smoothing, K, alphaData, alphaMap, alphaScalar, lo, hi, gamma, upstream, losses, gx, gy } = p;
  const wantGrad = upstream !== null;
  const perLane = typeof upstream === 'number' || upstream === null ? null : upstream;
  const shared = typeof upstream === 'number' ? upstream : 0;
  // (1 − o)^gamma by one multiplication at Keras's default gamma = 2 (a call to pow costs more
  // than the rest of an element's work); its derivative's power is then 1 − o itself.
  const square = gamma === 2;
  // A class of target 0 (all but one of a one-hot row) adds a term alpha (1 − o)^gamma · 0 · log o
  // and a gradient alpha y (...) = 0 to o: ±0 with the sign of −u·alpha·y, whatever o is, where
  // every factor is finite (gamma >= 0 makes the bracket negative). Those classes take no log and
  // no pow, the bulk of an element's work; an infinite or NaN factor (a NaN o included) keeps its
  // NaN through the full form, and so does a target gradient (it needs log o at every class).
  const skipZeros = gamma >= 0 && !gy;
  const alphaFinite = !alphaData && Number.isFinite(alphaScalar);
  const length = p.shape[p.axis];
  let stride = 1;
  for (let d = p.axis + 1; d < p.shape.length; d++) stride *= p.shape[d];
  const lanes = losses.length;
  const q = new Float64Array(length);
  const g = new Float64Array(length);
  const probabilities = softmax === null ? null : softmax.probabilities;
  for (let lane = 0; lane < lanes; lane++) {
    // lane = o · stride + r: the lane starts at o · length · stride + r
    const offset = (lane - (lane % stride)) * length + (lane % stride);
    const at = softmax === null ? -1 : softmax.row(lane);
    let s = 0;
    if (at >= 0) for (let k = 0; k < length; k++) q[k] = probabilities![at + k];
    else if (fromLogits) {
      const soft = laneSoftmax(X, offset, stride, length, q);
      const total = soft.ties + soft.others;
      for (let k = 0; k < length; k++) q[k] /= total;
    } else for (let k = 0, i = offset; k < length; k++, i += stride) q[k] = X[i];
    for (let k = 0; k < length; k++) s += q[k];
    let loss = 0;
    const u = perLane !== null ? perLane[lane] : shared;
    // With s finite and not 0 no o is NaN (a NaN or infinite q makes s so).
    const skipLane = skipZeros && Number.isFinite(u) && Number.isFinite(s) && s !== 0;
    let weighted = 0; // Σ_c o_c ∂/∂o_c
    for (let k = 0, i = offset; k < length; k++, i += stride) {
      const yk = smoothing ? Y[i] * (1 - smoothing) + smoothing / K : Y[i];
      const a = alphaData ? alphaData[alphaMap ? alphaMap[i] : i] : alphaScalar;
      if (yk === 0 && skipLane && (alphaFinite || Number.isFinite(a))) {
        if (!wantGrad) continue;
        const raw = q[k] / s;
        const pass = raw > lo && raw < hi ? 1 : raw === lo || raw === hi ? 0.5 : 0;
        g[k] = pass === 0 ? 0 : -(u * pass * a * yk);
        weighted += raw * g[k];
        continue;
      }
      const raw = q[k] / s;
      // The clip passes the gradient strictly inside its bounds, half of it on them (JAX's maximum/minimum).
      const pass = raw > lo && raw < hi ? 1 : raw === lo || raw === hi ? 0.5 : 0;
      const oc = raw < lo ? lo : raw > hi ? hi : raw;
      const m = square ? (1 - oc) * (1 - oc) : (1 - oc) ** gamma;
      const logO = Math.log(oc);
      loss += a * m * -yk * logO;
      if (!wantGrad) continue;
      if (gy) gy[i] = u * a * m * -logO * (1 - smoothing);
      const dm = gamma === 0 ? 0 : gamma * (square ? 1 - oc : (1 - oc) ** (gamma - 1)) * logO;
      g[k] = pass === 0 ? 0 : u * pass * a * yk * (dm - m / oc);
      weighted += raw * g[k];
    }
    losses[lane] = loss;
    if (!gx) continue;
    // Through o = q / s, then (with fromLogits) through the softmax.
    let dot = 0;
    for (let k = 0; k < length; k++) {
      g[k] = (g[k] - weighted) / s;
      dot += q[k] * g[k];
    }
    for (let k = 0, i = offset; k < length; k++, i += stride) gx[i] = fromLogits ? q[k] * (g[k] - dot) : g[k];
  }
}
