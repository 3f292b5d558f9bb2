import type { KernelCall } from './loss.js';
import { Tensor, typedArrayOf } from './tensor.js';
import { resultArray } from '../kernels/wasm.js';

/**
 * The array a loss writes the gradient with respect to argument `k` into, directly in the result's
 * dtype (float64 for float64 arguments, float32 otherwise: each entry is a float64 value rounded
 * once on the store, as `gradTensor` would round it): the caller's `gradInto` for argument 0, else a
 * fresh array from `resultArray` (in Node, memory malloc reuses: zero-filling it costs 0.6 ms for
 * 22 MB where a fresh zeroed mapping faults in at 6–8 ms, measured). `zeroed`: the loss writes only
 * some entries and the others must read 0; otherwise it overwrites every entry.
 */
export function gradBuffer(call: KernelCall<unknown>, k: number, like: Tensor, zeroed: boolean): Float32Array | Float64Array {
  const into = k === 0 ? call.gradInto : undefined;
  let array: Float32Array | Float64Array;
  if (into) array = into;
  else if (like.dtype === 'float64') {
    const bytes = resultArray(2 * like.size);
    array = new Float64Array(bytes.buffer, bytes.byteOffset, like.size);
  } else array = resultArray(like.size);
  if (zeroed) array.fill(0);
  return array;
}

/**
 * The tensor of a gradient (null where it was not asked for), shaped as its argument and in the
 * result's dtype: an array already in it (from {@link gradBuffer}) is wrapped without a copy,
 * another converted (each entry rounded once).
 */
export function gradOf(grad: Float32Array | Float64Array | null, like: Tensor): Tensor | null {
  if (!grad) return null;
  const dtype = like.dtype === 'float64' ? 'float64' : 'float32';
  const inDtype = dtype === 'float64' ? grad instanceof Float64Array : grad instanceof Float32Array;
  return new Tensor(inDtype ? grad : typedArrayOf(dtype, grad), like.shape);
}
