// Column values as the Parquet and Arrow readers decode them (typed arrays, or arrays of numbers,
// bigints, booleans, nulls and lists of those), gathered into chunks of rows: one per column
// selection. A column is taken as a whole (a row group, a record batch), not row by row, and a
// float64 column without nulls is handed out as it is (views of it, not copies).
import { CliError } from '../errors.js';
import type { Chunk } from './sources.js';

/** A row group or record batch: per selection its numbers (rows × width), and the rows with a missing value. */
interface Block {
  rows: number;
  data: Float64Array[];
  missing: Uint8Array | null;
}

/** Typed columns whose values are all exact float64 numbers: taken without looking at each value's type. */
function isPlainNumeric(column: unknown): column is Float64Array | Float32Array | Int32Array {
  return column instanceof Float64Array || column instanceof Float32Array || column instanceof Int32Array;
}

export class ValueRows {
  private readonly blocks: Block[] = [];
  /** Rows of blocks[0] already handed out. */
  private consumed = 0;
  private readonly widths: number[];
  private count = 0;
  private handedOut = 0;

  constructor(
    private readonly name: string,
    /** Per selection, the positions of its columns among the columns read. */
    private readonly indices: number[][],
    private readonly columnNames: readonly string[],
  ) {
    this.widths = indices.map(() => -1);
  }

  get size(): number {
    return this.count;
  }

  private checkWidth(s: number, width: number, row: number, lists: boolean): void {
    if (this.widths[s] === -1) this.widths[s] = width;
    else if (width !== this.widths[s]) {
      throw new CliError(`${this.name}: row ${row}: expected ${this.widths[s]} numbers, got ${width}${lists ? ' (lists must all have one length)' : ''}`);
    }
  }

  /** Appends `rows` rows given as columns (in the order of the columns read). */
  addColumns(columns: readonly ArrayLike<unknown>[], rows: number): void {
    if (rows === 0) return;
    let missing: Uint8Array | null = null;
    const first = this.handedOut + this.count;
    const push = (out: number[], v: unknown, column: number, r: number): void => {
      if (typeof v === 'number') out.push(v);
      else if (typeof v === 'bigint') {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) throw new CliError(`${this.name}: row ${first + r + 1}: ${v} does not fit a JavaScript number exactly`);
        out.push(n);
      } else if (typeof v === 'boolean') out.push(v ? 1 : 0);
      else if (v === null || v === undefined) {
        (missing ??= new Uint8Array(rows))[r] = 1;
        out.push(NaN);
      } else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        for (const x of Array.from(v as ArrayLike<unknown>)) push(out, x, column, r);
      } else {
        const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
        throw new CliError(`${this.name}: row ${first + r + 1}: column '${this.columnNames[column]}' is not numeric (${shown})`);
      }
    };
    const data = this.indices.map((selected, s) => {
      const column = columns[selected[0]];
      if (selected.length === 1 && isPlainNumeric(column)) {
        // A plain numeric column without nulls: float64 as it is, other types widened exactly.
        this.checkWidth(s, 1, first + 1, false);
        return column instanceof Float64Array ? column : Float64Array.from(column);
      }
      const out: number[] = [];
      for (let r = 0; r < rows; r++) {
        const before = out.length;
        for (const c of selected) push(out, columns[c][r], c, r);
        this.checkWidth(s, out.length - before, first + r + 1, true);
      }
      return Float64Array.from(out);
    });
    this.blocks.push({ rows, data, missing });
    this.count += rows;
  }

  take(maxRows: number): Chunk[] | null {
    const n = Math.min(maxRows, this.count);
    if (n === 0) return null;
    const head = this.blocks[0];
    let data: Float64Array[];
    let missing: Uint8Array | null;
    if (head.rows - this.consumed >= n) {
      // Within one block: views.
      const from = this.consumed;
      data = head.data.map((values, s) => values.subarray(from * this.widths[s], (from + n) * this.widths[s]));
      missing = head.missing?.subarray(from, from + n) ?? null;
      this.consumed += n;
    } else {
      data = this.widths.map((w) => new Float64Array(n * w));
      let mask: Uint8Array | null = null;
      for (let done = 0; done < n; ) {
        const block = this.blocks[0];
        const take = Math.min(n - done, block.rows - this.consumed);
        for (let s = 0; s < data.length; s++) {
          const w = this.widths[s];
          data[s].set(block.data[s].subarray(this.consumed * w, (this.consumed + take) * w), done * w);
        }
        if (block.missing) (mask ??= new Uint8Array(n)).set(block.missing.subarray(this.consumed, this.consumed + take), done);
        done += take;
        this.consumed += take;
        if (this.consumed === block.rows) {
          this.blocks.shift();
          this.consumed = 0;
        }
      }
      missing = mask;
    }
    if (this.blocks.length > 0 && this.consumed === this.blocks[0].rows) {
      this.blocks.shift();
      this.consumed = 0;
    }
    if (missing && !missing.includes(1)) missing = null;
    const chunks = data.map((values, s) => {
      const cols = this.widths[s];
      const scalar = this.indices[s].length === 1 && cols === 1;
      return { firstRow: this.handedOut, rows: n, cols, vector: scalar, data: values, missing };
    });
    this.count -= n;
    this.handedOut += n;
    return chunks;
  }
}

/** A column by name, or by 0-based index where no column has that name. */
export function resolveColumn(path: string, names: readonly string[], column: string): number {
  const byName = names.indexOf(column);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(column) && Number(column) < names.length) return Number(column);
  throw new CliError(`${path}: no column '${column}' (columns: ${names.join(', ')})`);
}
