// The softmax of contiguous rows of logits on the float64 kernels, a block of rows at a time, for
// the losses that take it row by row in TypeScript (categoricalFocalCrossEntropy,
// polyLossCrossEntropy): a vector exp per element where Math.exp costs 15–20 ns (about 70 ms for
// [4096, 1000] on this machine), and no copy of the whole tensor (the block stays in L2).
import type { TypedArray } from '../core/tensor.js';
import { kernelsFor } from './backend.js';
import { softmaxWasm } from './wasm.js';

/** Logits per block: 128 KiB of float64, inside L2 with the block's results. */
const BLOCK_ELEMENTS = 1 << 14;

/**
 * Rows of C logits (row r at r · C of `logits`), their softmax and, with `withLogs`, their
 * logSoftmax, computed a block at a time as {@link row} asks for them. The logits are converted to
 * float64 first, so the values are the float64 TypeScript path's (`exp(x − m) / Σ`,
 * `(x − m) − log Σ`) up to the last bits of the exps and their sum's order.
 */
export class SoftmaxBlocks {
  /** Row r's softmax from `probabilities[row(r)]`, its logSoftmax from `logs[row(r)]`. */
  readonly probabilities: Float64Array;
  readonly logs: Float64Array | null;
  private readonly logits: Float64Array;
  private readonly blockRows: number;
  private start = 0;
  private rows = 0;
  private ok = false;

  /** Null where the kernels do not run the call (the backend, its size, the row's length). */
  static create(logits: TypedArray, C: number, withLogs: boolean): SoftmaxBlocks | null {
    return logits.length > 0 && C > 0 && kernelsFor(logits.length, 2 * C) ? new SoftmaxBlocks(logits, C, withLogs) : null;
  }

  private constructor(private readonly source: TypedArray, private readonly C: number, withLogs: boolean) {
    this.blockRows = Math.max(1, Math.min(source.length / C, Math.floor(BLOCK_ELEMENTS / C)));
    this.logits = new Float64Array(this.blockRows * C);
    this.probabilities = new Float64Array(this.blockRows * C);
    this.logs = withLogs ? new Float64Array(this.blockRows * C) : null;
  }

  /**
   * The offset of row r's values in {@link probabilities} and {@link logs}, or −1 where the caller
   * computes the row itself: its block holds NaN or ±inf (the kernels leave those to the reference).
   */
  row(r: number): number {
    if (r < this.start || r >= this.start + this.rows) this.load(r);
    return this.ok ? (r - this.start) * this.C : -1;
  }

  private load(r: number): void {
    const { C } = this;
    const rows = Math.min(this.blockRows, this.source.length / C - r);
    const part = (a: Float64Array) => (rows === this.blockRows ? a : a.subarray(0, rows * C));
    const x = part(this.logits);
    x.set(this.source.subarray(r * C, (r + rows) * C));
    const request = { dtype: 'float64', x, outer: rows, length: C, inner: 1, g: null, grad: null } as const;
    this.ok = softmaxWasm({ ...request, mode: 'softmax', value: part(this.probabilities) }) && (this.logs === null || softmaxWasm({ ...request, mode: 'logSoftmax', value: part(this.logs) }));
    this.start = r;
    this.rows = rows;
  }
}
