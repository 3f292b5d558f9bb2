// Which implementation runs: the TypeScript reference (float64 inside, every dtype) or the
// WebAssembly SIMD kernels (float32, large inputs). 'auto' picks WebAssembly for float32 inputs of
// at least WASM_THRESHOLD elements when the engine supports WebAssembly SIMD.
import { wasmAvailable } from './wasm.js';

export type Backend = 'auto' | 'ts' | 'wasm';

const BACKENDS: readonly Backend[] = ['auto', 'ts', 'wasm'];

/** Below this many elements, the TypeScript path is as fast (calls and copies dominate). */
export const WASM_THRESHOLD = 1 << 14;

let current: Backend = 'auto';

/**
 * Forces an implementation: `'ts'` (the TypeScript reference), `'wasm'` (WebAssembly SIMD for
 * every float32 input it covers, however small) or `'auto'` (the default).
 */
export function setBackend(backend: Backend): void {
  if (!BACKENDS.includes(backend)) {
    throw new Error(`setBackend: backend '${String(backend)}' is not valid (valid: ${BACKENDS.map((b) => `'${b}'`).join(', ')})`);
  }
  if (backend === 'wasm' && !wasmAvailable()) throw new Error("setBackend: 'wasm' is not available here (no WebAssembly SIMD support)");
  current = backend;
}

/** The backend set by {@link setBackend} ('auto' by default). */
export function getBackend(): Backend {
  return current;
}

/** Whether a float32 computation over `size` elements runs in WebAssembly. */
export function useWasm(dtype: string, size: number): boolean {
  if (dtype !== 'float32' || current === 'ts') return false;
  if (current === 'wasm') return true;
  return size >= WASM_THRESHOLD && wasmAvailable();
}
