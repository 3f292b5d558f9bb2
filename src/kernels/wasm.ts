// The TypeScript side of the WebAssembly kernels: instantiation, the scratch area, and streaming
// rows through it. A chunk of rows is copied into the scratch area (which stays in cache), the
// kernel runs on it, and its gradient rows are copied to the result: the full tensors cross main
// memory once each way, as they would for a native kernel, and no call allocates beyond its result.
import { WASM_BASE64, WASM_RELAXED_BASE64 } from './wasm-binary.js';

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

type ElementKernel = (
  x: number, t: number, w: number, aux: number, n: number, p1: number, p2: number,
  upstream: number, upstreamPtr: number, gx: number, gt: number, losses: number,
) => number;

/** The elementwise kernels (src/kernels/assembly/elementwise.ts). */
export type ElementwiseKernel = 'l1Elements' | 'mseElements' | 'smoothL1Elements' | 'bceWithLogitsElements' | 'bceElements' | 'sigmoidFocalElements';

interface Exports {
  memory: WasmMemory;
  heapBase(): number;
  expInPlace(p: number, n: number): void;
  expNonPositiveInPlace(p: number, n: number): void;
  logInPlace(p: number, n: number): void;
  softmaxRows(x: number, rows: number, C: number, mode: number, out: number): void;
  l1Elements: ElementKernel;
  mseElements: ElementKernel;
  smoothL1Elements: ElementKernel;
  bceWithLogitsElements: ElementKernel;
  bceElements: ElementKernel;
  sigmoidFocalElements: ElementKernel;
  crossEntropyProbRows(
    x: number, rows: number, C: number, targets: number, weights: number, smoothing: number,
    upstream: number, upstreamPerRow: number, grad: number, gradTarget: number, losses: number,
  ): number;
  crossEntropyRows(
    x: number, rows: number, C: number, targets: number, weights: number, weightSum: number, ignoreIndex: number,
    smoothing: number, upstream: number, upstreamPerRow: number, grad: number, losses: number,
  ): number;
}

const nodeBuffer = (globalThis as unknown as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

/**
 * A Float32Array of n elements for a result that the caller overwrites entirely. In Node it is
 * Buffer.allocUnsafeSlow memory: neither zero-filled nor, when malloc reuses freed memory, a fresh
 * mapping that faults on first touch (a 16 MB gradient: 1.0–1.3 ms to fill instead of 2.2 ms,
 * measured). Elsewhere it is a plain zeroed Float32Array.
 */
export function resultArray(n: number): Float32Array {
  if (!nodeBuffer || n < 4096) return new Float32Array(n);
  const bytes = nodeBuffer.allocUnsafeSlow(n * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}

/** Floats per chunk of the input (and of the gradient): 128 KiB each, well inside L2. */
const CHUNK_ELEMENTS = 1 << 15;

let exports: Exports | null | undefined;

/** Which module runs: relaxed SIMD (fused multiply-add) where the engine accepts it, else SIMD. */
let variant: WasmVariant | null = null;

/** The WebAssembly kernels an engine runs: with relaxed SIMD's fused multiply-add, or plain SIMD. */
export type WasmVariant = 'relaxed-simd' | 'simd';

function instantiate(): Exports | null {
  const wasm = host.WebAssembly;
  if (!wasm || !host.atob) return null;
  const decode = (base64: string) => Uint8Array.from(host.atob!(base64), (c: string) => c.charCodeAt(0));
  const abort = () => {
    throw new Error('losskit: WebAssembly kernel aborted');
  };
  for (const [name, base64] of [['relaxed-simd', WASM_RELAXED_BASE64], ['simd', WASM_BASE64]] as const) {
    const bytes = decode(base64);
    if (!wasm.validate(bytes)) continue; // the engine lacks a feature the module uses
    variant = name;
    return new wasm.Instance(new wasm.Module(bytes), { env: { abort } }).exports as Exports;
  }
  return null;
}

/** The kernels, instantiated on first use; null where WebAssembly SIMD is not supported. */
export function wasmKernels(): Exports | null {
  if (exports === undefined) exports = instantiate();
  return exports;
}

export function wasmAvailable(): boolean {
  return wasmKernels() !== null;
}

/**
 * Which WebAssembly kernels run in this engine: `'relaxed-simd'` (polynomials with fused
 * multiply-add: V8 ≥ 11.4, i.e. Chrome 114+ and Node 22+), `'simd'` (128-bit SIMD: Node 16.4+, every
 * current browser), or null (no WebAssembly SIMD: the TypeScript path runs). Fused and unfused
 * results differ in the last bits; both meet the same PyTorch fixtures.
 *
 * @example
 * ```ts
 * console.log(wasmVariant() !== null); // WebAssembly SIMD here
 * // true
 * ```
 */
export function wasmVariant(): WasmVariant | null {
  wasmKernels();
  return variant;
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

/** Rows of C floats per chunk: as many as fit in CHUNK_ELEMENTS, at least one. */
function rowsPerChunk(C: number): number {
  return Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(C, 1)));
}

/**
 * The first n elements of a chunk's view: the view itself when the chunk is full, since building a
 * fresh subarray per chunk is much slower in V8 (only the last chunk is short).
 */
function firstOf(view: Float32Array, n: number): Float32Array {
  return n === view.length ? view : view.subarray(0, n);
}

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
  /** Class indices (one per row), or with `probabilities` a float32 row of C per row. */
  targets: ArrayLike<number>;
  probabilities?: boolean;
  /** With probabilities: where to write the gradient with respect to the targets, or null. */
  gradTarget?: Float32Array | null;
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

/** Cross-entropy over rows of float32 logits (class indices or probability rows); returns Σ of the row losses. */
export function crossEntropyRowsWasm(request: CrossEntropyRowsRequest): number {
  const { k, scratch: s } = kernels();
  const { logits, rows, classes: C, targets, weights, grad, losses } = request;
  const chunkRows = rowsPerChunk(C);
  const perRowUpstream = typeof request.upstream !== 'number';
  const shared = perRowUpstream ? 0 : (request.upstream as number);
  const probabilities = request.probabilities === true;
  const gradTarget = request.gradTarget ?? null;
  const [xPtr, tPtr, wPtr, uPtr, lPtr, gPtr, gtPtr] = s.regions(chunkRows * C * 4, chunkRows * C * 4, C * 4, chunkRows * 4, chunkRows * 4, chunkRows * C * 4, chunkRows * C * 4);
  const buffer = k.memory.buffer;
  const xView = new Float32Array(buffer, xPtr, chunkRows * C);
  const tView = new Int32Array(buffer, tPtr, chunkRows);
  const pView = new Float32Array(buffer, tPtr, chunkRows * C);
  const gtView = new Float32Array(buffer, gtPtr, chunkRows * C);
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
    xView.set(logits.subarray(r0 * C, (r0 + n) * C));
    if (probabilities) pView.set((targets as Float32Array).subarray(r0 * C, (r0 + n) * C));
    else for (let r = 0; r < n; r++) tView[r] = targets[r0 + r];
    if (perRowUpstream) for (let r = 0; r < n; r++) uView[r] = (request.upstream as ArrayLike<number>)[r0 + r];
    total += probabilities
      ? k.crossEntropyProbRows(xPtr, n, C, tPtr, weights ? wPtr : 0, request.smoothing, shared, perRowUpstream ? uPtr : 0, grad ? gPtr : 0, gradTarget ? gtPtr : 0, losses ? lPtr : 0)
      : k.crossEntropyRows(xPtr, n, C, tPtr, weights ? wPtr : 0, weightSum, request.ignoreIndex, request.smoothing, shared, perRowUpstream ? uPtr : 0, grad ? gPtr : 0, losses ? lPtr : 0);
    if (gradTarget) gradTarget.set(firstOf(gtView, n * C), r0 * C);
    if (grad && gView) grad.set(firstOf(gView, n * C), r0 * C);
    if (losses) losses.set(firstOf(lView, n), r0);
  }
  return total;
}

/** A per-element operand: the whole array, or a pattern of `period` values repeated along it. */
export interface Operand {
  data: ArrayLike<number>;
  periodic: boolean;
}

export interface ElementwiseRequest {
  kernel: ElementwiseKernel;
  x: Float32Array;
  t: Float32Array;
  /** Elements to process: a multiple of 4 (the caller finishes the tail). */
  n: number;
  weight: Operand | null;
  aux: Operand | null;
  p1: number;
  p2: number;
  upstream: number | ArrayLike<number>;
  gx: Float32Array | null;
  gt: Float32Array | null;
  losses: Float32Array | null;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** An elementwise loss over n float32 elements; returns the sum of the (weighted) losses. */
export function elementwiseWasm(r: ElementwiseRequest): number {
  const { k, scratch: s } = kernels();
  // Chunks start at multiples of every periodic operand's period (and of 4), so that the repeated
  // pattern written once into the scratch area lines up with every chunk.
  let unit = 4;
  for (const op of [r.weight, r.aux]) if (op?.periodic) unit = (unit * op.data.length) / gcd(unit, op.data.length);
  const chunk = Math.max(unit, Math.floor(CHUNK_ELEMENTS / unit) * unit);
  const bytes = chunk * 4;
  const [xPtr, tPtr, wPtr, aPtr, uPtr, gxPtr, gtPtr, lPtr] = s.regions(...Array<number>(8).fill(bytes));
  const view = (ptr: number) => new Float32Array(k.memory.buffer, ptr, chunk);
  const [xv, tv, wv, av, uv, gxv, gtv, lv] = [xPtr, tPtr, wPtr, aPtr, uPtr, gxPtr, gtPtr, lPtr].map(view);
  for (const [op, v] of [[r.weight, wv], [r.aux, av]] as const) {
    if (op?.periodic) for (let i = 0; i < chunk; i++) v[i] = op.data[i % op.data.length];
  }
  const perElement = typeof r.upstream !== 'number';
  const kernel = k[r.kernel];
  let total = 0;
  for (let start = 0; start < r.n; start += chunk) {
    const n = Math.min(chunk, r.n - start);
    // Typed arrays are copied (and converted) by set() from a view; other array-likes element by element.
    const part = (a: ArrayLike<number>) =>
      a instanceof Float32Array || a instanceof Float64Array ? a.subarray(start, start + n) : Array.from({ length: n }, (_, i) => a[start + i]);
    xv.set(r.x.subarray(start, start + n));
    tv.set(r.t.subarray(start, start + n));
    if (r.weight && !r.weight.periodic) wv.set(part(r.weight.data));
    if (r.aux && !r.aux.periodic) av.set(part(r.aux.data));
    if (perElement) uv.set(part(r.upstream as ArrayLike<number>));
    total += kernel(
      xPtr, tPtr, r.weight ? wPtr : 0, r.aux ? aPtr : 0, n, r.p1, r.p2,
      perElement ? 0 : (r.upstream as number), perElement ? uPtr : 0, r.gx ? gxPtr : 0, r.gt ? gtPtr : 0, r.losses ? lPtr : 0,
    );
    r.gx?.set(firstOf(gxv, n), start);
    r.gt?.set(firstOf(gtv, n), start);
    r.losses?.set(firstOf(lv, n), start);
  }
  return total;
}

/** Softmax (0), log-softmax (1) or logsumexp (2) of contiguous rows of float32. */
export function softmaxRowsWasm(x: Float32Array, rows: number, C: number, mode: 0 | 1 | 2, out: Float32Array): void {
  const { k, scratch: s } = kernels();
  const chunkRows = rowsPerChunk(C);
  const outWidth = mode === 2 ? 1 : C;
  const [xPtr, oPtr] = s.regions(chunkRows * C * 4, chunkRows * outWidth * 4);
  const xView = new Float32Array(k.memory.buffer, xPtr, chunkRows * C);
  const oView = new Float32Array(k.memory.buffer, oPtr, chunkRows * outWidth);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const n = Math.min(chunkRows, rows - r0);
    xView.set(x.subarray(r0 * C, (r0 + n) * C));
    k.softmaxRows(xPtr, n, C, mode, oPtr);
    out.set(firstOf(oView, n * outWidth), r0 * outWidth);
  }
}

/**
 * Applies the kernels' exp, log, or the exp of softmax's exp-sum loop (for x <= 0: inputs above
 * 0 are outside its contract) to a copy of `values` (for the accuracy tests).
 */
export function mapWasm(which: 'exp' | 'expNonPositive' | 'log', values: Float32Array): Float32Array {
  const { k, scratch: s } = kernels();
  const [p] = s.regions(values.length * 4);
  const view = new Float32Array(k.memory.buffer, p, values.length);
  view.set(values);
  ({ exp: k.expInPlace, expNonPositive: k.expNonPositiveInPlace, log: k.logInPlace })[which](p, values.length);
  return view.slice();
}
