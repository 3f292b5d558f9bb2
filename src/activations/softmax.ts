import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { checkArity, integerOption, readOptions } from '../core/options.js';
import { forEachLane, normalizeDim } from '../core/shape.js';
import { laneSoftmax } from '../core/stable.js';
import { asTensor, Tensor, typedArrayOf, type FloatDTypeOf, type TensorLike } from '../core/tensor.js';
import { useWasm } from '../kernels/backend.js';
import { resultArray, softmaxRowsWasm } from '../kernels/wasm.js';

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
  kernels: ['softmaxRows'],
  plot: null,
});
const SOFTMAX = alongDimDefinition('softmax', 'torch.softmax');
const LOG_SOFTMAX = alongDimDefinition('logSoftmax', 'torch.log_softmax');

function floatDtype(t: Tensor) {
  return t.dtype === 'int32' ? 'float32' : t.dtype;
}

/**
 * Applies `write(data, offset, stride, length, out)` to every lane along `dim`: the shared
 * skeleton of softmax and logSoftmax.
 */
function alongDim(
  definition: Definition,
  args: IArguments,
  write: (data: ArrayLike<number>, offset: number, stride: number, length: number, out: Float64Array) => void,
): Tensor {
  const fn = definition.name;
  checkArity(fn, args, ['input', 'options']);
  const options = readOptions(fn, args[1], optionNamesOf(definition, 'activation'));
  const t = asTensor(fn, 'input', args[0] as TensorLike);
  const dim = normalizeDim(fn, integerOption(fn, 'dim', options.dim, -1), t.shape.length);
  // Float32 along the last (contiguous) dimension: the WebAssembly SIMD kernel.
  if (t.dtype === 'float32' && t.shape.length > 0 && dim === t.shape.length - 1 && useWasm(t.dtype, t.size, t.shape[dim])) {
    const C = t.shape[dim];
    const out = resultArray(t.size);
    softmaxRowsWasm(t.data as Float32Array, C === 0 ? 0 : t.size / C, C, fn === 'softmax' ? 0 : 1, out);
    return new Tensor(out, t.shape);
  }
  const out = new Float64Array(t.size);
  forEachLane(t.shape, dim, (offset, stride, length) => write(t.data, offset, stride, length, out));
  return new Tensor(typedArrayOf(floatDtype(t), out), t.shape);
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
  return alongDim(SOFTMAX, arguments, (data, offset, stride, length, out) => {
    // exp(x − m) / Σ (laneSoftmax: NaN for a NaN or infinite maximum, as torch.softmax)
    const { max, others, ties } = laneSoftmax(data, offset, stride, length);
    const sum = ties + others;
    for (let k = 0; k < length; k++) out[offset + k * stride] = Math.exp(data[offset + k * stride] - max) / sum;
  });
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
  return alongDim(LOG_SOFTMAX, arguments, (data, offset, stride, length, out) => {
    // (x − m) − log Σ exp(x − m): the subtraction of m first keeps log Σ (see laneSoftmax).
    const { max, logSum } = laneSoftmax(data, offset, stride, length);
    for (let k = 0; k < length; k++) out[offset + k * stride] = data[offset + k * stride] - max - logSum;
  });
}

describe(softmax, SOFTMAX, 'activation');
describe(logSoftmax, LOG_SOFTMAX, 'activation');
