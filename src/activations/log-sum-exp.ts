import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { booleanOption, checkArity, integerOption, readOptions } from '../core/options.js';
import { forEachLane, normalizeDim } from '../core/shape.js';
import { laneLogSumExp } from '../core/stable.js';
import { asTensor, Tensor, type FloatDType, type FloatDTypeOf, type TensorLike } from '../core/tensor.js';
import { alongDimKernel, gradArray, gradOutputOf, lanesOf, resultTensor, upstream, withGradResult, type ActivationGradOptions, type ActivationWithGrad } from './with-grad.js';

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
  kernels: ['softmaxRows_f32', 'softmaxRows_f64', 'softmaxStats_f32', 'softmaxStats_f64'],
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
  const { t, dim, resultShape, dtype } = read('logSumExp', arguments, []);
  const fast = alongDimKernel('logSumExp', t, dim, null, null);
  return fast ? new Tensor(fast, resultShape) : resultTensor(reference(t, dim), dtype, resultShape);
}

/** A call read: the input, dim, options and the result's shape. */
function read(fn: string, args: IArguments, gradOptions: readonly string[]) {
  checkArity(fn, args, ['input', 'options']);
  const options = readOptions(fn, args[1], [...optionNamesOf(DEFINITION, 'activation'), ...gradOptions]) as LogSumExpOptions & ActivationGradOptions;
  const t = asTensor(fn, 'input', args[0] as TensorLike);
  const dim = normalizeDim(fn, integerOption(fn, 'dim', options.dim, -1), t.shape.length);
  const keepdim = booleanOption(fn, 'keepdim', options.keepdim, false);
  const shape = t.shape.length === 0 ? [] : t.shape.filter((_, i) => i !== dim);
  const resultShape = keepdim && t.shape.length > 0 ? t.shape.map((d, i) => (i === dim ? 1 : d)) : shape;
  return { t, dim, options, resultShape, dtype: (t.dtype === 'float64' ? 'float64' : 'float32') as FloatDType };
}

/** The TypeScript reference: the log-sum-exp of every lane, in float64 (withGrad differentiates from it). */
function reference(t: Tensor, dim: number): Float64Array {
  const out = new Float64Array(t.shape.reduce((lanes, d, i) => (i === dim ? lanes : lanes * d), 1));
  forEachLane(t.shape, dim, (offset, stride, length, lane) => {
    out[lane] = laneLogSumExp(t.data, offset, stride, length);
  });
  return out;
}

/**
 * `logSumExp` and its vector–Jacobian product with `gradOutput` (g), as PyTorch's autograd
 * through `torch.logsumexp`: `∂y/∂x_i = exp(x_i − y)`, the softmax of the lane, so
 * `grad_i = g_lane · exp(x_i − y_lane)`.
 *
 * That is PyTorch's formula (`logsumexp_backward`), NaN included: a lane with a +inf has
 * NaN (inf − inf) at the +inf and 0 elsewhere; an all −inf lane is NaN throughout. The kernels
 * (float32 and float64, any dim) take exp(x_i − y) as exp(x_i − m) / Σ, the same number without
 * rounding y first; lanes with a non-finite y are the reference's.
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
  const { t, dim, options: opts, resultShape, dtype } = read(fn, arguments, ['gradOutput', 'gradInto']);
  const gradOutput = gradOutputOf(fn, opts, resultShape, dtype);
  const grad = gradArray(fn, arguments, opts, t, dtype);
  const fast = alongDimKernel('logSumExp', t, dim, gradOutput, grad);
  if (fast) return withGradResult(new Tensor(fast, resultShape) as Tensor<FloatDType>, grad, t.shape) as ActivationWithGrad<FloatDTypeOf<X>>;
  const g = gradOutput ?? upstream(fn, opts, resultShape, dtype);
  const lse = reference(t, dim);
  const { outer, length, inner } = lanesOf(t.shape, dim);
  const data = t.data;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < length; k++) {
      const row = (o * length + k) * inner;
      for (let i = 0; i < inner; i++) {
        const lane = o * inner + i;
        grad[row + i] = g[lane] * Math.exp(data[row + i] - lse[lane]);
      }
    }
  }
  return withGradResult(resultTensor(lse, dtype, resultShape), grad, t.shape) as ActivationWithGrad<FloatDTypeOf<X>>;
};

describe(logSumExp, DEFINITION, 'activation');
