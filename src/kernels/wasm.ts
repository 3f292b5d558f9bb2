// The TypeScript side of the WebAssembly kernels: loading, the scratch area, and streaming rows
// through it. A chunk of rows is copied into the scratch area (which stays in cache), the kernel runs
// on it, and its gradient rows are copied to the result: the full tensors cross main memory once
// each way, as they would for a native kernel, and no call allocates beyond its result.
//
// Loading. The kernels are built twice (scripts/build-wasm.mjs): with relaxed SIMD's fused
// multiply-add, and with plain 128-bit SIMD. Two probe modules of a few dozen bytes, validated here,
// say which one the engine can run; only that build's module (its gzipped bytes as base64) is then
// imported, with a dynamic import() that every bundler turns into a chunk of its own (esbuild only
// with --splitting; without it both chunks are inlined, about 14 KB each) and that Node and browsers
// resolve unbundled, in ES modules and in CommonJS alike. The API stays synchronous: loading starts
// at the first call that would run in WebAssembly (or at wasmReady()), and calls run the TypeScript
// path until the kernels are there. Where compiling WebAssembly is refused (a Content-Security-Policy
// without 'wasm-unsafe-eval'), where the engine lacks SIMD, or where loading fails, everything keeps
// running the TypeScript path and wasmStatus() says why; nothing throws.

// The library compiles without DOM or Node types (so that it cannot use an API of either), so the
// few WebAssembly, base64 and stream globals it needs are typed here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: unknown }>;
}
interface Decompressor {
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } };
  readonly readable: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }> } };
}
import type { MatmulExports } from './matmul.js';
import type { RowExports } from './rows.js';

const host = globalThis as unknown as {
  WebAssembly?: WasmApi;
  atob?: (base64: string) => string;
  DecompressionStream?: new (format: 'gzip') => Decompressor;
};

type ElementKernel = (
  x: number, t: number, c: number, w: number, n: number, p1: number, p2: number,
  upstream: number, upstreamPtr: number, gx: number, gt: number, gc: number, losses: number,
) => number;

/**
 * The elementwise kernels (src/kernels/assembly/elementwise.ts): the one list of their names. Each
 * is built for float32 and float64 lanes and exported as `<name>_f32` and `<name>_f64`
 * (src/kernels/wasm.test.ts checks that every build exports both).
 */
export const ELEMENTWISE_KERNELS = [
  'l1', 'mse', 'smoothL1', 'bceWithLogits', 'bce', 'sigmoidFocal',
  'klDiv', 'poissonNll', 'gaussianNll', 'softMargin', 'hingeEmbedding', 'marginRanking', 'squaredHinge', 'sparsemax', 'logCosh',
] as const;

/** An elementwise kernel's name (see {@link ELEMENTWISE_KERNELS}). */
export type ElementwiseKernel = (typeof ELEMENTWISE_KERNELS)[number];

/**
 * The pointwise activation kernels (src/kernels/assembly/activations.ts): the one list of their
 * names, each exported as `<name>_f32` and `<name>_f64` (see {@link ELEMENTWISE_KERNELS}).
 */
export const ACTIVATION_KERNELS = ['sigmoid', 'logSigmoid', 'softplus'] as const;

/** A pointwise activation kernel's name (see {@link ACTIVATION_KERNELS}). */
export type ActivationKernel = (typeof ACTIVATION_KERNELS)[number];

type PointwiseKernel = (x: number, g: number, n: number, p1: number, p2: number, y: number, grad: number) => void;

/** The softmax family's kernels (activations.ts), `_f32` and `_f64` each. */
interface SoftmaxKernels {
  softmaxRows: (x: number, g: number, rows: number, L: number, mode: number, y: number, grad: number, lse: number) => number;
  softmaxStats: (x: number, g: number, rows: number, inner: number, mode: number, grad: number, state: number, first: number) => void;
  softmaxFinish: (inner: number, mode: number, state: number, lse: number) => number;
  softmaxApply: (x: number, g: number, rows: number, inner: number, mode: number, state: number, y: number, grad: number) => void;
}

/** The element types the elementwise kernels run on. */
export type KernelDtype = 'float32' | 'float64';

const KERNEL_SUFFIX: Record<KernelDtype, '_f32' | '_f64'> = { float32: '_f32', float64: '_f64' };

type Suffix = (typeof KERNEL_SUFFIX)[KernelDtype];
type ElementwiseExports = { [K in ElementwiseKernel as `${K}${Suffix}`]: ElementKernel };
type ActivationExports = { [K in ActivationKernel as `${K}${Suffix}`]: PointwiseKernel } & {
  [K in keyof SoftmaxKernels as `${K}${Suffix}`]: SoftmaxKernels[K];
};

type BoxIouKernel = (
  a: number, b: number, n: number, kind: number, eps: number, upstream: number, upstreamPerItem: number, ga: number, gb: number, losses: number,
) => void;

export interface Exports extends ElementwiseExports, ActivationExports, MatmulExports, RowExports {
  memory: WasmMemory;
  boxIou_f32: BoxIouKernel;
  boxIou_f64: BoxIouKernel;
  heapBase(): number;
  expInPlace(p: number, n: number): void;
  expNonPositiveInPlace(p: number, n: number): void;
  logInPlace(p: number, n: number): void;
  atanInPlace64(p: number, n: number): void;
  /** Test hook: math64.ts's log1p2d over n doubles in place (wasm-test-hooks.ts). */
  log1pInPlace64(p: number, n: number): void;
  crossEntropyProbRows(
    x: number, rows: number, C: number, targets: number, weights: number, smoothing: number,
    upstream: number, upstreamPerRow: number, grad: number, gradTarget: number, losses: number,
  ): number;
  crossEntropyProbRows64(
    x: number, rows: number, C: number, targets: number, weights: number, smoothing: number,
    upstream: number, upstreamPerRow: number, grad: number, gradTarget: number, losses: number,
  ): number;
  crossEntropyRows(
    x: number, rows: number, C: number, targets: number, weights: number, weightSum: number, ignoreIndex: number,
    smoothing: number, upstream: number, upstreamPerRow: number, grad: number, losses: number,
  ): number;
  crossEntropyRows64(
    x: number, rows: number, C: number, targets: number, weights: number, weightSum: number, ignoreIndex: number,
    smoothing: number, upstream: number, upstreamPerRow: number, grad: number, losses: number,
  ): number;
  crossEntropySpatial(
    x: number, B: number, C: number, targets: number, weights: number, weightSum: number, ignoreIndex: number,
    smoothing: number, upstream: number, upstreamPerItem: number, grad: number, losses: number,
  ): number;
  crossEntropySpatial64(
    x: number, B: number, C: number, targets: number, weights: number, weightSum: number, ignoreIndex: number,
    smoothing: number, upstream: number, upstreamPerItem: number, grad: number, losses: number,
  ): number;
  multiMarginRows(
    x: number, rows: number, C: number, targets: number, weights: number, margin: number, p: number,
    upstream: number, upstreamPerRow: number, grad: number, losses: number,
  ): number;
  multiMarginRows64(
    x: number, rows: number, C: number, targets: number, weights: number, margin: number, p: number,
    upstream: number, upstreamPerRow: number, grad: number, losses: number,
  ): number;
  multilabelMarginRows(
    x: number, rows: number, C: number, targets: number, upstream: number, upstreamPerRow: number,
    grad: number, losses: number, mask: number, counts: number,
  ): number;
  multilabelMarginRows64(
    x: number, rows: number, C: number, targets: number, upstream: number, upstreamPerRow: number,
    grad: number, losses: number, mask: number, counts: number,
  ): number;
}

const nodeBuffer = (globalThis as unknown as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

/**
 * A Float32Array (or Float64Array) of n elements for a result that the caller overwrites entirely. In Node it is
 * Buffer.allocUnsafeSlow memory: neither zero-filled nor, when malloc reuses freed memory, a fresh
 * mapping that faults on first touch (a 16 MB gradient: 1.0–1.3 ms to fill instead of 2.2 ms,
 * measured). Elsewhere it is a plain zeroed Float32Array.
 */
export function resultArray(n: number): Float32Array;
export function resultArray(n: number, dtype: KernelDtype): Float32Array | Float64Array;
export function resultArray(n: number, dtype: KernelDtype = 'float32'): Float32Array | Float64Array {
  const Result = dtype === 'float32' ? Float32Array : Float64Array;
  if (!nodeBuffer || n < 4096) return new Result(n);
  const bytes = nodeBuffer.allocUnsafeSlow(n * Result.BYTES_PER_ELEMENT);
  return new Result(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
}

/** Floats per chunk of the input (and of the gradient): 128 KiB each, well inside L2. */
const CHUNK_ELEMENTS = 1 << 15;

/**
 * The widest row the row kernels (cross-entropy, softmax) take: a row must fit in the scratch area
 * whole (up to seven regions of a row each), so 2^18 classes — every current language-model
 * vocabulary — bounds the scratch area at 8 MiB. Wider rows run the TypeScript path.
 */
export const MAX_ROW_ELEMENTS = 1 << 18;

/** The WebAssembly kernels an engine runs: with relaxed SIMD's fused multiply-add, or plain SIMD. */
export type WasmVariant = 'relaxed-simd' | 'simd';

/**
 * Why no WebAssembly kernel runs: `'idle'` (nothing has asked for them yet), `'loading'`,
 * `'no-webassembly'`, `'no-simd'` (the engine lacks 128-bit SIMD), `'csp'` (the engine refuses to
 * compile WebAssembly: a Content-Security-Policy without `'wasm-unsafe-eval'`), `'failed'` (the
 * kernels' module could not be imported, unpacked or instantiated; `message` says how).
 */
export type WasmUnavailable = 'idle' | 'loading' | 'no-webassembly' | 'no-simd' | 'csp' | 'failed';

/** Which path runs float32 work: a WebAssembly build, or the TypeScript reference and why. */
export interface WasmStatus {
  /** The WebAssembly build that runs, or null: everything runs the TypeScript path. */
  variant: WasmVariant | null;
  /** Why `variant` is null; null when it is not. */
  reason: WasmUnavailable | null;
  /** The engine's own words, for `'csp'` and `'failed'`. */
  message?: string;
}

/** A loaded build: its exports and its scratch area. */
interface Kernels {
  variant: WasmVariant;
  k: Exports;
  scratch: Scratch;
}

/** The build the driver uses (null until one is loaded), and what wasmStatus() reports. */
let active: Kernels | null = null;
let status: WasmStatus = { variant: null, reason: 'idle' };
let loading: Promise<WasmStatus> | null = null;
/** Set while a driver function runs: a nested call (from an element getter) takes the TypeScript path. */
let busy = false;
/** Each build, loaded at most once (loadKernels can switch between them). */
const builds: Partial<Record<WasmVariant, Promise<Kernels>>> = {};

/** Literal specifiers, so that bundlers see them and make each build a chunk of its own. */
const IMPORT: Record<WasmVariant, () => Promise<{ WASM_GZIP_BASE64: string }>> = {
  'relaxed-simd': () => import('./wasm-relaxed-simd.js'),
  simd: () => import('./wasm-simd.js'),
};

/**
 * A module of one function `() -> v128` with the given body, validated to probe a feature, never
 * run: header, type section (one type: no parameters, one v128 result), function section (one
 * function of type 0), code section (one body: no locals, the instructions, `end`).
 */
function probeModule(instructions: number[]): Uint8Array {
  return Uint8Array.of(
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00,
    0x0a, instructions.length + 4, 0x01, instructions.length + 2, 0x00, ...instructions, 0x0b,
  );
}
/** `v128.const 0` (opcode 0xfd 0x0c, 16 immediate bytes). */
const V128_ZERO = [0xfd, 0x0c, ...Array<number>(16).fill(0)];
/** SIMD: `v128.const 0`. */
export const SIMD_PROBE = probeModule(V128_ZERO);
/** Relaxed SIMD: `f32x4.relaxed_madd` (opcode 0xfd 0x105, LEB128 0x85 0x02) of three zero vectors. */
export const RELAXED_SIMD_PROBE = probeModule([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02]);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The builds this engine can run, best first, or why it can run none (decided on the probes). */
function candidates(): WasmVariant[] | WasmStatus {
  const wasm = host.WebAssembly;
  if (!wasm) return { variant: null, reason: 'no-webassembly' };
  if (!wasm.validate(SIMD_PROBE)) return { variant: null, reason: 'no-simd' };
  // Validating compiles nothing; compiling is what a Content-Security-Policy refuses. The probe
  // is compiled (synchronously: it is tiny) so that a refusal is known before any import.
  try {
    new wasm.Module(SIMD_PROBE);
  } catch (error) {
    return { variant: null, reason: 'csp', message: messageOf(error) };
  }
  return wasm.validate(RELAXED_SIMD_PROBE) ? ['relaxed-simd', 'simd'] : ['simd'];
}

/** Node's zlib, where process.getBuiltinModule (Node 20.16+) gives it without an import a bundler would follow. */
function nodeZlib(): { gunzipSync(bytes: Uint8Array): Uint8Array } | undefined {
  const node = (globalThis as unknown as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  return node?.getBuiltinModule?.('node:zlib') as { gunzipSync(bytes: Uint8Array): Uint8Array } | undefined;
}

/**
 * gzip-compressed bytes, unpacked: by the engine's DecompressionStream, or in Node by zlib
 * directly (the first DecompressionStream in Node loads its web-streams code: 25–30 ms, against
 * 1 ms; measured).
 */
async function gunzip(packed: Uint8Array): Promise<Uint8Array> {
  const zlib = nodeZlib();
  if (zlib) return zlib.gunzipSync(packed);
  if (!host.DecompressionStream) throw new Error('DecompressionStream is not available to unpack the kernels');
  const stream = new host.DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const written = writer.write(packed).then(() => writer.close());
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  for (let part = await reader.read(); !part.done; part = await reader.read()) parts.push(part.value!);
  await written;
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return bytes;
}

/** base64 to bytes, with atob (a plain loop: Uint8Array.from with a mapping function is twice as slow). */
function fromBase64(base64: string): Uint8Array {
  const binary = host.atob!(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function instantiate(variant: WasmVariant): Promise<Kernels> {
  const wasm = host.WebAssembly!;
  if (!host.atob) throw new Error('atob is not available to decode the kernels');
  const { WASM_GZIP_BASE64 } = await IMPORT[variant]();
  const bytes = await gunzip(fromBase64(WASM_GZIP_BASE64));
  // The probes stand for the whole build; an engine that validates them and not the build (a
  // partial implementation) falls back to the next build.
  if (!wasm.validate(bytes)) throw new Error(`this engine does not validate the ${variant} build`);
  const abort = () => {
    throw new Error('losskit: WebAssembly kernel aborted');
  };
  const k = (await wasm.instantiate(await wasm.compile(bytes), { env: { abort } })).exports as Exports;
  return { variant, k, scratch: new Scratch(k) };
}

function activate(kernels: Kernels): WasmStatus {
  active = kernels;
  return (status = { variant: kernels.variant, reason: null });
}

/**
 * Loads the WebAssembly kernels (the best build this engine runs) if that has not started, and
 * resolves once they run — or once it is known that they cannot (never rejects). Until then,
 * every call runs the TypeScript path (with the same results, within float32 rounding): await it
 * once at start-up to have the kernels from the first call, e.g. before a synchronous training loop
 * or a benchmark. Loading also starts by itself at the first call that would use the kernels.
 *
 * ```ts
 * const { variant, reason } = await wasmReady();
 * console.log(variant ?? `TypeScript path: ${reason}`); // 'relaxed-simd' in Chrome 114+ and Node 22+
 * ```
 */
export function wasmReady(): Promise<WasmStatus> {
  loading ??= (async () => {
    try {
      const found = candidates();
      if (!Array.isArray(found)) return (status = found);
      status = { variant: null, reason: 'loading' };
      const failures: string[] = [];
      for (const variant of found) {
        try {
          return activate(await (builds[variant] ??= instantiate(variant)));
        } catch (error) {
          failures.push(`${variant}: ${messageOf(error)}`);
        }
      }
      return (status = { variant: null, reason: 'failed', message: failures.join('; ') });
    } catch (error) {
      return (status = { variant: null, reason: 'failed', message: messageOf(error) });
    }
  })();
  return loading.then(() => wasmStatus());
}

/**
 * Makes the given build the one that runs (internal, for the tests that run both builds in one
 * process); rejects where the engine cannot run it.
 */
export async function loadKernels(variant: WasmVariant): Promise<WasmStatus> {
  await wasmReady();
  if (status.reason === 'csp' || status.reason === 'no-simd' || status.reason === 'no-webassembly') {
    throw new Error(`loadKernels: no WebAssembly kernel runs here (${status.reason})`);
  }
  return activate(await (builds[variant] ??= instantiate(variant)));
}

/**
 * Which path runs float32 work: the WebAssembly build (`variant`) or, with `variant` null, the
 * TypeScript reference and why (`reason`: `'idle'` or `'loading'` before the kernels are there —
 * see {@link wasmReady} — or `'no-webassembly'`, `'no-simd'`, `'csp'`, `'failed'` for good).
 * Never throws, and starts nothing.
 *
 * @example
 * ```ts
 * const { variant, reason } = wasmStatus();
 * console.log(variant !== null || reason);  // after await wasmReady(), here
 * // true
 * ```
 */
export function wasmStatus(): WasmStatus {
  return { ...status };
}

/**
 * Which WebAssembly kernels run: `'relaxed-simd'` (polynomials with fused multiply-add: V8 ≥ 11.4,
 * i.e. Chrome 114+ and Node 22+), `'simd'` (128-bit SIMD: Node 16.4+, every current browser), or
 * null — not loaded yet (see {@link wasmReady}) or not available ({@link wasmStatus} says why): the
 * TypeScript path runs. Fused and unfused results differ in the last bits; both meet the same
 * PyTorch fixtures.
 *
 * @example
 * ```ts
 * console.log(wasmVariant() !== null); // after await wasmReady(), with WebAssembly SIMD here
 * // true
 * ```
 */
export function wasmVariant(): WasmVariant | null {
  return status.variant;
}

/**
 * Whether a call over rows of `rowLength` floats can run on the kernels now: they are loaded
 * (loading starts here otherwise), no kernel call is under way (a nested call from an element
 * getter would overwrite the scratch area mid-call), the row is at most MAX_ROW_ELEMENTS, and the
 * scratch memory the call needs was obtained (else the TypeScript path computes it).
 */
export function kernelsCanRun(rowLength: number): boolean {
  if (!active) {
    if (status.reason === 'idle') void wasmReady();
    return false;
  }
  if (busy || rowLength > MAX_ROW_ELEMENTS) return false;
  // At most nine regions of max(chunk, row) floats each, 16-byte aligned (see the drivers below).
  return active.scratch.reserve(9 * (4 * Math.max(CHUNK_ELEMENTS, rowLength) + 16));
}

/** Scratch regions (byte offsets) in a build's memory, grown on demand and then reused. */
export class Scratch {
  private readonly base: number;
  constructor(private readonly k: Exports) {
    this.base = k.heapBase();
  }

  /** Grows the memory to hold `bytes` of scratch; false where the engine refuses (out of memory). */
  reserve(bytes: number): boolean {
    const missing = this.base + bytes - this.k.memory.buffer.byteLength;
    if (missing <= 0) return true;
    try {
      this.k.memory.grow(Math.ceil(missing / 65536));
      return true;
    } catch {
      return false;
    }
  }

  /** Consecutive regions of the given byte sizes (16-byte aligned): their offsets. */
  regions(...sizes: number[]): number[] {
    const offsets: number[] = [];
    let end = this.base;
    for (const size of sizes) {
      offsets.push(end);
      end += (size + 15) & ~15;
    }
    // The losses reserved this when kernelsCanRun() chose the kernels, so only the test hooks get here.
    if (!this.reserve(end - this.base)) throw new Error(`losskit: the WebAssembly kernels could not get ${end - this.base} bytes of memory`);
    return offsets;
  }
}

/** Rows of C floats per chunk: as many as fit in CHUNK_ELEMENTS, at least one. */
function rowsPerChunk(C: number): number {
  return Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(C, 1)));
}

/**
 * The first n elements of a chunk's view: the view itself when the chunk is full, since building a
 * fresh subarray per chunk is much slower in V8 (only the last chunk is short).
 */
function firstOf<V extends Float32Array | Float64Array>(view: V, n: number): V {
  return n === view.length ? view : (view.subarray(0, n) as V);
}

/**
 * Runs a driver function on the active build, marked busy: the function reads array-likes element
 * by element, and an element getter (a Proxy) may call another loss, which must not touch the
 * scratch area in the middle of this call (kernelsCanRun sends it to the TypeScript path).
 */
export function withKernels<R>(run: (k: Exports, scratch: Scratch) => R): R {
  if (!active || busy) throw new Error('losskit: the WebAssembly kernels are not loaded, or already in use');
  busy = true;
  try {
    return run(active.k, active.scratch);
  } finally {
    busy = false;
  }
}

export interface CrossEntropyRowsRequest {
  /** float32 or float64 rows. */
  logits: Float32Array | Float64Array;
  rows: number;
  classes: number;
  /** Class indices (one per row), or with `probabilities` a row of C per row (the logits' dtype). */
  targets: ArrayLike<number>;
  probabilities?: boolean;
  /** With probabilities: where to write the gradient with respect to the targets (the logits' dtype), or null. */
  gradTarget?: Float32Array | Float64Array | null;
  weights: ArrayLike<number> | null;
  ignoreIndex: number;
  smoothing: number;
  /** Upstream gradient: one number for every row, or one per row. */
  upstream: number | ArrayLike<number>;
  /** Where to write the gradient (rows × classes, the logits' dtype), or null for the forward pass only. */
  grad: Float32Array | Float64Array | null;
  /** Where to write the per-row losses (the logits' dtype), or null. */
  losses: Float32Array | Float64Array | null;
}

/**
 * Cross-entropy over rows of float32 logits or of float64 logits (crossEntropyRows64 and
 * crossEntropyProbRows64, in chunks of half as many rows), with class indices or probability rows;
 * returns Σ of the row losses.
 */
export function crossEntropyRowsWasm(request: CrossEntropyRowsRequest): number {
  return withKernels((k, s) => {
    const { logits, rows, classes: C, targets, weights, grad, losses } = request;
    const wide = logits.BYTES_PER_ELEMENT === 8;
    const F = wide ? Float64Array : Float32Array;
    const bytes = logits.BYTES_PER_ELEMENT;
    const chunkRows = rowsPerChunk(wide ? 2 * C : C);
    const perRowUpstream = typeof request.upstream !== 'number';
    const shared = perRowUpstream ? 0 : (request.upstream as number);
    const probabilities = request.probabilities === true;
    const gradTarget = request.gradTarget ?? null;
    const [xPtr, tPtr, wPtr, uPtr, lPtr, gPtr, gtPtr] = s.regions(
      chunkRows * C * bytes, probabilities ? chunkRows * C * bytes : chunkRows * 4, C * bytes, chunkRows * bytes, chunkRows * bytes, chunkRows * C * bytes, probabilities ? chunkRows * C * bytes : 0,
    );
    const buffer = k.memory.buffer;
    const xView = new F(buffer, xPtr, chunkRows * C);
    const tView = new Int32Array(buffer, tPtr, chunkRows);
    const pView = probabilities ? new F(buffer, tPtr, chunkRows * C) : null;
    const gtView = probabilities ? new F(buffer, gtPtr, chunkRows * C) : null;
    const uView = new F(buffer, uPtr, chunkRows);
    const lView = new F(buffer, lPtr, chunkRows);
    const gView = grad ? new F(buffer, gPtr, chunkRows * C) : null;
    let weightSum = C;
    if (weights) {
      const wView = new F(buffer, wPtr, C);
      wView.set(weights);
      weightSum = 0;
      for (let c = 0; c < C; c++) weightSum += wView[c];
    }
    let total = 0;
    for (let r0 = 0; r0 < rows; r0 += chunkRows) {
      const n = Math.min(chunkRows, rows - r0);
      xView.set(logits.subarray(r0 * C, (r0 + n) * C));
      if (pView) pView.set((targets as Float32Array | Float64Array).subarray(r0 * C, (r0 + n) * C));
      else for (let r = 0; r < n; r++) tView[r] = targets[r0 + r];
      if (perRowUpstream) for (let r = 0; r < n; r++) uView[r] = (request.upstream as ArrayLike<number>)[r0 + r];
      const [w, u, g, l] = [weights ? wPtr : 0, perRowUpstream ? uPtr : 0, grad ? gPtr : 0, losses ? lPtr : 0];
      total += probabilities
        ? (wide ? k.crossEntropyProbRows64 : k.crossEntropyProbRows)(xPtr, n, C, tPtr, w, request.smoothing, shared, u, g, gradTarget ? gtPtr : 0, l)
        : (wide ? k.crossEntropyRows64 : k.crossEntropyRows)(xPtr, n, C, tPtr, w, weightSum, request.ignoreIndex, request.smoothing, shared, u, g, l);
      if (gradTarget && gtView) gradTarget.set(firstOf(gtView, n * C), r0 * C);
      if (grad && gView) grad.set(firstOf(gView, n * C), r0 * C);
      if (losses) losses.set(firstOf(lView, n), r0);
    }
    return total;
  });
}

export interface MultiMarginRowsRequest {
  /** [rows, classes] logits, float32 or float64. */
  logits: Float32Array | Float64Array;
  rows: number;
  classes: number;
  /** Class indices, one per row (checked). */
  targets: ArrayLike<number>;
  weights: ArrayLike<number> | null;
  margin: number;
  p: 1 | 2;
  /** Upstream gradient: one number for every row, or one per row. */
  upstream: number | ArrayLike<number>;
  /** Where to write the gradient (the logits' dtype), or null for the forward pass only. */
  grad: Float32Array | Float64Array | null;
  /** Where to write the per-row losses. */
  losses: Float64Array;
}

/**
 * multiMarginLoss over rows of float32 or float64 logits (src/kernels/assembly/margin.ts, float64
 * arithmetic for both), streamed through the scratch area in chunks of rows.
 */
export function multiMarginRowsWasm(request: MultiMarginRowsRequest): void {
  withKernels((k, s) => {
    const { logits, rows, classes: C, targets, weights, grad, losses } = request;
    const bytes = logits.BYTES_PER_ELEMENT;
    const F = bytes === 8 ? Float64Array : Float32Array;
    const chunkRows = rowsPerChunk(bytes === 8 ? 2 * C : C);
    const perRow = typeof request.upstream !== 'number';
    const shared = perRow ? 0 : (request.upstream as number);
    const [xPtr, tPtr, wPtr, uPtr, lPtr, gPtr] = s.regions(chunkRows * C * bytes, chunkRows * 4, C * 8, chunkRows * 8, chunkRows * 8, chunkRows * C * bytes);
    const buffer = k.memory.buffer;
    const xView = new F(buffer, xPtr, chunkRows * C);
    const tView = new Int32Array(buffer, tPtr, chunkRows);
    const uView = new Float64Array(buffer, uPtr, chunkRows);
    const lView = new Float64Array(buffer, lPtr, chunkRows);
    const gView = new F(buffer, gPtr, chunkRows * C);
    if (weights) new Float64Array(buffer, wPtr, C).set(weights);
    const kernel = bytes === 8 ? k.multiMarginRows64 : k.multiMarginRows;
    for (let r0 = 0; r0 < rows; r0 += chunkRows) {
      const n = Math.min(chunkRows, rows - r0);
      xView.set(logits.subarray(r0 * C, (r0 + n) * C));
      for (let r = 0; r < n; r++) tView[r] = targets[r0 + r];
      if (perRow) for (let r = 0; r < n; r++) uView[r] = (request.upstream as ArrayLike<number>)[r0 + r];
      kernel(xPtr, n, C, tPtr, weights ? wPtr : 0, request.margin, request.p, shared, perRow ? uPtr : 0, grad ? gPtr : 0, lPtr);
      if (grad) grad.set(firstOf(gView, n * C), r0 * C);
      losses.set(firstOf(lView, n), r0);
    }
  });
}

/**
 * multilabelMarginLoss over rows of float32 or float64 logits with their target rows (class
 * indices ended by −1; src/kernels/assembly/margin.ts, float64 arithmetic for both), streamed
 * through the scratch area in chunks of rows.
 */
export function multilabelMarginRowsWasm(request: Omit<MultiMarginRowsRequest, 'weights' | 'margin' | 'p'>): void {
  withKernels((k, s) => {
    const { logits, rows, classes: C, targets, grad, losses } = request;
    const bytes = logits.BYTES_PER_ELEMENT;
    const F = bytes === 8 ? Float64Array : Float32Array;
    const chunkRows = rowsPerChunk(2 * C);
    const perRow = typeof request.upstream !== 'number';
    const shared = perRow ? 0 : (request.upstream as number);
    const [xPtr, tPtr, uPtr, lPtr, gPtr, mPtr, cPtr] = s.regions(chunkRows * C * bytes, chunkRows * C * 4, chunkRows * 8, chunkRows * 8, chunkRows * C * bytes, C * 8, C * 8);
    const buffer = k.memory.buffer;
    const xView = new F(buffer, xPtr, chunkRows * C);
    const tView = new Int32Array(buffer, tPtr, chunkRows * C);
    const uView = new Float64Array(buffer, uPtr, chunkRows);
    const lView = new Float64Array(buffer, lPtr, chunkRows);
    const gView = new F(buffer, gPtr, chunkRows * C);
    const kernel = bytes === 8 ? k.multilabelMarginRows64 : k.multilabelMarginRows;
    const typedTargets = ArrayBuffer.isView(targets);
    for (let r0 = 0; r0 < rows; r0 += chunkRows) {
      const n = Math.min(chunkRows, rows - r0);
      xView.set(logits.subarray(r0 * C, (r0 + n) * C));
      if (typedTargets) tView.set((targets as Int32Array).subarray(r0 * C, (r0 + n) * C));
      else for (let i = 0; i < n * C; i++) tView[i] = targets[r0 * C + i];
      if (perRow) for (let r = 0; r < n; r++) uView[r] = (request.upstream as ArrayLike<number>)[r0 + r];
      kernel(xPtr, n, C, tPtr, shared, perRow ? uPtr : 0, grad ? gPtr : 0, lPtr, mPtr, cPtr);
      if (grad) grad.set(firstOf(gView, n * C), r0 * C);
      losses.set(firstOf(lView, n), r0);
    }
  });
}

/** The box-IoU losses the kernel computes (src/kernels/assembly/box-iou.ts), by its `kind` argument: index in this list. */
export const BOX_IOU_KINDS = ['generalized', 'distance', 'complete'] as const;

export interface BoxIouRequest {
  /** [n, 4] boxes (x1, y1, x2, y2), float32 or float64 (both the same). */
  boxes1: Float32Array | Float64Array;
  boxes2: Float32Array | Float64Array;
  kind: (typeof BOX_IOU_KINDS)[number];
  eps: number;
  /** Upstream gradient: one number for every pair, or one per pair. */
  upstream: number | ArrayLike<number>;
  /** Where to write u · the gradient with respect to each box (the boxes' dtype), or null. */
  grad1: Float32Array | Float64Array | null;
  grad2: Float32Array | Float64Array | null;
  /** Where to write each pair's loss. */
  losses: Float64Array;
}

/** The box-IoU losses of float32 or float64 box pairs, streamed through the scratch area in chunks of pairs. */
export function boxIouWasm(request: BoxIouRequest): void {
  withKernels((k, s) => {
    const { boxes1, boxes2, grad1, grad2, losses } = request;
    const wide = boxes1.BYTES_PER_ELEMENT === 8;
    const F = wide ? Float64Array : Float32Array;
    const bytes = boxes1.BYTES_PER_ELEMENT;
    // Pairs per chunk: each region at most CHUNK_ELEMENTS floats' bytes, as kernelsCanRun reserved.
    const chunk = CHUNK_ELEMENTS / 8;
    const perItem = typeof request.upstream !== 'number';
    const shared = perItem ? 0 : (request.upstream as number);
    const [aPtr, bPtr, uPtr, lPtr, g1Ptr, g2Ptr] = s.regions(4 * chunk * bytes, 4 * chunk * bytes, chunk * 8, chunk * 8, 4 * chunk * bytes, 4 * chunk * bytes);
    const buffer = k.memory.buffer;
    const aView = new F(buffer, aPtr, 4 * chunk);
    const bView = new F(buffer, bPtr, 4 * chunk);
    const uView = new Float64Array(buffer, uPtr, chunk);
    const lView = new Float64Array(buffer, lPtr, chunk);
    const g1View = new F(buffer, g1Ptr, 4 * chunk);
    const g2View = new F(buffer, g2Ptr, 4 * chunk);
    const kernel = wide ? k.boxIou_f64 : k.boxIou_f32;
    const kind = BOX_IOU_KINDS.indexOf(request.kind);
    const count = losses.length;
    for (let i0 = 0; i0 < count; i0 += chunk) {
      const n = Math.min(chunk, count - i0);
      aView.set(boxes1.subarray(4 * i0, 4 * (i0 + n)));
      bView.set(boxes2.subarray(4 * i0, 4 * (i0 + n)));
      if (perItem) for (let i = 0; i < n; i++) uView[i] = (request.upstream as ArrayLike<number>)[i0 + i];
      kernel(aPtr, bPtr, n, kind, request.eps, shared, perItem ? uPtr : 0, grad1 ? g1Ptr : 0, grad2 ? g2Ptr : 0, lPtr);
      if (grad1) grad1.set(firstOf(g1View, 4 * n), 4 * i0);
      if (grad2) grad2.set(firstOf(g2View, 4 * n), 4 * i0);
      losses.set(firstOf(lView, n), i0);
    }
  });
}

/** Copies `run` floats from src[from] to dst[to]: element by element for short runs (a subarray costs more than a few copies). */
function copyRun<V extends Float32Array | Float64Array>(src: V, from: number, dst: V, to: number, run: number): void {
  if (run < 16) for (let j = 0; j < run; j++) dst[to + j] = src[from + j];
  else dst.set(src.subarray(from, from + run), to);
}

export interface CrossEntropySpatialRequest {
  /** [N, C, inner] logits, float32 or float64 (crossEntropySpatial64). */
  logits: Float32Array | Float64Array;
  samples: number;
  classes: number;
  inner: number;
  /** Class indices, N × inner (item order). */
  targets: ArrayLike<number>;
  weights: ArrayLike<number> | null;
  ignoreIndex: number;
  smoothing: number;
  /** Upstream gradient: one number for every item, or one per item. */
  upstream: number | ArrayLike<number>;
  /** Where to write the gradient ([N, C, inner], the logits' dtype), or null for the forward pass only. */
  grad: Float32Array | Float64Array | null;
  /** Where to write the per-item losses (N × inner, the logits' dtype), or null. */
  losses: Float32Array | Float64Array | null;
}

/**
 * Cross-entropy of K-dimensional logits with class indices, float32 or float64
 * (src/kernels/assembly/cross-entropy-spatial.ts); returns Σ of the item losses. Blocks of B
 * consecutive items (B a multiple of 4, B · C within a chunk's bytes) are copied into the scratch
 * area as [C, B], one run of the inner dimension per sample and class; the last block is padded
 * with ignored items.
 */
export function crossEntropySpatialWasm(request: CrossEntropySpatialRequest): number {
  return withKernels((k, s) => {
    const { logits, samples, classes: C, inner, targets, weights, grad, losses } = request;
    const bytes = logits.BYTES_PER_ELEMENT;
    const F = bytes === 8 ? Float64Array : Float32Array;
    const B = Math.max(4, Math.floor((4 * CHUNK_ELEMENTS) / bytes / C / 4) * 4);
    const items = samples * inner;
    const perItem = typeof request.upstream !== 'number';
    const shared = perItem ? 0 : (request.upstream as number);
    const [xPtr, tPtr, wPtr, uPtr, lPtr, gPtr] = s.regions(B * C * bytes, B * 4, C * bytes, B * bytes, B * bytes, B * C * bytes);
    const buffer = k.memory.buffer;
    const xView = new F(buffer, xPtr, B * C);
    const tView = new Int32Array(buffer, tPtr, B);
    const uView = new F(buffer, uPtr, B);
    const lView = new F(buffer, lPtr, B);
    const gView = new F(buffer, gPtr, B * C);
    const kernel = bytes === 8 ? k.crossEntropySpatial64 : k.crossEntropySpatial;
    // The kernel always reads weights: ones when there are none.
    const wView = new F(buffer, wPtr, C);
    if (weights) wView.set(weights);
    else wView.fill(1);
    let weightSum = 0;
    for (let c = 0; c < C; c++) weightSum += wView[c];
    const typedTargets = ArrayBuffer.isView(targets);
    let total = 0;
    for (let i0 = 0; i0 < items; i0 += B) {
      const n = Math.min(B, items - i0);
      const width = (n + 3) & ~3;
      // Runs of the inner dimension: item i = sample · inner + s sits at column i − i0 (class stride width).
      for (let i = i0; i < i0 + n; ) {
        const sample = Math.floor(i / inner);
        const s0 = i - sample * inner;
        const run = Math.min(inner - s0, i0 + n - i);
        const from = sample * C * inner + s0;
        for (let c = 0; c < C; c++) copyRun(logits, from + c * inner, xView, c * width + (i - i0), run);
        i += run;
      }
      if (typedTargets) tView.set((targets as Int32Array).subarray(i0, i0 + n));
      else for (let j = 0; j < n; j++) tView[j] = targets[i0 + j];
      tView.fill(request.ignoreIndex, n, width);
      if (perItem) fillRepeated(uView, request.upstream as ArrayLike<number>, i0, n);
      total += kernel(xPtr, width, C, tPtr, wPtr, weightSum, request.ignoreIndex, request.smoothing, shared, perItem ? uPtr : 0, grad ? gPtr : 0, losses ? lPtr : 0);
      if (losses) losses.set(firstOf(lView, n), i0);
      if (grad) {
        for (let i = i0; i < i0 + n; ) {
          const sample = Math.floor(i / inner);
          const s0 = i - sample * inner;
          const run = Math.min(inner - s0, i0 + n - i);
          const to = sample * C * inner + s0;
          for (let c = 0; c < C; c++) copyRun(gView, c * width + (i - i0), grad, to + c * inner, run);
          i += run;
        }
      }
    }
    return total;
  });
}

/**
 * A per-element operand of n elements: element i is `data[i]`; `data[i mod length]` when
 * `periodic` (a pattern along the last dimensions, such as a weight per class);
 * `data[floor(i / repeat)]` (each value repeated along the last dimensions: a variance per row);
 * or `data[map[i]]` (any other broadcast).
 */
export interface Operand {
  data: ArrayLike<number>;
  periodic: boolean;
  repeat: number;
  map: Int32Array | null;
}

export interface ElementwiseRequest {
  kernel: ElementwiseKernel;
  dtype: KernelDtype;
  /** The first operand (float32 data for 'float32'). */
  x: Float32Array | Float64Array;
  /** The second operand, one per element (typed arrays). */
  t: Float32Array | Float64Array | Int32Array;
  /** The third operand (a tensor argument or an option tensor such as posWeight), or null. */
  c: Operand | null;
  weight: Operand | null;
  /** Elements to process: a multiple of 4 (the caller finishes the tail). */
  n: number;
  p1: number;
  p2: number;
  upstream: number | ArrayLike<number>;
  /** Gradient outputs (of the kernel's dtype), or null. */
  gx: Float32Array | Float64Array | null;
  gt: Float32Array | Float64Array | null;
  /** The third operand's gradient: written per element, or for a broadcast operand added up into its elements. */
  gc: { into: Float32Array | Float64Array; operand: Operand } | null;
  losses: Float32Array | Float64Array | null;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

type View = Float32Array | Float64Array;

/**
 * Writes elements from..from+n of `data` repeated end to end (data itself when from + n fits in
 * it) into view: typed arrays by runs (set() copies and converts), other array-likes one by one.
 */
function fillRepeated(view: View, data: ArrayLike<number>, from: number, n: number): void {
  const period = data.length;
  // isView, not instanceof: a Proxy of a typed array passes instanceof but its methods throw.
  const typed = ArrayBuffer.isView(data);
  for (let i = 0, j = from % period; i < n; j = 0) {
    const run = Math.min(n - i, period - j);
    if (typed) view.set((data as Float32Array).subarray(j, j + run), i);
    else for (let m = 0; m < run; m++) view[i + m] = data[j + m];
    i += run;
  }
}

/** Elements from..from+n of an operand into view. */
function fillOperand(view: View, op: Operand, from: number, n: number): void {
  const { data, map, repeat } = op;
  if (map) for (let i = 0; i < n; i++) view[i] = data[map[from + i]];
  else if (repeat > 1) {
    for (let i = 0; i < n; ) {
      const j = Math.floor((from + i) / repeat);
      const end = Math.min(n, (j + 1) * repeat - from);
      view.fill(data[j], i, end);
      i = end;
    }
  } else fillRepeated(view, data, from, n);
}

/** Adds a chunk's per-element gradients (from..from+n) into the elements of the broadcast operand they read. */
function addInto(into: Float32Array | Float64Array, op: Operand, grads: View, from: number, n: number): void {
  const { map, repeat } = op;
  if (map) for (let i = 0; i < n; i++) into[map[from + i]] += grads[i];
  else {
    for (let i = 0; i < n; ) {
      const j = Math.floor((from + i) / repeat);
      const end = Math.min(n, (j + 1) * repeat - from);
      let sum = 0;
      for (let m = i; m < end; m++) sum += grads[m];
      into[j] += sum;
      i = end;
    }
  }
}

/** Bytes per region of the scratch area an elementwise call streams through. */
const CHUNK_BYTES = 4 * CHUNK_ELEMENTS;

/** An elementwise loss over n elements (float32 or float64); returns the sum of the (weighted) losses. */
export function elementwiseWasm(r: ElementwiseRequest): number {
  return withKernels((k, s) => {
    const View = r.dtype === 'float32' ? Float32Array : Float64Array;
    const chunkElements = CHUNK_BYTES / View.BYTES_PER_ELEMENT;
    // A periodic operand is written into the scratch area once when chunks can start at multiples
    // of its period (and of 4, and of the other periodic operand's period) while holding at most
    // a chunk; otherwise (a long period: 4·(2^25 + 1) elements for a [1, 2^25 + 1] posWeight)
    // it is streamed like a full operand, from its pattern, so that the scratch area stays bounded.
    let unit = 4;
    const once = [r.weight, r.c].map((op) => {
      if (!op?.periodic) return false;
      const next = (unit * op.data.length) / gcd(unit, op.data.length);
      if (next > chunkElements) return false;
      unit = next;
      return true;
    });
    const chunk = Math.floor(chunkElements / unit) * unit;
    const [xPtr, tPtr, cPtr, wPtr, uPtr, gxPtr, gtPtr, gcPtr, lPtr] = s.regions(...Array<number>(9).fill(CHUNK_BYTES));
    const view = (ptr: number) => new View(k.memory.buffer, ptr, chunk);
    const [xv, tv, cv, wv, uv, gxv, gtv, gcv, lv] = [xPtr, tPtr, cPtr, wPtr, uPtr, gxPtr, gtPtr, gcPtr, lPtr].map(view);
    const operands = [[r.weight, wv], [r.c, cv]] as const;
    operands.forEach(([op, v], i) => {
      if (op && once[i]) fillRepeated(v, op.data, 0, chunk);
    });
    const perElement = typeof r.upstream !== 'number';
    const kernel = k[`${r.kernel}${KERNEL_SUFFIX[r.dtype]}`];
    const gc = r.gc;
    let total = 0;
    for (let start = 0; start < r.n; start += chunk) {
      const n = Math.min(chunk, r.n - start);
      xv.set(r.x.subarray(start, start + n));
      tv.set(r.t.subarray(start, start + n));
      operands.forEach(([op, v], i) => {
        if (op && !once[i]) fillOperand(v, op, start, n);
      });
      if (perElement) fillRepeated(uv, r.upstream as ArrayLike<number>, start, n);
      total += kernel(
        xPtr, tPtr, r.c ? cPtr : 0, r.weight ? wPtr : 0, n, r.p1, r.p2,
        perElement ? 0 : (r.upstream as number), perElement ? uPtr : 0, r.gx ? gxPtr : 0, r.gt ? gtPtr : 0, gc ? gcPtr : 0, r.losses ? lPtr : 0,
      );
      r.gx?.set(firstOf(gxv, n), start);
      r.gt?.set(firstOf(gtv, n), start);
      r.losses?.set(firstOf(lv, n), start);
      if (gc && (gc.operand.map || gc.operand.repeat > 1)) addInto(gc.into, gc.operand, gcv, start, n);
      else gc?.into.set(firstOf(gcv, n), start);
    }
    return total;
  });
}

/** A pointwise activation over n elements of x: its values into `value`, and with `grad` its VJP with g (null: ones). */
export interface PointwiseActivationRequest {
  kernel: ActivationKernel;
  dtype: KernelDtype;
  x: Float32Array | Float64Array;
  g: Float32Array | Float64Array | Int32Array | null;
  p1: number;
  p2: number;
  value: Float32Array | Float64Array;
  grad: Float32Array | Float64Array | null;
}

/**
 * Streams a pointwise activation through two scratch regions: the kernel writes the values over
 * its chunk of x and the gradient over its chunk of g, so a chunk's working set is 2 × 128 KiB.
 */
export function pointwiseActivationWasm(r: PointwiseActivationRequest): void {
  withKernels((k, s) => {
    const View = r.dtype === 'float32' ? Float32Array : Float64Array;
    const chunk = CHUNK_BYTES / View.BYTES_PER_ELEMENT;
    const [xPtr, gPtr] = s.regions(CHUNK_BYTES, CHUNK_BYTES);
    const xv = new View(k.memory.buffer, xPtr, chunk);
    const gv = new View(k.memory.buffer, gPtr, chunk);
    const kernel = k[`${r.kernel}${KERNEL_SUFFIX[r.dtype]}`];
    const { x, g, grad, value } = r;
    for (let start = 0; start < x.length; start += chunk) {
      const n = Math.min(chunk, x.length - start);
      xv.set(x.subarray(start, start + n));
      if (g && grad) gv.set(g.subarray(start, start + n));
      kernel(xPtr, g && grad ? gPtr : 0, n, r.p1, r.p2, xPtr, grad ? gPtr : 0);
      value.set(firstOf(xv, n), start);
      grad?.set(firstOf(gv, n), start);
    }
  });
}

/** The softmax family's modes, as the kernels number them. */
export const SOFTMAX_MODES = { softmax: 0, logSoftmax: 1, logSumExp: 2 } as const;

/**
 * A softmax, logSoftmax or logSumExp of x seen as [outer, length, inner] along its middle
 * dimension: values into `value` (x's shape, or [outer, inner] for logSumExp), and with `grad` the
 * VJP with g (x's shape; [outer, inner] for logSumExp; null: ones).
 */
export interface SoftmaxRequest {
  mode: keyof typeof SOFTMAX_MODES;
  dtype: KernelDtype;
  x: Float32Array | Float64Array;
  outer: number;
  length: number;
  inner: number;
  g: Float32Array | Float64Array | Int32Array | null;
  value: Float32Array | Float64Array;
  grad: Float32Array | Float64Array | null;
}

/**
 * The softmax family on the kernels: contiguous rows (inner = 1) a chunk of whole rows at a time,
 * other dimensions in two streaming passes over contiguous chunks of rows of `inner` columns (the
 * column statistics, then the results; see activations.ts). False, with the outputs partly
 * written, when a lane holds NaN or ±inf: the caller then runs the TypeScript path.
 */
export function softmaxWasm(r: SoftmaxRequest): boolean {
  return withKernels((k, s) => {
    const wide = r.dtype === 'float64';
    const View = wide ? Float64Array : Float32Array;
    const bytes = View.BYTES_PER_ELEMENT;
    const suffix = KERNEL_SUFFIX[r.dtype];
    const mode = SOFTMAX_MODES[r.mode];
    const { x, g, grad, value, outer, length: L, inner } = r;
    const reduced = mode === 2;
    const row = inner === 1 ? L : inner;
    const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / bytes / row));
    const block = chunkRows * row;
    // One vector of padding per region (the kernels run over whole vectors).
    const perLane = inner === 1 ? chunkRows : inner;
    const stateStride = Math.ceil(inner / (16 / bytes)) * 16;
    const [xPtr, gPtr, yPtr, gradPtr, lsePtr, statePtr] = s.regions(
      block * bytes + 16, (reduced ? perLane : block) * bytes + 16, block * bytes + 16, block * bytes + 16, perLane * bytes + 16, inner === 1 ? 0 : 4 * stateStride,
    );
    const buffer = k.memory.buffer;
    const xv = new View(buffer, xPtr, block);
    const gv = new View(buffer, gPtr, reduced ? perLane : block);
    const yv = new View(buffer, yPtr, block);
    const gradv = new View(buffer, gradPtr, block);
    const lsev = new View(buffer, lsePtr, perLane);
    const G = g && grad ? gPtr : 0;
    const D = grad ? gradPtr : 0;
    if (inner === 1) {
      const rows = outer;
      for (let r0 = 0; r0 < rows; r0 += chunkRows) {
        const n = Math.min(chunkRows, rows - r0);
        xv.set(x.subarray(r0 * L, (r0 + n) * L));
        if (G) gv.set(reduced ? g!.subarray(r0, r0 + n) : g!.subarray(r0 * L, (r0 + n) * L));
        if (k[`softmaxRows${suffix}`](xPtr, G, n, L, mode, yPtr, D, lsePtr) !== 0) return false;
        if (reduced) value.set(firstOf(lsev, n), r0);
        else value.set(firstOf(yv, n * L), r0 * L);
        grad?.set(firstOf(gradv, n * L), r0 * L);
      }
      return true;
    }
    const stats = k[`softmaxStats${suffix}`];
    const apply = k[`softmaxApply${suffix}`];
    const slab = L * inner;
    for (let o = 0; o < outer; o++) {
      for (let r0 = 0; r0 < L; r0 += chunkRows) {
        const from = o * slab + r0 * inner;
        const n = Math.min(chunkRows, L - r0);
        xv.set(x.subarray(from, from + n * inner));
        if (G && !reduced) gv.set(g!.subarray(from, from + n * inner));
        stats(xPtr, reduced ? 0 : G, n, inner, mode, grad ? 1 : 0, statePtr, r0 === 0 ? 1 : 0);
      }
      if (k[`softmaxFinish${suffix}`](inner, mode, statePtr, lsePtr) !== 0) return false;
      if (reduced) {
        value.set(firstOf(lsev, inner), o * inner);
        if (!grad) continue;
        if (G) gv.set(g!.subarray(o * inner, (o + 1) * inner));
      }
      for (let r0 = 0; r0 < L; r0 += chunkRows) {
        const from = o * slab + r0 * inner;
        const n = Math.min(chunkRows, L - r0);
        xv.set(x.subarray(from, from + n * inner));
        if (G && !reduced) gv.set(g!.subarray(from, from + n * inner));
        apply(xPtr, G, n, inner, mode, statePtr, yPtr, D);
        if (!reduced) value.set(firstOf(yv, n * inner), from);
        grad?.set(firstOf(gradv, n * inner), from);
      }
    }
    return true;
  });
}
