import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { checkArity, integerOption, readOptions } from '../core/options.js';
import { forEachLane, normalizeDim } from '../core/shape.js';
import { laneSoftmax } from '../core/stable.js';
import { asTensor, Tensor, type FloatDType, type FloatDTypeOf, type TensorLike } from '../core/tensor.js';
import {
  alongDimKernel, gradArray, gradOutputOf, lanesOf, readGradCall, resultTensor, upstream, withGradResult,
  type ActivationGradOptions, type ActivationWithGrad, type Lanes,
} from './with-grad.js';

/** Options of {@link softmax} and {@link logSoftmax}. */
export interface SoftmaxOptions {
  /** Dimension to normalize over (negative counts from the end); default −1, the last. */
  dim?: number;
}

/** The definition of softmax or logSoftmax (they differ by name and reference). */
const alongDimDefinition = (name: string, reference: string): Definition => ({
  name,
  reference,
  args: [{ name: 'input', shape: '[*]', differentiable: true }],
  options: { dim: { type: 'integer', default: -1, doc: 'dimension to normalize over (negative counts from the end)' } },
  kernels: ['softmaxRows_f32', 'softmaxRows_f64', 'softmaxStats_f32', 'softmaxStats_f64'],
  plot: null,
});
const DEFINITIONS = { softmax: alongDimDefinition('softmax', 'torch.softmax'), logSoftmax: alongDimDefinition('logSoftmax', 'torch.log_softmax') };

function floatDtype(t: Tensor) {
  return t.dtype === 'int32' ? 'float32' : t.dtype;
}

type LaneWriter = (data: ArrayLike<number>, offset: number, stride: number, length: number, out: Float64Array) => void;

/** (x − m) / Σ exp(x − m), per lane (laneSoftmax: NaN for a NaN or infinite maximum, as torch.softmax). */
const softmaxLane: LaneWriter = (data, offset, stride, length, out) => {
  const { max, others, ties } = laneSoftmax(data, offset, stride, length);
  const sum = ties + others;
  for (let k = 0; k < length; k++) out[offset + k * stride] = Math.exp(data[offset + k * stride] - max) / sum;
};

/** (x − m) − log Σ exp(x − m): the subtraction of m first keeps log Σ (see laneSoftmax). */
const logSoftmaxLane: LaneWriter = (data, offset, stride, length, out) => {
  const { max, logSum } = laneSoftmax(data, offset, stride, length);
  for (let k = 0; k < length; k++) out[offset + k * stride] = data[offset + k * stride] - max - logSum;
};

/**
 * The TypeScript reference: the activation of `t` along `dim` in float64 (not yet rounded to the
 * input's dtype: withGrad differentiates from it).
 */
function activate(fn: 'softmax' | 'logSoftmax', t: Tensor, dim: number): Float64Array {
  const out = new Float64Array(t.size);
  const lanes = lanesOf(t.shape, dim);
  if (lanes.inner > 1) {
    softmaxBlocks(fn, t.data, lanes, out);
    return out;
  }
  const write = fn === 'softmax' ? softmaxLane : logSoftmaxLane;
  forEachLane(t.shape, dim, (offset, stride, length) => write(t.data, offset, stride, length, out));
  return out;
}

/**
 * softmaxLane / logSoftmaxLane for lanes whose elements are `inner` apart (any dim but the last),
 * `inner` lanes at a time: every pass runs along contiguous memory instead of striding through it
 * (dim 0 of [4096, 1000] would touch a new cache line at every element). The same operations in
 * the same order per lane as laneSoftmax (max with NaN kept; Σ of exp(x − m) over the elements
 * below the maximum, the ties counted apart; log1p(ties − 1 + others)), so the same results bit
 * for bit.
 */
function softmaxBlocks(fn: 'softmax' | 'logSoftmax', x: ArrayLike<number>, { outer, length, inner }: Lanes, out: Float64Array): void {
  const max = new Float64Array(inner);
  const others = new Float64Array(inner);
  const ties = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * length * inner;
    max.fill(-Infinity);
    others.fill(0);
    ties.fill(0);
    for (let k = 0; k < length; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[row + i];
        if (v > max[i] || v !== v) max[i] = v; // a NaN stays: nothing is greater than it
      }
    }
    for (let k = 0; k < length; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) {
        const d = x[row + i] - max[i];
        if (d === 0) ties[i]++;
        else others[i] += Math.exp(d);
      }
    }
    if (fn === 'softmax') {
      for (let i = 0; i < inner; i++) others[i] += ties[i]; // the sum, ties + others
      for (let k = 0; k < length; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) out[row + i] = Math.exp(x[row + i] - max[i]) / others[i];
      }
    } else {
      for (let i = 0; i < inner; i++) others[i] = Math.log1p(ties[i] - 1 + others[i]); // log Σ
      for (let k = 0; k < length; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) out[row + i] = x[row + i] - max[i] - others[i];
      }
    }
  }
}

/** The plain call of softmax or logSoftmax. */
function alongDim(fn: 'softmax' | 'logSoftmax', args: IArguments): Tensor {
  checkArity(fn, args, ['input', 'options']);
  const options = readOptions(fn, args[1], optionNamesOf(DEFINITIONS[fn], 'activation'));
  const t = asTensor(fn, 'input', args[0] as TensorLike);
  const dim = normalizeDim(fn, integerOption(fn, 'dim', options.dim, -1), t.shape.length);
  const fast = alongDimKernel(fn, t, dim, null, null);
  return fast ? new Tensor(fast, [...t.shape]) : resultTensor(activate(fn, t, dim), floatDtype(t), t.shape);
}

/**
 * Σ_k g_k · w_k along `dim` for every lane (w = y for softmax, w = 1 for logSoftmax), into `sums`
 * indexed as the lanes of a result reduced over `dim`. The lane's elements are `inner` apart, so
 * the innermost loop runs over `inner` contiguous elements, not along the lane.
 */
function laneDots(g: ArrayLike<number>, w: ArrayLike<number> | null, { outer, length, inner }: Lanes, sums: Float64Array): void {
  for (let o = 0; o < outer; o++) {
    const base = o * length * inner;
    const lane = o * inner;
    if (inner === 1) {
      let s = 0;
      if (w) for (let k = 0; k < length; k++) s += g[base + k] * w[base + k];
      else for (let k = 0; k < length; k++) s += g[base + k];
      sums[lane] = s;
      continue;
    }
    for (let k = 0; k < length; k++) {
      const row = base + k * inner;
      if (w) for (let i = 0; i < inner; i++) sums[lane + i] += g[row + i] * w[row + i];
      else for (let i = 0; i < inner; i++) sums[lane + i] += g[row + i];
    }
  }
}

/**
 * withGrad of softmax and logSoftmax: the vector–Jacobian products PyTorch's
 * `_softmax_backward_data` and `_log_softmax_backward_data` compute, from the result y.
 *
 * softmax: ∂y_j/∂x_i = y_j (δ_ij − y_i), so
 *   (J^T g)_i = Σ_j g_j y_j (δ_ij − y_i) = y_i (g_i − Σ_j g_j y_j).
 * logSoftmax: ∂y_j/∂x_i = δ_ij − softmax_i, so
 *   (J^T g)_i = g_i − softmax_i Σ_j g_j,   softmax_i = exp(y_i).
 * Both need one sum per lane and one pass: no exp for softmax. −inf logits give y = 0 (softmax)
 * and gradient 0, or y = −inf (logSoftmax) and gradient g_i, as PyTorch; a NaN lane stays NaN.
 * The kernels (float32 and float64, any dim) compute the same formulas, with softmax_i for
 * logSoftmax from their exp(x_i − m) / Σ; below is the float64 reference.
 */
function alongDimWithGrad(fn: 'softmax' | 'logSoftmax', args: IArguments): ActivationWithGrad {
  const name = `${fn}.withGrad`;
  const { t, options, dtype } = readGradCall(name, args, optionNamesOf(DEFINITIONS[fn], 'activation'));
  const dim = normalizeDim(name, integerOption(name, 'dim', options.dim, -1), t.shape.length);
  const gradOutput = gradOutputOf(name, options, t.shape, dtype);
  const grad = gradArray(name, args, options, t, dtype);
  const fast = alongDimKernel(fn, t, dim, gradOutput, grad);
  if (fast) return withGradResult(new Tensor(fast, [...t.shape]) as Tensor<FloatDType>, grad, t.shape);
  const g = gradOutput ?? upstream(name, options, t.shape, dtype);
  const y = activate(fn, t, dim);
  const lanes = lanesOf(t.shape, dim);
  const sums = new Float64Array(lanes.outer * lanes.inner);
  // One pass per element, e running through the lanes' blocks in memory order: e = (o · length + k) · inner + i.
  const { outer, length, inner } = lanes;
  if (fn === 'softmax') {
    laneDots(g, y, lanes, sums);
    for (let o = 0, e = 0; o < outer; o++) {
      if (inner === 1) for (let k = 0, s = sums[o]; k < length; k++, e++) grad[e] = y[e] * (g[e] - s);
      else for (let k = 0; k < length; k++) for (let i = 0; i < inner; i++, e++) grad[e] = y[e] * (g[e] - sums[o * inner + i]);
    }
  } else {
    laneDots(g, null, lanes, sums);
    const p = y.map(Math.exp); // softmax_i = exp(y_i)
    for (let o = 0, e = 0; o < outer; o++) {
      if (inner === 1) for (let k = 0, s = sums[o]; k < length; k++, e++) grad[e] = g[e] - p[e] * s;
      else for (let k = 0; k < length; k++) for (let i = 0; i < inner; i++, e++) grad[e] = g[e] - p[e] * sums[o * inner + i];
    }
  }
  return withGradResult(resultTensor(y, dtype, t.shape), grad, t.shape);
}

/**
 * Softmax along a dimension, as `torch.softmax`: `exp(x − max) / Σ exp(x − max)` — subtracting
 * the maximum changes nothing mathematically and keeps every exp ≤ 1, so logits of 1000 work.
 *
 * Shapes: `x` any shape; result the same shape and (floating) dtype.
 *
 * @example
 * ```ts
 * console.log(softmax([[1, 4, 8, 6], [5, 2, -1, 3]], { dim: 1 }).toString());
 * // tensor([[7.8981e-04, 1.5864e-02, 8.6613e-01, 1.1722e-01],
 * //         [8.4203e-01, 4.1922e-02, 2.0872e-03, 1.1396e-01]])
 * console.log(softmax([[1000, 1001, 1002]]).toString());
 * // tensor([[0.0900, 0.2447, 0.6652]])
 * ```
 */
export function softmax<X extends TensorLike>(x: X, options?: SoftmaxOptions): Tensor<FloatDTypeOf<X>>;
export function softmax(): Tensor {
  return alongDim('softmax', arguments);
}

/**
 * Log-softmax along a dimension, as `torch.log_softmax`: `x − logSumExp(x)`, exact where
 * `log(softmax(x))` would give `−inf`.
 *
 * Shapes: `x` any shape; result the same shape and (floating) dtype.
 *
 * @example
 * ```ts
 * console.log(logSoftmax([1, 2, 3]).toString());
 * // tensor([-2.4076, -1.4076, -0.4076])
 * ```
 */
export function logSoftmax<X extends TensorLike>(x: X, options?: SoftmaxOptions): Tensor<FloatDTypeOf<X>>;
export function logSoftmax(): Tensor {
  return alongDim('logSoftmax', arguments);
}

/**
 * Softmax and its vector–Jacobian product with `gradOutput` (g), as PyTorch's autograd through
 * `torch.softmax`: `grad = y · (g − Σ_dim g · y)` with `y = softmax(x)`, in one pass after the
 * forward one (float32 and float64, any dim, on the WebAssembly kernels from WASM_THRESHOLD elements).
 *
 * Shapes: `x` any shape; `gradOutput` shaped like `x` (default ones: a gradient of 0, every row
 * summing to 1); `value` and `grad` shaped like `x`, in its floating dtype.
 *
 * @example
 * ```ts
 * const { value, grad } = softmax.withGrad([[1, 2, 3]], { gradOutput: [[1, 0, 0]] });
 * console.log(value.toString());
 * // tensor([[0.0900, 0.2447, 0.6652]])
 * console.log(grad.toString());
 * // tensor([[ 0.0819, -0.0220, -0.0599]])
 * ```
 */
softmax.withGrad = function withGrad<X extends TensorLike>(x: X, options?: SoftmaxOptions & ActivationGradOptions): ActivationWithGrad<FloatDTypeOf<X>> {
  return alongDimWithGrad('softmax', arguments) as ActivationWithGrad<FloatDTypeOf<X>>;
};

/**
 * Log-softmax and its vector–Jacobian product with `gradOutput` (g), as PyTorch's autograd
 * through `torch.log_softmax`: `grad = g − softmax(x) · Σ_dim g`.
 *
 * Shapes: `x` any shape; `gradOutput` shaped like `x` (default ones); `value` and `grad` shaped
 * like `x`, in its floating dtype.
 *
 * @example
 * ```ts
 * const { value, grad } = logSoftmax.withGrad([1, 2, 3], { gradOutput: [1, 0, 0] });
 * console.log(value.toString());
 * // tensor([-2.4076, -1.4076, -0.4076])
 * console.log(grad.toString());
 * // tensor([ 0.9100, -0.2447, -0.6652])
 * ```
 */
logSoftmax.withGrad = function withGrad<X extends TensorLike>(x: X, options?: SoftmaxOptions & ActivationGradOptions): ActivationWithGrad<FloatDTypeOf<X>> {
  return alongDimWithGrad('logSoftmax', arguments) as ActivationWithGrad<FloatDTypeOf<X>>;
};

describe(softmax, DEFINITIONS.softmax, 'activation');
describe(logSoftmax, DEFINITIONS.logSoftmax, 'activation');
