// Rows of column values as the Parquet and Arrow readers decode them (numbers, bigints, booleans,
// nulls, lists of those), gathered into chunks: one per column selection.
import { CliError } from '../errors.js';
import type { Chunk } from './sources.js';

export class ValueRows {
  private data: number[][];
  private missing: number[] = [];
  private widths: number[];
  private count = 0;
  private handedOut = 0;

  constructor(
    private readonly name: string,
    /** Per selection, the positions in a row of its columns. */
    private readonly indices: number[][],
  ) {
    this.data = indices.map(() => []);
    this.widths = indices.map(() => -1);
  }

  get size(): number {
    return this.count;
  }

  /** Appends one row (its values in the order of the columns read). */
  add(row: readonly unknown[], columnNames?: readonly string[]): void {
    let missing = 0;
    const where = () => `${this.name}: row ${this.handedOut + this.count + 1}`;
    const push = (out: number[], v: unknown, column: number): void => {
      if (typeof v === 'number') out.push(v);
      else if (typeof v === 'bigint') {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) throw new CliError(`${where()}: ${v} does not fit a JavaScript number exactly`);
        out.push(n);
      } else if (typeof v === 'boolean') out.push(v ? 1 : 0);
      else if (v === null || v === undefined) {
        missing = 1;
        out.push(NaN);
      } else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        for (const x of Array.from(v as ArrayLike<unknown>)) push(out, x, column);
      } else {
        throw new CliError(`${where()}: column ${columnNames?.[column] ?? column + 1} is not numeric (${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v})`);
      }
    };
    this.indices.forEach((columns, s) => {
      const out = this.data[s];
      const before = out.length;
      for (const c of columns) push(out, row[c], c);
      const width = out.length - before;
      if (this.widths[s] === -1) this.widths[s] = width;
      else if (width !== this.widths[s]) throw new CliError(`${where()}: expected ${this.widths[s]} numbers, got ${width} (lists must all have one length)`);
    });
    this.missing.push(missing);
    this.count++;
  }

  take(maxRows: number): Chunk[] | null {
    const n = Math.min(maxRows, this.count);
    if (n === 0) return null;
    const missingRows = this.missing.splice(0, n);
    const missing = missingRows.includes(1) ? Uint8Array.from(missingRows) : null;
    const chunks = this.data.map((values, s) => {
      const cols = this.widths[s];
      const data = Float64Array.from(values.splice(0, n * cols));
      const scalar = this.indices[s].length === 1 && cols === 1;
      return { firstRow: this.handedOut, rows: n, cols, vector: scalar, data, missing };
    });
    this.count -= n;
    this.handedOut += n;
    return chunks;
  }
}
