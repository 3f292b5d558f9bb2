import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { booleanOption, checkArity, integerOption, readOptions } from '../core/options.js';
import { forEachLane, normalizeDim } from '../core/shape.js';
import { laneLogSumExp } from '../core/stable.js';
import { asTensor, Tensor, typedArrayOf, type FloatDTypeOf, type TensorLike } from '../core/tensor.js';
import { useWasm } from '../kernels/backend.js';
import { softmaxRowsWasm } from '../kernels/wasm.js';

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
  kernels: ['softmaxRows'],
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
export function logSumExp(x: TensorLike, opts?: LogSumExpOptions): Tensor {
  const fn = 'logSumExp';
  checkArity(fn, arguments, ['input', 'options']);
  const options = readOptions(fn, opts, optionNamesOf(DEFINITION, 'activation'));
  const t = asTensor(fn, 'input', x);
  const dim = normalizeDim(fn, integerOption(fn, 'dim', options.dim, -1), t.shape.length);
  const keepdim = booleanOption(fn, 'keepdim', options.keepdim, false);
  const shape = t.shape.length === 0 ? [] : t.shape.filter((_, i) => i !== dim);
  const resultShape = keepdim && t.shape.length > 0 ? t.shape.map((d, i) => (i === dim ? 1 : d)) : shape;
  const lanes = shape.reduce((a, d) => a * d, 1);
  // Float32 along the last (contiguous) dimension, non-empty: the WebAssembly SIMD kernel.
  if (t.dtype === 'float32' && t.shape.length > 0 && dim === t.shape.length - 1 && t.size > 0 && useWasm(t.dtype, t.size, t.shape[dim])) {
    const out = new Float32Array(lanes);
    softmaxRowsWasm(t.data as Float32Array, lanes, t.shape[dim], 2, out);
    return new Tensor(out, resultShape);
  }
  const out = new Float64Array(lanes);
  forEachLane(t.shape, dim, (offset, stride, length, lane) => {
    out[lane] = laneLogSumExp(t.data, offset, stride, length);
  });
  return new Tensor(typedArrayOf(t.dtype === 'int32' ? 'float32' : t.dtype, out), resultShape);
}

describe(logSumExp, DEFINITION, 'activation');
