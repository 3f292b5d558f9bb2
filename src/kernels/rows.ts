// The embedding losses' rows on the WebAssembly kernels (assembly/rows.ts): the RowBackend of
// src/core/row-distance.ts that copies each chunk of rows of its operands into the scratch area
// once, runs the row sums and the gradient combinations there, and copies the gradient rows out.
import type { RowBackend, RowSums } from '../core/row-distance.js';
import { withKernels, type Exports } from './wasm.js';

/** The kernels' exports (assembly/rows.ts), for the driver's Exports type. */
export interface RowExports {
  rowSums_f32(mode: number, a: number, b: number, c: number, rows: number, D: number, eps: number, out: number): void;
  rowSums_f64(mode: number, a: number, b: number, c: number, rows: number, D: number, eps: number, out: number): void;
  rowDiffs_f32(x1: number, y1: number, x2: number, y2: number, rows: number, D: number, eps: number, coef: number, g: number): void;
  rowDiffs_f64(x1: number, y1: number, x2: number, y2: number, rows: number, D: number, eps: number, coef: number, g: number): void;
  rowLinear_f32(x: number, y: number, z: number, rows: number, D: number, coef: number, g: number): void;
  rowLinear_f64(x: number, y: number, z: number, rows: number, D: number, coef: number, g: number): void;
}

type Floats = Float32Array | Float64Array;

/** The kernels the triplet losses run on (their catalogue entries' `kernels`). */
export const TRIPLET_KERNELS = ['rowSums_f32', 'rowSums_f64', 'rowDiffs_f32', 'rowDiffs_f64', 'rowLinear_f32', 'rowLinear_f64'] as const;
/** The kernels cosineEmbeddingLoss and cosineSimilarityLoss (over the last axis) run on. */
export const COSINE_ROW_KERNELS = ['rowSums_f32', 'rowSums_f64', 'rowLinear_f32', 'rowLinear_f64'] as const;

/** The kernels' numbers for the sums (assembly/rows.ts, rowSums). */
const MODES: Record<RowSums, number> = { squares: 0, squaresSwap: 1, products: 2, productsSwap: 3, pair: 4 };

/**
 * Bytes of a chunk of one operand's rows: 128 KiB, so that the operands and a gradient (four
 * regions) stay in L2 between the sums and the gradient passes; at most 2048 rows (the per-row
 * sums and coefficients stay small), at least one (onRows had kernelsCanRun reserve nine regions of two rows).
 */
const CHUNK_BYTES = 1 << 17;

/**
 * Runs `body` with the kernels' RowBackend over operands `[N, D]` (all float32 or all float64) and
 * gradient arrays of the same dtype (null: not wanted). The caller checked kernelsCanRun(D).
 */
export function withRowKernels<R>(operands: Floats[], grads: (Floats | null)[], N: number, D: number, body: (backend: RowBackend) => R): R {
  return withKernels((k, s) => body(rowKernels(k, s.regions.bind(s), operands, grads, N, D)));
}

function rowKernels(k: Exports, regions: (...sizes: number[]) => number[], operands: Floats[], grads: (Floats | null)[], N: number, D: number): RowBackend {
  const bytes = operands[0].BYTES_PER_ELEMENT;
  const F = bytes === 8 ? Float64Array : Float32Array;
  const wide = bytes === 8;
  const chunk = Math.max(1, Math.min(2048, N, Math.floor(CHUNK_BYTES / (bytes * Math.max(D, 1)))));
  const rowBytes = chunk * D * bytes;
  const [sumPtr, ...ptrs] = regions(chunk * 48, ...operands.map(() => rowBytes), ...grads.map((g) => (g ? rowBytes : 0)), ...grads.map((g) => (g ? chunk * 24 : 0)));
  const opPtr = ptrs.slice(0, operands.length);
  const gPtr = ptrs.slice(operands.length, operands.length + grads.length);
  const cPtr = ptrs.slice(operands.length + grads.length);
  const buffer = k.memory.buffer;
  const opView = opPtr.map((p) => new F(buffer, p, chunk * D));
  const gView = gPtr.map((p, j) => (grads[j] ? new F(buffer, p, chunk * D) : null));
  const sums = new Float64Array(buffer, sumPtr, chunk * 6);
  const coefs = cPtr.map((p, j) => (grads[j] ? new Float64Array(buffer, p, chunk * 3) : null));
  const [sumKernel, diffKernel, linearKernel] = wide ? [k.rowSums_f64, k.rowDiffs_f64, k.rowLinear_f64] : [k.rowSums_f32, k.rowDiffs_f32, k.rowLinear_f32];
  let rows = 0;
  let start = 0;
  return {
    chunk,
    exact: false,
    load(r0, n) {
      start = r0;
      rows = n;
      for (let j = 0; j < operands.length; j++) opView[j].set(operands[j].subarray(r0 * D, (r0 + n) * D));
    },
    sums(mode, eps) {
      sumKernel(MODES[mode], opPtr[0], opPtr[1], opPtr[2] ?? 0, rows, D, eps, sumPtr);
      return sums;
    },
    coef: (g) => coefs[g]!,
    diffs(g, x1, y1, x2, y2, eps) {
      diffKernel(opPtr[x1], opPtr[y1], x2 < 0 ? 0 : opPtr[x2], y2 < 0 ? 0 : opPtr[y2], rows, D, eps, cPtr[g], gPtr[g]);
    },
    linear(g, x, y, z) {
      linearKernel(opPtr[x], opPtr[y], z < 0 ? 0 : opPtr[z], rows, D, cPtr[g], gPtr[g]);
    },
    zero(g, r) {
      gView[g]!.fill(0, r * D, (r + 1) * D);
    },
    finish(g) {
      const out = grads[g]!;
      const view = gView[g]!;
      out.set(rows === chunk ? view : view.subarray(0, rows * D), start * D);
    },
  };
}
