// The matrix products of linearCrossEntropy: a chunk's logits `X Wᵀ + b` and, from the logits'
// gradient G, `G W` (input) and `Gᵀ X` (weight). On the WebAssembly kernels (assembly/matmul.ts) in
// float32 or float64, and in float64 TypeScript (the reference, every dtype).
//
// The kernels never hold W: it is streamed through the scratch area in tiles of TILE_BYTES (half
// of a core's L2 here), and X in blocks of rows, so the kernels' memory stays a few MiB whatever
// the sizes (W of an LLM head is hundreds of MiB). Each tile is used for every row of the block
// while it is in cache; copying it costs O(V·H) per block against O(rows·V·H) of arithmetic.
// The kernels have one product, `c = a · bᵀ` (both read along K): the backward products get that
// form from transposed tiles, `G W = G · (Wᵀ)ᵀ` and `Gᵀ X = Gᵀ · (Xᵀ)ᵀ` (a transpose costs one
// pass over a tile, against a product's rows or columns passes).
import { withKernels, type Exports } from './wasm.js';

/** The kernels' exports (assembly/matmul.ts), for the driver's Exports type. */
export interface MatmulExports {
  matmulNT_f32(a: number, b: number, c: number, M: number, N: number, K: number, ldc: number, bias: number, accumulate: number): void;
  matmulNT_f64(a: number, b: number, c: number, M: number, N: number, K: number, ldc: number, bias: number, accumulate: number): void;
  transpose_f32(src: number, rows: number, cols: number, dst: number): void;
  transpose_f64(src: number, rows: number, cols: number, dst: number): void;
  flushSubnormals_f32(p: number, n: number): void;
}

type Floats = Float32Array | Float64Array;

/** Bytes of a tile of W (rows of H floats): 512 KiB. */
const TILE_BYTES = 1 << 19;
/** Bytes of a block of X rows (and of its transpose and its gradient): 1 MiB each. */
const BLOCK_BYTES = 1 << 20;

/** Rows of W per tile: at least 6 (the kernel's block of columns), at most V. */
function tileRows(V: number, H: number, bytes: number): number {
  return Math.min(V, Math.max(6, Math.floor(TILE_BYTES / (bytes * H))));
}

/** Rows of X per block: at least 2 (the kernel's block of rows), at most n. */
function blockRows(n: number, H: number, bytes: number): number {
  return Math.max(1, Math.min(n, Math.max(2, Math.floor(BLOCK_BYTES / (bytes * H)))));
}

/** The scratch regions of a call, in bytes: [x, xᵀ, gx, w, wᵀ, gw, bias, g, gᵀ] (the forward pass uses x, w, bias, g). */
function regionBytes(n: number, V: number, H: number, bytes: number): number[] {
  const vb = tileRows(V, H, bytes);
  const rb = blockRows(n, H, bytes);
  return [rb * H, rb * H, rb * H, vb * H, vb * H, vb * H, vb, rb * vb, rb * vb].map((e) => e * bytes);
}

/** Bytes of scratch the products need (for kernelsCanRun's reservation). */
export function matmulScratchBytes(n: number, V: number, H: number, bytes: 4 | 8): number {
  return regionBytes(n, V, H, bytes).reduce((sum, b) => sum + b + 16, 0);
}

/** The kernels of an array's dtype. */
function kernelsOf(k: Exports, a: Floats) {
  return a.BYTES_PER_ELEMENT === 4 ? { matmul: k.matmulNT_f32, transpose: k.transpose_f32, F: Float32Array } : { matmul: k.matmulNT_f64, transpose: k.transpose_f64, F: Float64Array };
}

/**
 * `out[i, j] = Σ_k x[i, k] w[j, k] + bias[j]` for `i < n` (x `[n, H]`, w `[V, H]`, out `[n, V]`),
 * on the kernels of the arrays' dtype (all the same).
 */
export function linearForwardWasm<A extends Floats>(x: A, w: A, bias: A | null, n: number, V: number, H: number, out: A): void {
  withKernels((k, s) => {
    const bytes = x.BYTES_PER_ELEMENT;
    const { matmul, F } = kernelsOf(k, x);
    const vb = tileRows(V, H, bytes);
    const rb = blockRows(n, H, bytes);
    const [xPtr, , , wPtr, , , bPtr, oPtr] = s.regions(...regionBytes(n, V, H, bytes));
    const mem = () => k.memory.buffer;
    for (let r0 = 0; r0 < n; r0 += rb) {
      const rows = Math.min(rb, n - r0);
      new F(mem(), xPtr, rows * H).set(x.subarray(r0 * H, (r0 + rows) * H));
      for (let j0 = 0; j0 < V; j0 += vb) {
        const cols = Math.min(vb, V - j0);
        new F(mem(), wPtr, cols * H).set(w.subarray(j0 * H, (j0 + cols) * H));
        if (bias) new F(mem(), bPtr, cols).set(bias.subarray(j0, j0 + cols));
        matmul(xPtr, wPtr, oPtr, rows, cols, H, cols, bias ? bPtr : 0, 0);
        const tile = new F(mem(), oPtr, rows * cols);
        for (let i = 0; i < rows; i++) out.set(tile.subarray(i * cols, (i + 1) * cols), (r0 + i) * V + j0);
      }
    }
  });
}

/**
 * From g `[n, V]`: `gx = g w` (`[n, H]`, overwritten) and `gw += gᵀ x` (`[V, H]`; `gw = gᵀ x`,
 * not read, unless `accumulate`), either skipped when null, on the kernels of the arrays' dtype.
 */
export function linearBackwardWasm<A extends Floats>(g: A, x: A, w: A, n: number, V: number, H: number, gx: A | null, gw: A | null, accumulate: boolean): void {
  withKernels((k, s) => {
    const bytes = x.BYTES_PER_ELEMENT;
    const { matmul, transpose, F } = kernelsOf(k, x);
    const vb = tileRows(V, H, bytes);
    const rb = blockRows(n, H, bytes);
    const [xPtr, xtPtr, gxPtr, wPtr, wtPtr, gwPtr, , gPtr, gtPtr] = s.regions(...regionBytes(n, V, H, bytes));
    const mem = () => k.memory.buffer;
    for (let r0 = 0; r0 < n; r0 += rb) {
      const rows = Math.min(rb, n - r0);
      if (gw) {
        new F(mem(), xPtr, rows * H).set(x.subarray(r0 * H, (r0 + rows) * H));
        transpose(xPtr, rows, H, xtPtr);
      }
      for (let j0 = 0; j0 < V; j0 += vb) {
        const cols = Math.min(vb, V - j0);
        const tile = new F(mem(), gPtr, rows * cols);
        for (let i = 0; i < rows; i++) tile.set(g.subarray((r0 + i) * V + j0, (r0 + i) * V + j0 + cols), i * cols);
        // Subnormal operands slow the float32 products fifteenfold (assembly/matmul.ts, flushSubnormals_f32).
        if (bytes === 4) k.flushSubnormals_f32(gPtr, rows * cols);
        if (gx) {
          // gx[i, h] (+)= Σ_j g[i, j] w[j, h] = Σ_j g[i, j] wᵀ[h, j]: the first tile overwrites
          new F(mem(), wPtr, cols * H).set(w.subarray(j0 * H, (j0 + cols) * H));
          transpose(wPtr, cols, H, wtPtr);
          matmul(gPtr, wtPtr, gxPtr, rows, H, cols, H, 0, j0 > 0 ? 1 : 0);
        }
        if (gw) {
          // gw[j, h] += Σ_i g[i, j] x[i, h] = Σ_i gᵀ[j, i] xᵀ[h, i]
          transpose(gPtr, rows, cols, gtPtr);
          // (the first row block of a call that does not accumulate overwrites)
          const add = accumulate || r0 > 0;
          const part = gw.subarray(j0 * H, (j0 + cols) * H);
          const view = new F(mem(), gwPtr, cols * H);
          if (add) view.set(part);
          matmul(gtPtr, xtPtr, gwPtr, cols, H, rows, H, 0, add ? 1 : 0);
          part.set(view);
        }
      }
      if (gx) gx.set(new F(mem(), gxPtr, rows * H), r0 * H);
    }
  });
}

/** `out[i, j] = Σ_k x[i, k] w[j, k] + bias[j]` in float64 (the TypeScript path). */
export function linearForward(x: ArrayLike<number>, xOffset: number, w: ArrayLike<number>, bias: ArrayLike<number> | null, n: number, V: number, H: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const xi = xOffset + i * H;
    for (let j = 0; j < V; j++) {
      const wj = j * H;
      let s = 0;
      for (let k = 0; k < H; k++) s += x[xi + k] * w[wj + k];
      out[i * V + j] = bias ? s + bias[j] : s;
    }
  }
}

/** `gx = g w` (rows from `gxOffset`) and `gw += gᵀ x` in float64, either skipped when null. */
export function linearBackward(
  g: ArrayLike<number>, x: ArrayLike<number>, xOffset: number, w: ArrayLike<number>, n: number, V: number, H: number,
  gx: Float64Array | null, gxOffset: number, gw: Float64Array | null,
): void {
  for (let i = 0; i < n; i++) {
    const xi = xOffset + i * H;
    const gi = gxOffset + i * H;
    for (let j = 0; j < V; j++) {
      const v = g[i * V + j];
      const wj = j * H;
      if (gx) for (let k = 0; k < H; k++) gx[gi + k] += v * w[wj + k];
      if (gw) for (let k = 0; k < H; k++) gw[wj + k] += v * x[xi + k];
    }
  }
}
