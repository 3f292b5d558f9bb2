import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { booleanOption, checkArity, integerOption, readOptions } from '../core/options.js';
import { forEachLane, normalizeDim } from '../core/shape.js';
import { laneLogSumExp } from '../core/stable.js';
import { asTensor, type Tensor, type FloatDTypeOf, type TensorLike } from '../core/tensor.js';
import { kernelsFor, useWasm } from '../kernels/backend.js';
import { softmaxRowsWasm } from '../kernels/wasm.js';
import { gradArray, lanesOf, resultTensor, upstream, withGradResult, type ActivationGradOptions, type ActivationWithGrad } from './with-grad.js';

/** Options of {@link logSumExp}. */
export interface LogSumExpOptions {
  /** Dimension to reduce (negative counts from the end); default −1. */
  dim?: number;
  /** Keep the reduced dimension with size 1; default false. */
  keepdim?: boolean;
}

const DEFINITION: Definition = {
  name: 'logSumExp',
  reference: 'torch.logsumexp',
  args: [{ name: 'input', shape: '[d0, ..., dn]', differentiable: true }],
  options: {
    dim: { type: 'integer', default: -1, doc: 'dimension to reduce (negative counts from the end)' },
    keepdim: { type: 'boolean', default: false, doc: 'keep the reduced dimension with size 1' },
  },
  kernels: ['softmaxRows', 'softmaxRows64'],
  plot: null,
};

/**
 * `log(Σ exp(x))` along a dimension, as `torch.logsumexp`, computed as
 * `m + log(Σ exp(x − m))` with `m = max(x)`: no overflow for any finite input.
 *
 * Shapes: `x` `[d0, ..., dn]`; result without `dim` (or with size 1 there, `keepdim`).
 *
 * @example
 * ```ts
 * console.log(logSumExp([[1, 2, 3], [1000, 1000, 1000]]).toString());
 * // tensor([   3.4076, 1001.0986])
 * ```
 */
export function logSumExp<X extends TensorLike>(x: X, options?: LogSumExpOptions): Tensor<FloatDTypeOf<X>>;
export function logSumExp(): Tensor {
  const { t, dim, resultShape, lse } = reduce('logSumExp', arguments, []);
  return resultTensor(lse, t.dtype === 'float64' ? 'float64' : 'float32', resultShape);
}

/** Whether the float32 kernel computes the lanes: the last (contiguous) dimension, non-empty. */
function kernelRuns(t: Tensor, dim: number): boolean {
  return t.dtype === 'float32' && t.shape.length > 0 && dim === t.shape.length - 1 && t.size > 0 && useWasm(t.dtype, t.size, t.shape[dim]);
}

/** Whether the float64 kernel may compute the lanes: the last dimension, non-empty. */
function float64KernelRuns(t: Tensor, dim: number): boolean {
  return t.dtype === 'float64' && t.shape.length > 0 && dim === t.shape.length - 1 && t.size > 0 && kernelsFor(t.size, 2 * t.shape[dim]);
}

/**
 * A call read and its log-sum-exps: the kernel's float32 ones, or the reference's float64 ones
 * (not yet rounded to the input's dtype: withGrad differentiates from them).
 */
function reduce(fn: string, args: IArguments, gradOptions: readonly string[]) {
  checkArity(fn, args, ['input', 'options']);
  const options = readOptions(fn, args[1], [...optionNamesOf(DEFINITION, 'activation'), ...gradOptions]) as LogSumExpOptions & ActivationGradOptions;
  const t = asTensor(fn, 'input', args[0] as TensorLike);
  const dim = normalizeDim(fn, integerOption(fn, 'dim', options.dim, -1), t.shape.length);
  const keepdim = booleanOption(fn, 'keepdim', options.keepdim, false);
  const shape = t.shape.length === 0 ? [] : t.shape.filter((_, i) => i !== dim);
  const resultShape = keepdim && t.shape.length > 0 ? t.shape.map((d, i) => (i === dim ? 1 : d)) : shape;
  const lanes = shape.reduce((a, d) => a * d, 1);
  let lse: Float32Array | Float64Array | undefined;
  if (kernelRuns(t, dim)) {
    lse = new Float32Array(lanes);
    softmaxRowsWasm(t.data as Float32Array, lanes, t.shape[dim], 2, lse);
  } else if (float64KernelRuns(t, dim)) {
    // The f64x2 kernel hands rows with NaN or ±inf back (false): the reference computes them.
    const out = new Float64Array(lanes);
    if (softmaxRowsWasm(t.data as Float64Array, lanes, t.shape[dim], 2, out)) lse = out;
  }
  if (lse === undefined) {
    const out = new Float64Array(lanes);
    forEachLane(t.shape, dim, (offset, stride, length, lane) => {
      out[lane] = laneLogSumExp(t.data, offset, stride, length);
    });
    lse = out;
  }
  return { t, dim, options, resultShape, lse };
}

/**
 * `logSumExp` and its vector–Jacobian product with `gradOutput` (g), as PyTorch's autograd
 * through `torch.logsumexp`: `∂y/∂x_i = exp(x_i − y)`, the softmax of the lane, so
 * `grad_i = g_lane · exp(x_i − y_lane)`.
 *
 * That is PyTorch's formula (`logsumexp_backward`), NaN included: a lane with a +inf has
 * NaN (inf − inf) at the +inf and 0 elsewhere; an all −inf lane is NaN throughout. Where the
 * kernel runs (float32, last dimension) and y is finite, exp(x_i − y) is the kernel's softmax of
 * the row (the same number: softmax_i = exp(x_i − m) / Σ_k exp(x_k − m) = exp(x_i − y)), which
 * needs no exp in JavaScript; rows with a non-finite y take the formula.
 *
 * Shapes: `x` `[d0, ..., dn]`; `gradOutput` shaped like the result (with or without `keepdim`;
 * default ones, giving the softmax); `value` the result; `grad` shaped like `x`.
 *
 * @example
 * ```ts
 * const { value, grad } = logSumExp.withGrad([[1, 2, 3], [0, 0, 0]], { gradOutput: [1, 2] });
 * console.log(value.toString());
 * // tensor([3.4076, 1.0986])
 * console.log(grad.toString());
 * // tensor([[0.0900, 0.2447, 0.6652],
 * //         [0.6667, 0.6667, 0.6667]])
 * ```
 */
logSumExp.withGrad = function withGrad<X extends TensorLike>(x: X, options?: LogSumExpOptions & ActivationGradOptions): ActivationWithGrad<FloatDTypeOf<X>> {
  const fn = 'logSumExp.withGrad';
  const { t, dim, options: opts, resultShape, lse } = reduce(fn, arguments, ['gradOutput', 'gradInto']);
  const dtype = t.dtype === 'float64' ? 'float64' : 'float32';
  const g = upstream(fn, opts, resultShape, dtype);
  const grad = gradArray(fn, arguments, opts, t, dtype);
  const { outer, length, inner } = lanesOf(t.shape, dim);
  const data = t.data;
  const kernel = kernelRuns(t, dim);
  if (kernel) softmaxRowsWasm(data as Float32Array, lse.length, length, 0, grad as Float32Array);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < length; k++) {
      const row = (o * length + k) * inner;
      for (let i = 0; i < inner; i++) {
        const lane = o * inner + i;
        const y = lse[lane];
        grad[row + i] = kernel && Number.isFinite(y) ? g[lane] * grad[row + i] : g[lane] * Math.exp(data[row + i] - y);
      }
    }
  }
  return withGradResult(resultTensor(lse, dtype, resultShape), grad, t.shape) as ActivationWithGrad<FloatDTypeOf<X>>;
};

describe(logSumExp, DEFINITION, 'activation');
