// Row sources for `losskit eval`: .npy, .csv, .json and .jsonl files read a chunk of rows at a time,
// so that `mean` and `sum` over files larger than memory run in constant memory.
import { createReadStream } from 'node:fs';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { CliError } from '../errors.js';
import { decodeNpy, readNpyHeader, type NpyHeader } from './npy.js';

/** A block of consecutive rows. `vector` means the file holds one number per row (shape [rows]). */
export interface Chunk {
  firstRow: number;
  rows: number;
  cols: number;
  vector: boolean;
  data: Float32Array | Float64Array;
}

export interface Source {
  readonly name: string;
  /** Bytes consumed so far and in all (for the progress bar). */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** The next chunk of at most maxRows rows, or null at the end. */
  next(maxRows: number): Promise<Chunk | null>;
  close(): Promise<void>;
}

/** Which columns of a CSV file to read: names (needs a header) or 0-based indices. */
export type ColumnSelection = readonly string[] | undefined;

export async function openSource(path: string, columns: ColumnSelection): Promise<Source> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new CliError(`${path}: no such file`);
  }
  const ext = extname(path).toLowerCase();
  if (columns && ext !== '.csv') throw new CliError(`${path}: --columns applies to .csv files only`);
  switch (ext) {
    case '.npy':
      return NpySource.open(path, size);
    case '.csv':
      return new TextSource(path, size, 'csv', columns);
    case '.jsonl':
    case '.ndjson':
      return new TextSource(path, size, 'jsonl', undefined);
    case '.json':
      return JsonSource.open(path, size);
    default:
      throw new CliError(`${path}: unknown file type '${ext || '(none)'}' (supported: .npy, .csv, .json, .jsonl)`);
  }
}

class NpySource implements Source {
  bytesRead = 0;
  private row = 0;
  private readonly rowCount: number;
  private readonly cols: number;

  private constructor(
    readonly name: string,
    readonly totalBytes: number,
    private readonly file: FileHandle,
    private readonly header: NpyHeader,
  ) {
    const { shape } = header;
    if (shape.length === 0 || shape.length > 2) {
      throw new CliError(`${name}: expected a 1-D or 2-D array, got shape (${shape.join(', ')})`);
    }
    this.rowCount = shape[0];
    this.cols = shape.length === 2 ? shape[1] : 1;
    const expected = header.dataOffset + this.rowCount * this.cols * header.bytesPerElement;
    if (totalBytes < expected) throw new CliError(`${name}: truncated: shape (${shape.join(', ')}) needs ${expected} bytes, the file has ${totalBytes}`);
  }

  static async open(path: string, size: number): Promise<NpySource> {
    const file = await open(path, 'r');
    try {
      return new NpySource(path, size, file, await readNpyHeader(file, path));
    } catch (e) {
      await file.close();
      throw e;
    }
  }

  async next(maxRows: number): Promise<Chunk | null> {
    const rows = Math.min(maxRows, this.rowCount - this.row);
    if (rows <= 0) return null;
    const { bytesPerElement, dataOffset, dtype } = this.header;
    const length = rows * this.cols * bytesPerElement;
    const bytes = new Uint8Array(length);
    const position = dataOffset + this.row * this.cols * bytesPerElement;
    const { bytesRead } = await this.file.read(bytes, 0, length, position);
    if (bytesRead !== length) throw new CliError(`${this.name}: unexpected end of file at row ${this.row + 1}`);
    const data = decodeNpy(bytes, dtype, this.name, this.row * this.cols);
    const chunk = { firstRow: this.row, rows, cols: this.cols, vector: this.header.shape.length === 1, data };
    this.row += rows;
    this.bytesRead = position + length;
    return chunk;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Turns parsed rows into chunks and checks that every row has the same width. */
class RowCollector {
  private values: number[] = [];
  private rows = 0;
  cols = -1;
  vector = false;

  constructor(private readonly name: string) {}

  add(row: number[], isVector: boolean, where: string): void {
    if (this.cols === -1) {
      this.cols = row.length;
      this.vector = isVector;
    } else if (row.length !== this.cols || isVector !== this.vector) {
      throw new CliError(`${where}: expected ${this.vector ? 'a number' : `${this.cols} numbers`}, got ${isVector ? 'a number' : `${row.length}`}`);
    }
    for (const v of row) this.values.push(v);
    this.rows++;
  }

  get size(): number {
    return this.rows;
  }

  take(firstRow: number): Chunk | null {
    if (this.rows === 0) return null;
    const chunk = { firstRow, rows: this.rows, cols: this.cols, vector: this.vector, data: Float64Array.from(this.values) };
    this.values = [];
    this.rows = 0;
    return chunk;
  }
}

function parseNumber(text: string, where: string): number {
  const trimmed = text.trim();
  const v = trimmed === '' ? NaN : Number(trimmed);
  if (Number.isNaN(v) && !/^nan$/i.test(trimmed)) throw new CliError(`${where}: not a number: ${JSON.stringify(text)}`);
  return v;
}

/** .csv (numbers separated by commas, optional header) and .jsonl (a number or an array per line), streamed by line. */
class TextSource implements Source {
  private readonly lines: AsyncIterator<string>;
  private readonly stream: ReturnType<typeof createReadStream>;
  private lineNumber = 0;
  private row = 0;
  private selected: number[] | null = null;
  private readonly collector: RowCollector;

  constructor(
    readonly name: string,
    readonly totalBytes: number,
    private readonly format: 'csv' | 'jsonl',
    private readonly columns: ColumnSelection,
  ) {
    this.stream = createReadStream(name);
    this.lines = createInterface({ input: this.stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
    this.collector = new RowCollector(name);
  }

  get bytesRead(): number {
    return this.stream.bytesRead;
  }

  private csvRow(line: string, where: string): number[] | null {
    const fields = line.split(',');
    if (this.selected === null) {
      const isHeader = fields.some((f) => f.trim() !== '' && Number.isNaN(Number(f)) && !/^\s*nan\s*$/i.test(f));
      const names = fields.map((f) => f.trim());
      if (this.columns) {
        this.selected = this.columns.map((c) => {
          const byName = names.indexOf(c);
          if (isHeader && byName >= 0) return byName;
          const index = Number(c);
          if (Number.isInteger(index) && index >= 0 && index < fields.length) return index;
          throw new CliError(`${this.name}: no column '${c}' (${isHeader ? `columns: ${names.join(', ')}` : `the file has no header and ${fields.length} columns`})`);
        });
      } else {
        this.selected = fields.map((_, i) => i);
      }
      if (isHeader) return null;
    }
    return this.selected.map((i) => {
      if (i >= fields.length) throw new CliError(`${where}: expected at least ${i + 1} columns, got ${fields.length}`);
      return parseNumber(fields[i], where);
    });
  }

  async next(maxRows: number): Promise<Chunk | null> {
    const firstRow = this.row;
    while (this.collector.size < maxRows) {
      const { value: line, done } = await this.lines.next();
      if (done) break;
      this.lineNumber++;
      if (line.trim() === '') continue;
      const where = `${this.name}:${this.lineNumber}`;
      if (this.format === 'csv') {
        const row = this.csvRow(line, where);
        if (row) this.collector.add(row, row.length === 1, where);
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new CliError(`${where}: not valid JSON: ${JSON.stringify(line.length > 60 ? line.slice(0, 60) + '…' : line)}`);
        }
        if (typeof parsed === 'number') this.collector.add([parsed], true, where);
        else if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'number')) this.collector.add(parsed as number[], false, where);
        else throw new CliError(`${where}: expected a number or an array of numbers`);
      }
    }
    const chunk = this.collector.take(firstRow);
    if (chunk) this.row += chunk.rows;
    return chunk;
  }

  async close(): Promise<void> {
    this.stream.destroy();
  }
}

/** .json: one array of numbers or of rows, read whole (JSON cannot be parsed in pieces with the standard parser). */
class JsonSource implements Source {
  bytesRead = 0;
  private row = 0;

  private constructor(
    readonly name: string,
    readonly totalBytes: number,
    private readonly values: unknown[],
  ) {}

  static async open(path: string, size: number): Promise<JsonSource> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new CliError(`${path}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new CliError(`${path}: expected an array of numbers or of rows`);
    return new JsonSource(path, size, parsed);
  }

  async next(maxRows: number): Promise<Chunk | null> {
    const collector = new RowCollector(this.name);
    const firstRow = this.row;
    while (collector.size < maxRows && this.row < this.values.length) {
      const item = this.values[this.row];
      const where = `${this.name}: row ${this.row + 1}`;
      if (typeof item === 'number') collector.add([item], true, where);
      else if (Array.isArray(item) && item.every((v) => typeof v === 'number')) collector.add(item as number[], false, where);
      else throw new CliError(`${where}: expected a number or an array of numbers`);
      this.row++;
    }
    this.bytesRead = Math.round((this.row / Math.max(1, this.values.length)) * this.totalBytes);
    return collector.take(firstRow);
  }

  async close(): Promise<void> {}
}
