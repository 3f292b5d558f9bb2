// Parquet, read a row group at a time by parquet-wasm (the Rust arrow-rs Parquet reader compiled
// to WebAssembly, with every codec pyarrow, Spark and Polars write: snappy, zstd, gzip, brotli,
// lz4), which hands each row group over as Arrow IPC, read by apache-arrow (as .arrow files are).
// Chosen by measuring over hyparquet (README, "Readers"): hyparquet assembles every value of a
// nullable column (what pyarrow writes) one by one into a JavaScript array, ~5× the CPU time.
// Columns are chosen by name; a list or fixed-size-list column gives a row of numbers per value
// (logits), and nulls are missing values. Memory: one row group of the chosen columns (pyarrow
// writes up to 1Mi rows each), in WebAssembly memory and then as Arrow in JavaScript.
import { openAsBlob } from 'node:fs';
import { ParquetFile } from 'parquet-wasm/node';
import { tableFromIPC } from 'apache-arrow';
import { CliError } from '../errors.js';
import { columnOf } from './arrow.js';
import { resolveColumn, ValueRows } from './values.js';
import type { Chunk, ColumnSelection, Source } from './sources.js';

export class ParquetSource implements Source {
  private group = 0;
  private readonly rows: ValueRows;
  bytesRead = 0;

  private constructor(
    readonly name: string,
    readonly totalBytes: number,
    private readonly file: ParquetFile,
    private readonly groups: number,
    private readonly columns: string[],
    indices: number[][],
  ) {
    this.rows = new ValueRows(name, indices, columns);
  }

  static async open(path: string, size: number, selections: ColumnSelection[]): Promise<ParquetSource> {
    let file: ParquetFile;
    let names: string[];
    try {
      file = await ParquetFile.fromFile(await openAsBlob(path));
      names = tableFromIPC(file.schema().intoIPCStream()).schema.fields.map((f) => f.name);
    } catch (e) {
      throw new CliError(`${path}: not a readable Parquet file (${errorText(e)})`);
    }
    // Read only the columns some selection names (all of them without a selection).
    const wanted = selections.flatMap((s) => (s ? s.map((c) => resolveColumn(path, names, c)) : names.map((_, i) => i)));
    const columns = [...new Set(wanted)].sort((a, b) => a - b).map((i) => names[i]);
    const indices = selections.map((s) => (s ? s.map((c) => columns.indexOf(names[resolveColumn(path, names, c)])) : names.map((n) => columns.indexOf(n))));
    return new ParquetSource(path, size, file, file.metadata().numRowGroups(), columns, indices);
  }

  private async readGroup(): Promise<boolean> {
    if (this.group >= this.groups) return false;
    try {
      // One record batch for the whole row group (batchSize: its row count).
      const rows = this.file.metadata().rowGroup(this.group).numRows();
      const wasmTable = await this.file.read({ rowGroups: [this.group], columns: this.columns, batchSize: Math.max(1, rows) });
      const table = tableFromIPC(wasmTable.intoIPCStream());
      this.rows.addColumns(
        this.columns.map((c) => columnOf(table.getChild(c)!)),
        table.numRows,
      );
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`${this.name}: row group ${this.group + 1}: ${errorText(e)}`);
    }
    this.group++;
    this.bytesRead = Math.round((this.group / this.groups) * this.totalBytes);
    return true;
  }

  async next(maxRows: number): Promise<Chunk[] | null> {
    while (this.rows.size < maxRows && (await this.readGroup()));
    return this.rows.take(maxRows);
  }

  async close(): Promise<void> {
    this.file.free();
  }
}

/** parquet-wasm throws strings as well as Errors. */
function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
