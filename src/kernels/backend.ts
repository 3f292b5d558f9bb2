// Which implementation runs: the TypeScript reference (float64 inside, every dtype) or the
// WebAssembly SIMD kernels (float32; float64 too for the elementwise losses; large inputs). 'auto'
// picks WebAssembly for inputs a kernel covers of
// at least WASM_THRESHOLD elements once the kernels are loaded (wasm.ts: loading starts at the
// first such call; until it completes, and where WebAssembly cannot run, the TypeScript path runs).
import { kernelsCanRun, wasmReady, wasmStatus } from './wasm.js';

export type Backend = 'auto' | 'ts' | 'wasm';

const BACKENDS: readonly Backend[] = ['auto', 'ts', 'wasm'];

/**
 * Below this many elements, the TypeScript path is as fast (calls and copies dominate). Measured
 * (medians, Node 20 and 24, forward and forward + gradient, float32): the kernels win from 32–128
 * elements for the elementwise losses, softmax and sigmoid (mseLoss with its gradient at 1000
 * elements: 24 µs on the TypeScript path, 5 µs on the kernels; at 8 elements 1.1 against 1.8),
 * and cross-entropy's single row from 128 (Node 24) to 256–512 (Node 20, whose calls into
 * WebAssembly cost more): 512 covers both. It was 2^14 until a size sweep showed the cost per
 * element 10–30× higher from 1e3 to 1e4 elements than from 1e5 up.
 */
export const WASM_THRESHOLD = 1 << 9;

let current: Backend = 'auto';

/**
 * Forces an implementation: `'ts'` (the TypeScript reference), `'wasm'` (WebAssembly SIMD for
 * every input a kernel covers — float32, and float64 for the elementwise losses — however small) or `'auto'` (the default). `'wasm'` needs the
 * kernels loaded: `await wasmReady()` first; it throws, saying why, where they cannot run.
 */
export function setBackend(backend: Backend): void {
  if (!BACKENDS.includes(backend)) {
    throw new Error(`setBackend: backend '${String(backend)}' is not valid (valid: ${BACKENDS.map((b) => `'${b}'`).join(', ')})`);
  }
  if (backend === 'wasm') {
    void wasmReady();
    const { variant, reason, message } = wasmStatus();
    if (variant === null && reason === 'loading') throw new Error("setBackend: the WebAssembly kernels are still loading (await wasmReady() before setBackend('wasm'))");
    if (variant === null) throw new Error(`setBackend: 'wasm' is not available here (${reason}${message ? `: ${message}` : ''})`);
  }
  current = backend;
}

/** The backend set by {@link setBackend} ('auto' by default). */
export function getBackend(): Backend {
  return current;
}

/**
 * Whether a float32 computation over `size` elements, in rows of `rowLength` (1 for elementwise
 * work), runs in WebAssembly.
 */
export function useWasm(dtype: string, size: number, rowLength = 1): boolean {
  return dtype === 'float32' && kernelsFor(size, rowLength);
}

/**
 * Whether a computation over `size` elements, in rows of `rowLength`, runs in WebAssembly, for a
 * kernel that takes its dtype (the elementwise kernels take float32 and float64).
 */
export function kernelsFor(size: number, rowLength = 1): boolean {
  if (current === 'ts') return false;
  if (current === 'auto' && size < WASM_THRESHOLD) return false;
  return kernelsCanRun(rowLength);
}

/**
 * The range of |weight| the kernels take (0 aside). They flush exps below 2^-126 to 0, so a loss term
 * under ~1.2e-38 (log1p(e^-90) of a confident row, say) is lost, and a weight w scales that to an
 * absolute error of about w · 2^-126 per term: 0.2 at w = 1e38. Below 2^-60 a weight's products with
 * targets and upstream gradients (1 / Σ w for a mean) leave float32's normal range. Within
 * [2^-60, 2^60] both stay negligible; other weights (no real training uses them) run the
 * TypeScript path, which is float64.
 */
export const KERNEL_WEIGHT_RANGE = [2 ** -60, 2 ** 60] as const;

/** Whether every value of an option tensor (weight, posWeight) is 0 or within {@link KERNEL_WEIGHT_RANGE}. */
export function weightsFitKernels(values: ArrayLike<number> | null | undefined): boolean {
  if (!values) return true;
  const [low, high] = KERNEL_WEIGHT_RANGE;
  for (let i = 0; i < values.length; i++) {
    const w = Math.abs(values[i]);
    if (w !== 0 && !(w >= low && w <= high)) return false;
  }
  return true;
}
