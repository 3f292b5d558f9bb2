// The TypeScript side of the WebAssembly kernels: instantiation, the scratch area, and streaming
// rows through it. A chunk of rows is copied into the scratch area (which stays in cache), the
// kernel runs on it, and its gradient rows are copied to the result: the full tensors cross main
// memory once each way, as they would for a native kernel, and no call allocates beyond its result.
import { WASM_BASE64 } from './wasm-binary.js';

// The library compiles without DOM or Node types (so that it cannot use an API of either), so the
// few WebAssembly and base64 globals it needs are typed here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const host = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (base64: string) => string };

interface Exports {
  memory: WasmMemory;
  heapBase(): number;
  expInPlace(p: number, n: number): void;
  logInPlace(p: number, n: number): void;
  crossEntropyRows(
    x: number, rows: number, C: number, targets: number, weights: number, weightSum: number, ignoreIndex: number,
    smoothing: number, upstream: number, upstreamPerRow: number, grad: number, losses: number,
  ): number;
}

/** Floats per chunk of the input (and of the gradient): 128 KiB each, well inside L2. */
const CHUNK_ELEMENTS = 1 << 15;

let exports: Exports | null | undefined;

function instantiate(): Exports | null {
  const wasm = host.WebAssembly;
  if (!wasm || !host.atob) return null;
  const binary = host.atob(WASM_BASE64);
  const bytes = Uint8Array.from(binary, (c: string) => c.charCodeAt(0));
  if (!wasm.validate(bytes)) return null; // no SIMD support in this engine
  const abort = () => {
    throw new Error('losskit: WebAssembly kernel aborted');
  };
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { abort } });
  return instance.exports as Exports;
}

/** The kernels, instantiated on first use; null where WebAssembly SIMD is not supported. */
export function wasmKernels(): Exports | null {
  if (exports === undefined) exports = instantiate();
  return exports;
}

export function wasmAvailable(): boolean {
  return wasmKernels() !== null;
}

/** Scratch regions (byte offsets) in the module's memory, grown on demand and then reused. */
class Scratch {
  private readonly base: number;
  constructor(private readonly k: Exports) {
    this.base = k.heapBase();
  }

  /** Reserves consecutive regions of the given byte sizes (16-byte aligned) and returns their offsets. */
  regions(...sizes: number[]): number[] {
    const offsets: number[] = [];
    let end = this.base;
    for (const size of sizes) {
      offsets.push(end);
      end += (size + 15) & ~15;
    }
    const have = this.k.memory.buffer.byteLength;
    if (end > have) this.k.memory.grow(Math.ceil((end - have) / 65536));
    return offsets;
  }
}

let scratch: Scratch | null = null;

function kernels(): { k: Exports; scratch: Scratch } {
  const k = wasmKernels();
  if (!k) throw new Error('losskit: WebAssembly SIMD is not available');
  scratch ??= new Scratch(k);
  return { k, scratch };
}

export interface CrossEntropyRowsRequest {
  logits: Float32Array;
  rows: number;
  classes: number;
  targets: ArrayLike<number>;
  weights: ArrayLike<number> | null;
  ignoreIndex: number;
  smoothing: number;
  /** Upstream gradient: one number for every row, or one per row. */
  upstream: number | ArrayLike<number>;
  /** Where to write the gradient (rows × classes), or null for the forward pass only. */
  grad: Float32Array | null;
  /** Where to write the per-row losses, or null. */
  losses: Float32Array | null;
}

/** Cross-entropy with class indices over rows of float32 logits; returns Σ of the row losses. */
export function crossEntropyRowsWasm(request: CrossEntropyRowsRequest): number {
  const { k, scratch: s } = kernels();
  const { logits, rows, classes: C, targets, weights, grad, losses } = request;
  const chunkRows = Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(C, 1)));
  const perRowUpstream = typeof request.upstream !== 'number';
  const [xPtr, tPtr, wPtr, uPtr, lPtr, gPtr] = s.regions(chunkRows * C * 4, chunkRows * 4, C * 4, chunkRows * 4, chunkRows * 4, grad ? chunkRows * C * 4 : 0);
  const buffer = k.memory.buffer;
  const xView = new Float32Array(buffer, xPtr, chunkRows * C);
  const tView = new Int32Array(buffer, tPtr, chunkRows);
  const uView = new Float32Array(buffer, uPtr, chunkRows);
  const lView = new Float32Array(buffer, lPtr, chunkRows);
  const gView = grad ? new Float32Array(buffer, gPtr, chunkRows * C) : null;
  let weightSum = C;
  if (weights) {
    const wView = new Float32Array(buffer, wPtr, C);
    wView.set(weights);
    weightSum = 0;
    for (let c = 0; c < C; c++) weightSum += wView[c];
  }
  let total = 0;
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const n = Math.min(chunkRows, rows - r0);
    xView.set(n === chunkRows ? logits.subarray(r0 * C, (r0 + n) * C) : logits.subarray(r0 * C, (r0 + n) * C));
    for (let r = 0; r < n; r++) tView[r] = targets[r0 + r];
    if (perRowUpstream) for (let r = 0; r < n; r++) uView[r] = (request.upstream as ArrayLike<number>)[r0 + r];
    total += k.crossEntropyRows(
      xPtr, n, C, tPtr, weights ? wPtr : 0, weightSum, request.ignoreIndex, request.smoothing,
      perRowUpstream ? 0 : (request.upstream as number), perRowUpstream ? uPtr : 0, grad ? gPtr : 0, losses ? lPtr : 0,
    );
    // One view over the whole chunk is reused: building a fresh subarray per chunk is much slower in V8.
    if (grad && gView) grad.set(n === chunkRows ? gView : gView.subarray(0, n * C), r0 * C);
    if (losses) losses.set(n === chunkRows ? lView : lView.subarray(0, n), r0);
  }
  return total;
}

/** Applies the kernels' exp or log to a copy of `values` (for the accuracy tests). */
export function mapWasm(which: 'exp' | 'log', values: Float32Array): Float32Array {
  const { k, scratch: s } = kernels();
  const [p] = s.regions(values.length * 4);
  const view = new Float32Array(k.memory.buffer, p, values.length);
  view.set(values);
  (which === 'exp' ? k.expInPlace : k.logInPlace)(p, values.length);
  return view.slice();
}
