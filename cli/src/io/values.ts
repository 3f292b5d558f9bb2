// Column values as the Parquet and Arrow readers decode them (typed arrays, or arrays of numbers,
// bigints, booleans, nulls and lists of those), gathered into chunks of rows: one per column
// selection. A column is taken as a whole (a row group, a record batch), not row by row.
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
    /** Per selection, the positions of its columns among the columns read. */
    private readonly indices: number[][],
    private readonly columnNames: readonly string[],
  ) {
    this.data = indices.map(() => []);
    this.widths = indices.map(() => -1);
  }

  get size(): number {
    return this.count;
  }

  /** Appends `rows` rows given as columns (in the order of the columns read). */
  addColumns(columns: readonly ArrayLike<unknown>[], rows: number): void {
    const missing = new Uint8Array(rows);
    const first = this.handedOut + this.count;
    const push = (out: number[], v: unknown, column: number, r: number): void => {
      if (typeof v === 'number') out.push(v);
      else if (typeof v === 'bigint') {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) throw new CliError(`${this.name}: row ${first + r + 1}: ${v} does not fit a JavaScript number exactly`);
        out.push(n);
      } else if (typeof v === 'boolean') out.push(v ? 1 : 0);
      else if (v === null || v === undefined) {
        missing[r] = 1;
        out.push(NaN);
      } else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        for (const x of Array.from(v as ArrayLike<unknown>)) push(out, x, column, r);
      } else {
        const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
        throw new CliError(`${this.name}: row ${first + r + 1}: column '${this.columnNames[column]}' is not numeric (${shown})`);
      }
    };
    this.indices.forEach((selected, s) => {
      const out = this.data[s];
      const typed = selected.length === 1 && (columns[selected[0]] instanceof Float64Array || columns[selected[0]] instanceof Float32Array || columns[selected[0]] instanceof Int32Array);
      if (typed) {
        // A plain numeric column without nulls: copied as it is.
        if (this.widths[s] === -1) this.widths[s] = 1;
        else if (this.widths[s] !== 1) throw new CliError(`${this.name}: row ${first + 1}: expected ${this.widths[s]} numbers, got 1`);
        for (const v of columns[selected[0]] as Float64Array) out.push(v);
        return;
      }
      for (let r = 0; r < rows; r++) {
        const before = out.length;
        for (const c of selected) push(out, columns[c][r], c, r);
        const width = out.length - before;
        if (this.widths[s] === -1) this.widths[s] = width;
        else if (width !== this.widths[s]) throw new CliError(`${this.name}: row ${first + r + 1}: expected ${this.widths[s]} numbers, got ${width} (lists must all have one length)`);
      }
    });
    for (const m of missing) this.missing.push(m);
    this.count += rows;
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
