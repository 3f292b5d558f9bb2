// Running a test body on the kernel paths, and the float arrays such tests build.
import { setBackend, wasmReady } from '../../src/index.js';

/** A Float32Array or Float64Array of n values f(0) … f(n − 1). */
export function floatArray(Float: Float32ArrayConstructor | Float64ArrayConstructor, n: number, f: (i: number) => number): Float32Array | Float64Array {
  const a = new Float(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}

/**
 * Runs `body` with the kernels loaded, once on backend 'wasm' (the kernels at any size) and once
 * on 'auto' (what a user gets), for each of float32 and float64; the backend is 'auto' afterwards
 * whatever the body throws.
 */
export async function onKernelPaths(body: (backend: 'wasm' | 'auto', Float: Float32ArrayConstructor | Float64ArrayConstructor) => void): Promise<void> {
  await wasmReady();
  try {
    for (const backend of ['wasm', 'auto'] as const) {
      setBackend(backend);
      for (const Float of [Float32Array, Float64Array]) body(backend, Float);
    }
  } finally {
    setBackend('auto');
  }
}
