// The plumbing every activation's `withGrad` shares: the upstream gradient, the caller's gradient
// array, and the layout of the lanes along `dim`. The formulas live in each activation's file.
import { checkArity, readOptions } from '../core/options.js';
import { shapeString, sameShape } from '../core/shape.js';
import { asTensor, memoryOf, Tensor, typedArrayKind, type FloatDType, type TensorLike } from '../core/tensor.js';
import { kernelsFor } from '../kernels/backend.js';
import { resultArray, softmaxWasm, type SoftmaxRequest } from '../kernels/wasm.js';

/** Options of every activation's `withGrad`, beside its own (`dim`, `beta`...). */
export interface ActivationGradOptions {
  /**
   * The upstream gradient `∂L/∂y`, shaped like the activation's result (default: ones, the gradient
   * of `sum(y)`; for softmax that is 0, since every row of softmax sums to 1).
   */
  gradOutput?: TensorLike;
  /**
   * Write the gradient into this array (the input's size; Float64Array for float64 input, else
   * Float32Array) and return it as `grad`, instead of allocating one.
   */
  gradInto?: Float32Array | Float64Array;
}

/**
 * What an activation's `withGrad(x, options)` returns: the vector–Jacobian product of the
 * activation at `x` with `gradOutput`, beside the result of the plain call. Shaped like a loss's
 * `withGrad` (`{ loss, grad, grads }`), with `value` for `loss`: an activation's result is a tensor
 * of any shape, not a loss.
 */
export interface ActivationWithGrad<D extends FloatDType = FloatDType> {
  /** The activation's result, exactly as the plain call returns it. */
  value: Tensor<D>;
  /** `∂ sum(value · gradOutput) / ∂x`: shaped like `x`, in the result's dtype (float32 for int32 input). */
  grad: Tensor<D>;
  /** `[grad]`: one entry per tensor argument, as the losses' `grads`. */
  grads: [Tensor<D>];
}

/** A row-major shape seen along `dim`: `outer` blocks of `length` lanes elements `inner` apart. */
export interface Lanes {
  outer: number;
  length: number;
  inner: number;
}

export function lanesOf(shape: readonly number[], dim: number): Lanes {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return { outer, length: shape.length === 0 ? 1 : shape[dim], inner };
}

/** A `withGrad` call read: its input tensor, its options (own names plus the gradient's). */
export function readGradCall(fn: string, args: IArguments, optionNames: readonly string[]): { t: Tensor; options: Record<string, unknown> & ActivationGradOptions; dtype: FloatDType } {
  checkArity(fn, args, ['input', 'options']);
  const options = readOptions(fn, args[1], [...optionNames, 'gradOutput', 'gradInto']) as Record<string, unknown> & ActivationGradOptions;
  const t = asTensor(fn, 'input', args[0] as TensorLike);
  return { t, options, dtype: t.dtype === 'float64' ? 'float64' : 'float32' };
}

/** The upstream gradient's values, checked against the result's shape; null when absent (ones). */
export function gradOutputOf(fn: string, options: ActivationGradOptions, shape: readonly number[], dtype: FloatDType): Tensor['data'] | null {
  if (options.gradOutput === undefined) return null;
  const g = asTensor(fn, 'gradOutput', options.gradOutput, dtype);
  if (!sameShape(g.shape, shape)) {
    throw new Error(`${fn}: gradOutput shape ${shapeString(g.shape)} does not match the result's shape ${shapeString(shape)}`);
  }
  return g.data;
}

/** The upstream gradient's values (ones when absent), for the reference loops. */
export function upstream(fn: string, options: ActivationGradOptions, shape: readonly number[], dtype: FloatDType): ArrayLike<number> {
  const g = gradOutputOf(fn, options, shape, dtype);
  if (g) return g;
  const size = shape.reduce((a, d) => a * d, 1);
  return (dtype === 'float64' ? new Float64Array(size) : new Float32Array(size)).fill(1);
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * The array the gradient is written into (every path writes all of it): the caller's `gradInto` (checked: dtype, size, and no
 * memory shared with the input or gradOutput, which the loops still read while writing it), or a
 * new one.
 */
export function gradArray(fn: string, args: IArguments, options: ActivationGradOptions, t: Tensor, dtype: FloatDType): Float32Array | Float64Array {
  const into = options.gradInto;
  if (into === undefined) return resultArray(t.size, dtype);
  const kind = dtype === 'float64' ? 'Float64Array' : 'Float32Array';
  if (typedArrayKind(into) !== kind || into.length !== t.size) {
    throw new Error(`${fn}: gradInto must be a ${kind} of ${t.size} elements (the input's size and dtype)`);
  }
  const read: [string, ArrayBufferView][] = [
    ['input', t.data],
    ...memoryOf(args[0]).map((v): [string, ArrayBufferView] => ['input', v]),
    ...memoryOf(options.gradOutput).map((v): [string, ArrayBufferView] => ['gradOutput', v]),
  ];
  for (const [what, view] of read) if (overlaps(into, view)) throw new Error(`${fn}: gradInto shares memory with ${what}`);
  return into;
}

/** A float64 working array as a tensor of the result's dtype (no copy for float64). */
export function resultTensor(values: Float64Array | Float32Array, dtype: FloatDType, shape: readonly number[]): Tensor<FloatDType> {
  return new Tensor(values instanceof Float64Array && dtype === 'float32' ? Float32Array.from(values) : values, [...shape]) as Tensor<FloatDType>;
}

/** The `withGrad` result of value and gradient arrays. */
export function withGradResult(value: Tensor<FloatDType>, grad: Float32Array | Float64Array, shape: readonly number[]): ActivationWithGrad {
  const gradient = new Tensor(grad, [...shape]) as Tensor<FloatDType>;
  return { value, grad: gradient, grads: [gradient] };
}

/**
 * The softmax family along `dim` on the WebAssembly kernels (src/kernels/wasm.ts, softmaxWasm),
 * float32 or float64, any dimension: its values (x's shape, or x's without `dim` for logSumExp),
 * with `grad` given also the VJP with g (null: ones) written there. Null where the TypeScript
 * reference computes the call: int32 or empty input, below the kernels' size threshold, a lane
 * longer than the kernels take, or a lane holding NaN or ±inf (PyTorch's NaN and ±inf results
 * there come from the reference).
 */
export function alongDimKernel(mode: SoftmaxRequest['mode'], t: Tensor, dim: number, g: Tensor['data'] | null, grad: Float32Array | Float64Array | null): Float32Array | Float64Array | null {
  if (t.dtype === 'int32' || t.size === 0 || t.shape.length === 0) return null;
  const lanes = lanesOf(t.shape, dim);
  const row = (lanes.inner === 1 ? lanes.length : lanes.inner) * (t.dtype === 'float64' ? 2 : 1);
  if (!kernelsFor(t.size, row)) return null;
  const value = resultArray(mode === 'logSumExp' ? t.size / lanes.length : t.size, t.dtype);
  const x = t.data as Float32Array | Float64Array;
  return softmaxWasm({ mode, dtype: t.dtype, x, ...lanes, g, value, grad }) ? value : null;
}
