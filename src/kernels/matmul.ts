// The matrix products of linearCrossEntropy: a chunk's logits `X Wᵀ + b` and, from the logits'
// gradient G, `G W` (input) and `Gᵀ X` (weight). Float32 on the WebAssembly kernels
// (assembly/matmul.ts), float64 in TypeScript (the reference, every dtype).
//
// The kernels never hold W: it is streamed through the scratch area in tiles of TILE_BYTES (half
// of a core's L2 here), and X in blocks of rows, so the kernels' memory stays a few MiB whatever
// the sizes (W of an LLM head is hundreds of MiB). Each tile is used for every row of the block
// while it is in cache; copying it costs O(V·H) per block against O(rows·V·H) of arithmetic.
import { withKernels } from './wasm.js';

/** The kernels' exports (assembly/matmul.ts), for the driver's Exports type. */
export interface MatmulExports {
  matmulNT(a: number, b: number, c: number, M: number, N: number, K: number, ldc: number, bias: number): void;
  matmulAcc(a: number, ai: number, ak: number, b: number, ldb: number, c: number, ldc: number, M: number, N: number, K: number): void;
}

/** Bytes of a tile of W (rows of H floats): 512 KiB. */
const TILE_BYTES = 1 << 19;
/** Bytes of a block of X rows (and of its gradient): 2 MiB each, inside the 8 MiB the kernels may take. */
const BLOCK_BYTES = 1 << 21;

/** Rows of W per tile: a multiple of 4 (the kernels' blocks), at least 4, at most V. */
function tileRows(V: number, H: number): number {
  return Math.min(V, Math.max(4, Math.floor(TILE_BYTES / (4 * H)) & ~3));
}

/** Rows of X per block: at least 1. */
function blockRows(n: number, H: number): number {
  return Math.max(1, Math.min(n, Math.floor(BLOCK_BYTES / (4 * H))));
}

/** Bytes of scratch the float32 products need (for kernelsCanRun's reservation). */
export function matmulScratchBytes(n: number, V: number, H: number): number {
  const vb = tileRows(V, H);
  const rb = blockRows(n, H);
  return 4 * (2 * rb * H + 2 * vb * H + vb + rb * vb) + 6 * 16;
}

/**
 * `out[i, j] = Σ_k x[i, k] w[j, k] + bias[j]` for `i < n` (x `[n, H]`, w `[V, H]`, out `[n, V]`),
 * on the float32 kernels.
 */
export function linearForwardWasm(x: Float32Array, w: Float32Array, bias: Float32Array | null, n: number, V: number, H: number, out: Float32Array): void {
  withKernels((k, s) => {
    const vb = tileRows(V, H);
    const rb = blockRows(n, H);
    const [xPtr, wPtr, bPtr, oPtr] = s.regions(4 * rb * H, 4 * vb * H, 4 * vb, 4 * rb * vb);
    const mem = () => k.memory.buffer;
    for (let r0 = 0; r0 < n; r0 += rb) {
      const rows = Math.min(rb, n - r0);
      new Float32Array(mem(), xPtr, rows * H).set(x.subarray(r0 * H, (r0 + rows) * H));
      for (let j0 = 0; j0 < V; j0 += vb) {
        const cols = Math.min(vb, V - j0);
        new Float32Array(mem(), wPtr, cols * H).set(w.subarray(j0 * H, (j0 + cols) * H));
        if (bias) new Float32Array(mem(), bPtr, cols).set(bias.subarray(j0, j0 + cols));
        k.matmulNT(xPtr, wPtr, oPtr, rows, cols, H, cols, bias ? bPtr : 0);
        const tile = new Float32Array(mem(), oPtr, rows * cols);
        for (let i = 0; i < rows; i++) out.set(tile.subarray(i * cols, (i + 1) * cols), (r0 + i) * V + j0);
      }
    }
  });
}

/**
 * From g `[n, V]`: `gx = g w` (`[n, H]`, overwritten) and `gw += gᵀ x` (`[V, H]`), either
 * skipped when null, on the float32 kernels.
 */
export function linearBackwardWasm(
  g: Float32Array, x: Float32Array, w: Float32Array, n: number, V: number, H: number,
  gx: Float32Array | null, gw: Float32Array | null,
): void {
  withKernels((k, s) => {
    const vb = tileRows(V, H);
    const rb = blockRows(n, H);
    const [xPtr, gxPtr, wPtr, gwPtr, gPtr] = s.regions(4 * rb * H, 4 * rb * H, 4 * vb * H, 4 * vb * H, 4 * rb * vb);
    const mem = () => k.memory.buffer;
    for (let r0 = 0; r0 < n; r0 += rb) {
      const rows = Math.min(rb, n - r0);
      if (gw) new Float32Array(mem(), xPtr, rows * H).set(x.subarray(r0 * H, (r0 + rows) * H));
      if (gx) new Float32Array(mem(), gxPtr, rows * H).fill(0);
      for (let j0 = 0; j0 < V; j0 += vb) {
        const cols = Math.min(vb, V - j0);
        const tile = new Float32Array(mem(), gPtr, rows * cols);
        for (let i = 0; i < rows; i++) tile.set(g.subarray((r0 + i) * V + j0, (r0 + i) * V + j0 + cols), i * cols);
        if (gx) {
          // gx[i, :] += Σ_j g[i, j] w[j, :]: a = the g tile (row stride cols), b = the w tile
          new Float32Array(mem(), wPtr, cols * H).set(w.subarray(j0 * H, (j0 + cols) * H));
          k.matmulAcc(gPtr, cols, 1, wPtr, H, gxPtr, H, rows, H, cols);
        }
        if (gw) {
          // gw[j, :] += Σ_i g[i, j] x[i, :]: a = the g tile transposed (a(j, i) at i·cols + j)
          const part = gw.subarray(j0 * H, (j0 + cols) * H);
          const view = new Float32Array(mem(), gwPtr, cols * H);
          view.set(part);
          k.matmulAcc(gPtr, 1, cols, xPtr, H, gwPtr, H, cols, H, rows);
          part.set(view);
        }
      }
      if (gx) gx.set(new Float32Array(mem(), gxPtr, rows * H), r0 * H);
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
