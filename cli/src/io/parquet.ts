// Parquet, read a row group at a time by hyparquet (with hyparquet-compressors for the codecs
// pyarrow, Spark and Polars write: snappy, zstd, gzip, brotli, lz4). Columns are chosen by name;
// a list or fixed-size-list column gives a row of numbers per value (logits), and nulls are
// missing values. Memory: one row group of the chosen columns (pyarrow writes up to 1Mi rows each).
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { CliError } from '../errors.js';
import { ValueRows } from './values.js';
import type { Chunk, ColumnSelection, Source } from './sources.js';

export class ParquetSource implements Source {
  private group = 0;
  private groupStart = 0;
  private rows: ValueRows;
  bytesRead = 0;

  private constructor(
    readonly name: string,
    readonly totalBytes: number,
    private readonly file: Awaited<ReturnType<typeof asyncBufferFromFile>>,
    private readonly metadata: FileMetaData,
    private readonly columns: string[],
    private readonly indices: number[][],
  ) {
    this.rows = new ValueRows(name, indices, columns);
  }

  static async open(path: string, size: number, selections: ColumnSelection[]): Promise<ParquetSource> {
    let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
    let metadata: FileMetaData;
    try {
      file = await asyncBufferFromFile(path);
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      throw new CliError(`${path}: not a readable Parquet file (${(e as Error).message})`);
    }
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    // Read only the columns some selection names (all of them without a selection).
    const wanted = selections.flatMap((s) => (s ? s.map((c) => resolveColumn(path, names, c)) : names.map((_, i) => i)));
    const columns = [...new Set(wanted)].sort((a, b) => a - b).map((i) => names[i]);
    const indices = selections.map((s) => (s ? s.map((c) => columns.indexOf(names[resolveColumn(path, names, c)])) : names.map((n) => columns.indexOf(n))));
    return new ParquetSource(path, size, file, metadata, columns, indices);
  }

  private async readGroup(): Promise<boolean> {
    const groups = this.metadata.row_groups;
    if (this.group >= groups.length) return false;
    const rowStart = this.groupStart;
    const rowEnd = rowStart + Number(groups[this.group].num_rows);
    // Each column of the group as one array (a column chunk may come in pieces: placed by its rowStart).
    const columns = this.columns.map(() => [] as unknown[]);
    const pieces: { column: number; data: ArrayLike<unknown>; start: number }[] = [];
    try {
      await parquetRead({
        file: this.file,
        metadata: this.metadata,
        columns: this.columns,
        rowStart,
        rowEnd,
        compressors,
        onChunk: (chunk) => pieces.push({ column: this.columns.indexOf(chunk.columnName), data: chunk.columnData as ArrayLike<unknown>, start: chunk.rowStart }),
      });
    } catch (e) {
      throw new CliError(`${this.name}: row group ${this.group + 1}: ${(e as Error).message}`);
    }
    const n = rowEnd - rowStart;
    const whole = pieces.length === this.columns.length && pieces.every((p) => p.start === rowStart && p.data.length === n);
    if (whole) {
      for (const p of pieces) columns[p.column] = p.data as unknown[];
    } else {
      for (const p of pieces) {
        for (let i = 0; i < p.data.length; i++) {
          const r = p.start + i - rowStart;
          if (r >= 0 && r < n) columns[p.column][r] = p.data[i];
        }
      }
    }
    this.rows.addColumns(columns, n);
    this.group++;
    this.groupStart = rowEnd;
    this.bytesRead = Math.round((this.group / groups.length) * this.totalBytes);
    return true;
  }

  async next(maxRows: number): Promise<Chunk[] | null> {
    while (this.rows.size < maxRows && (await this.readGroup()));
    return this.rows.take(maxRows);
  }

  async close(): Promise<void> {}
}

/** A column by name, or by 0-based index where no column has that name. */
export function resolveColumn(path: string, names: readonly string[], column: string): number {
  const byName = names.indexOf(column);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(column) && Number(column) < names.length) return Number(column);
  throw new CliError(`${path}: no column '${column}' (columns: ${names.join(', ')})`);
}
