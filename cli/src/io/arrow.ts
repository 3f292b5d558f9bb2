// Arrow IPC (file and stream formats; Feather v2 is the file format), streamed a record batch at a
// time by apache-arrow, with LZ4-frame compressed buffers (Feather's default, pyarrow's
// compression='lz4') decoded by lz4js through arrow's codec registry.
import { compressionRegistry, CompressionType, RecordBatchReader, type Vector } from 'apache-arrow';
import * as lz4 from 'lz4js';
import { CliError } from '../errors.js';
import type { ByteStream } from './bytes.js';
import type { Chunk, ColumnSelection, Source } from './sources.js';
import { resolveColumn, ValueRows } from './values.js';

compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data: Uint8Array) => Uint8Array.from(lz4.decompress(data)) });

/** A vector as ValueRows takes a column: a typed array when it has no nulls and no children, else values (lists as arrays). */
export function columnOf(vector: Vector): ArrayLike<unknown> {
  if (vector.nullCount === 0 && vector.type.children?.length === undefined) {
    const flat = vector.toArray() as ArrayLike<unknown>;
    if (ArrayBuffer.isView(flat)) return flat;
  }
  return Array.from({ length: vector.length }, (_, i) => {
    const v: unknown = vector.get(i);
    if (v !== null && typeof v === 'object' && 'toArray' in (v as object)) {
      const list = v as Vector;
      return Array.from(list.toArray() as ArrayLike<unknown>, (x, k) => (list.isValid(k) ? x : null));
    }
    return v;
  });
}

export class ArrowSource implements Source {
  private rows: ValueRows | null = null;
  private columns: number[] = [];
  private names: string[] = [];

  private constructor(
    private readonly stream: ByteStream,
    readonly totalBytes: number,
    private readonly reader: AsyncIterator<import('apache-arrow').RecordBatch>,
    private readonly selections: ColumnSelection[],
  ) {}

  get name(): string {
    return this.stream.name;
  }

  get bytesRead(): number {
    return this.stream.rawBytesRead;
  }

  static async open(stream: ByteStream, size: number, selections: ColumnSelection[]): Promise<ArrowSource> {
    const blocks = (async function* () {
      for (let b = await stream.block(); b; b = await stream.block()) yield b;
    })();
    try {
      const reader = await RecordBatchReader.from(blocks);
      await reader.open();
      return new ArrowSource(stream, size, reader[Symbol.asyncIterator](), selections);
    } catch (e) {
      await stream.close();
      throw new CliError(`${stream.name}: not a readable Arrow IPC / Feather file (${(e as Error).message})`);
    }
  }

  async next(maxRows: number): Promise<Chunk[] | null> {
    while ((this.rows?.size ?? 0) < maxRows) {
      let result: IteratorResult<import('apache-arrow').RecordBatch>;
      try {
        result = await this.reader.next();
      } catch (e) {
        throw new CliError(`${this.name}: ${(e as Error).message}`);
      }
      if (result.done) break;
      const batch = result.value;
      if (!this.rows) {
        this.names = batch.schema.fields.map((f) => f.name);
        const wanted = this.selections.flatMap((s) => (s ? s.map((c) => resolveColumn(this.name, this.names, c)) : this.names.map((_, i) => i)));
        this.columns = [...new Set(wanted)].sort((a, b) => a - b);
        const position = (c: string) => this.columns.indexOf(resolveColumn(this.name, this.names, c));
        this.rows = new ValueRows(this.name, this.selections.map((s) => (s ? s.map(position) : this.columns.map((_, k) => k))), this.columns.map((c) => this.names[c]));
      }
      this.rows.addColumns(this.columns.map((c) => columnOf(batch.getChildAt(c)!)), batch.numRows);
    }
    return this.rows?.take(maxRows) ?? null;
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}
