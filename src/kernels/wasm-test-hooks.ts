// Test hooks into the WebAssembly kernels (src/kernels/wasm.test.ts): the approximations of exp,
// log and atan on their own, and the size of the kernels' memory. Nothing in the library imports this file.
import { kernelsCanRun, withKernels } from './wasm.js';

/** The size of the running build's memory, in bytes (for the tests of the scratch bound); 0 before it is loaded. */
export function kernelMemoryBytes(): number {
  if (!kernelsCanRun(1)) return 0;
  return withKernels((k) => k.memory.buffer.byteLength);
}

/**
 * Applies the kernels' exp, log, the exp of softmax's exp-sum loop (for x <= 0: inputs above
 * 0 are outside its contract), or the matmul's flush of subnormals to a copy of `values` (for the
 * accuracy tests).
 */
export function mapWasm(which: 'exp' | 'expNonPositive' | 'log' | 'flushSubnormals', values: Float32Array): Float32Array {
  return withKernels((k, s) => {
    const [p] = s.regions(values.length * 4);
    const view = new Float32Array(k.memory.buffer, p, values.length);
    view.set(values);
    ({ exp: k.expInPlace, expNonPositive: k.expNonPositiveInPlace, log: k.logInPlace, flushSubnormals: k.flushSubnormals_f32 })[which](p, values.length);
    return view.slice();
  });
}

/** Applies the box-IoU kernel's atan (two doubles a vector) to a copy of `values` (even length; for the accuracy test). */
export function atanWasm(values: Float64Array): Float64Array {
  return withKernels((k, s) => {
    const [p] = s.regions(values.length * 8);
    const view = new Float64Array(k.memory.buffer, p, values.length);
    view.set(values);
    k.atanInPlace64(p, values.length);
    return view.slice();
  });
}

/** Applies the float64 kernels' log1p (math64.ts, two doubles a vector) to a copy of `values` (even length; for the accuracy test). */
export function log1pWasm(values: Float64Array): Float64Array {
  return withKernels((k, s) => {
    const [p] = s.regions(values.length * 8);
    const view = new Float64Array(k.memory.buffer, p, values.length);
    view.set(values);
    k.log1pInPlace64(p, values.length);
    return view.slice();
  });
}
