// Row sources for `losskit eval`: every format is read a chunk of rows at a time, so that 'mean'
// and 'sum' over files larger than memory run in constant memory. An input is opened once, with
// one or more column selections (predictions and targets from one CSV or Parquet file, also from a
// named pipe or standard input, which can be read only once).
import { extname } from 'node:path';
import { CliError } from '../errors.js';
import { describeInput, openBytes, STDIN, type ByteStream } from './bytes.js';
import { decodeNpy, readNpyHeader, type NpyHeader } from './npy.js';

/**
 * A block of consecutive rows. `vector` means the file holds one number per row (shape [rows]).
 * `missing[r]` is 1 where row r had a missing value (its numbers are then NaN placeholders).
 * `data` may be memory the source reuses: it is valid until the source's next `next()` call.
 */
export interface Chunk {
  firstRow: number;
  rows: number;
  cols: number;
  vector: boolean;
  data: Float32Array | Float64Array;
  missing: Uint8Array | null;
}

export interface Source {
  readonly name: string;
  /** Bytes consumed so far and in all (for the progress bar; 0 in all when unknown). */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** The next at most maxRows rows, one chunk per column selection, or null at the end. */
  next(maxRows: number): Promise<Chunk[] | null>;
  close(): Promise<void>;
}

/** Which columns to read: names (or 0-based indices); undefined for all. */
export type ColumnSelection = readonly string[] | undefined;

export type Format = 'npy' | 'npz' | 'csv' | 'tsv' | 'json' | 'jsonl' | 'parquet' | 'arrow';

/** File name endings of each format (one fact in one place: messages and help derive from it). */
export const FORMAT_EXTENSIONS: Record<Format, readonly string[]> = {
  npy: ['.npy'],
  npz: ['.npz'],
  csv: ['.csv'],
  tsv: ['.tsv', '.tab'],
  json: ['.json'],
  jsonl: ['.jsonl', '.ndjson'],
  parquet: ['.parquet', '.pq'],
  arrow: ['.arrow', '.feather', '.ipc', '.arrows'],
};
/** Formats whose reader needs to seek (a footer at the end): not from a pipe or gzip. */
const SEEKING: readonly Format[] = ['parquet', 'npz'];
/** Formats with named columns (--columns, --target-columns). */
const COLUMNAR: readonly Format[] = ['csv', 'tsv', 'parquet', 'arrow'];

export const FORMATS = Object.keys(FORMAT_EXTENSIONS) as Format[];

export interface InputOptions {
  /** The field delimiter of CSV/TSV (default ',' for .csv, tab for .tsv). */
  delimiter?: string;
  /** The format of standard input ('-'); default: sniffed (npy, gzip), else csv. */
  stdinFormat?: Format;
  /** Only this part of a CSV/TSV file (--jobs on one file). */
  part?: import('./csv.js').CsvPart;
}

export function formatOfName(path: string): Format | undefined {
  const ext = extname(path.toLowerCase().replace(/\.gz$/, ''));
  return FORMATS.find((f) => FORMAT_EXTENSIONS[f].includes(ext));
}

function listedExtensions(): string {
  return FORMATS.flatMap((f) => FORMAT_EXTENSIONS[f]).join(', ') + ' (any of the streamed ones also .gz)';
}

/** `archive.npz:member` names a member of an .npz file. */
function splitMember(path: string): { path: string; member?: string } {
  const m = /^(.*\.npz):([^/\\]+)$/i.exec(path);
  return m ? { path: m[1], member: m[2] } : { path };
}

export async function openSource(input: string, selections: ColumnSelection[], options: InputOptions = {}): Promise<Source> {
  const { path, member } = splitMember(input);
  const { size, regular } = await describeInput(path);
  let format = path === STDIN ? options.stdinFormat : formatOfName(path);
  let bytes: ByteStream | null = null;
  if (path === STDIN && !format) {
    bytes = await openBytes(path);
    const head = await bytes.peek(6);
    format = head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY' ? 'npy' : 'csv';
  }
  if (!format) throw new CliError(`${path}: unknown file type '${extname(path) || '(none)'}' (supported: ${listedExtensions()})`);
  const gz = path.toLowerCase().endsWith('.gz');
  if (SEEKING.includes(format) && (!regular || gz)) {
    await bytes?.close();
    throw new CliError(`${path}: ${format} files are read from their end: give a regular file, not ${gz ? 'a .gz' : 'a pipe or standard input'}`);
  }
  if (member !== undefined && format !== 'npz') throw new CliError(`${input}: ':member' applies to .npz files only`);
  if (!COLUMNAR.includes(format) && selections.some((s) => s !== undefined)) {
    await bytes?.close();
    throw new CliError(`${path}: --columns and --target-columns apply to ${COLUMNAR.join(', ')} files, not ${format}`, 2);
  }
  switch (format) {
    case 'npy':
      return NpySource.open(bytes ?? (await openBytes(path)), regular && !gz ? size : 0, selections.length);
    case 'npz': {
      const { openNpzMember } = await import('./npz.js');
      return NpySource.open(await openNpzMember(path, member), 0, selections.length);
    }
    case 'csv':
    case 'tsv': {
      const { CsvSource } = await import('./csv.js');
      const delimiter = options.delimiter ?? (format === 'tsv' ? '\t' : ',');
      // 256 KB blocks: a third less CPU than 1 MB ones for PapaParse's parser (measured on a 43 MB CSV).
      return CsvSource.open(bytes ?? (await openBytes(path, 1 << 18, options.part)), size, selections, delimiter, options.part);
    }
    case 'json':
      return JsonSource.open(bytes ?? (await openBytes(path)), size, selections.length);
    case 'jsonl':
      return JsonlSource.open(bytes ?? (await openBytes(path)), size, selections.length);
    case 'parquet': {
      const { ParquetSource } = await import('./parquet.js');
      return ParquetSource.open(path, size, selections);
    }
    case 'arrow': {
      const { ArrowSource } = await import('./arrow.js');
      return ArrowSource.open(bytes ?? (await openBytes(path)), size, selections);
    }
    default: {
      const never: never = format;
      throw new CliError(`unknown format ${String(never)} (valid: ${FORMATS.join(', ')})`, 2);
    }
  }
}

/** One chunk handed out once per selection (formats without columns give the same rows to each). */
function repeat(chunk: Chunk | null, times: number): Chunk[] | null {
  return chunk ? Array.from({ length: times }, () => chunk) : null;
}

/** A .npy array streamed by rows (from a file, a pipe, gzip or an .npz member). */
class NpySource implements Source {
  private row = 0;
  private readonly rowCount: number;
  private readonly cols: number;
  /** Fortran order stores columns one after the other: such an array is read whole, then served by rows. */
  private whole: Float32Array | Float64Array | null = null;
  private buffer: Uint8Array | null = null;

  private constructor(
    private readonly stream: ByteStream,
    readonly totalBytes: number,
    private readonly header: NpyHeader,
    private readonly copies: number,
  ) {
    const { shape } = header;
    if (shape.length === 0 || shape.length > 2) {
      throw new CliError(`${stream.name}: expected a 1-D or 2-D array, got shape (${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
    }
    this.rowCount = shape[0];
    this.cols = shape.length === 2 ? shape[1] : 1;
  }

  get name(): string {
    return this.stream.name;
  }

  get bytesRead(): number {
    return this.stream.rawBytesRead;
  }

  /** `fileSize`: the size the whole .npy must have at least (0 when unknown: pipes, gzip, .npz members). */
  static async open(stream: ByteStream, fileSize: number, copies: number): Promise<NpySource> {
    try {
      const header = await readNpyHeader(stream);
      const source = new NpySource(stream, fileSize, header, copies);
      const dataBytes = source.rowCount * source.cols * header.bytesPerElement;
      if (fileSize > 0 && fileSize < stream.offset + dataBytes) {
        throw new CliError(`${stream.name}: truncated: shape (${header.shape.join(', ')}) needs ${stream.offset + dataBytes} bytes, the file has ${fileSize}`);
      }
      if (header.fortranOrder && source.cols > 1) {
        const bytes = await source.readExactly(dataBytes, 0);
        source.whole = decodeNpy(bytes, header, stream.name, 0);
      }
      return source;
    } catch (e) {
      await stream.close();
      throw e;
    }
  }

  private truncated(row: number): never {
    throw new CliError(`${this.name}: truncated: the data ends before row ${row + 1} of ${this.rowCount} (shape (${this.header.shape.join(', ')}))`);
  }

  private async readExactly(length: number, row: number): Promise<Uint8Array> {
    const bytes = await this.stream.read(length);
    if (bytes.length !== length) this.truncated(row);
    return bytes;
  }

  async next(maxRows: number): Promise<Chunk[] | null> {
    const rows = Math.min(maxRows, this.rowCount - this.row);
    if (rows <= 0) return null;
    const { cols } = this;
    let data: Float32Array | Float64Array;
    if (this.whole) {
      // Column-major: element (r, c) is at c · rowCount + r.
      data = new (this.whole.constructor as Float64ArrayConstructor)(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = this.whole[c * this.rowCount + this.row + r];
    } else {
      // One buffer for every chunk (a chunk lives until the next call): read(2) fills it directly.
      const length = rows * cols * this.header.bytesPerElement;
      if (!this.buffer || this.buffer.length < length) this.buffer = new Uint8Array(length);
      const bytes = this.buffer.subarray(0, length);
      if ((await this.stream.readInto(bytes)) !== length) this.truncated(this.row);
      data = decodeNpy(bytes, this.header, this.name, this.row * cols);
    }
    const chunk = { firstRow: this.row, rows, cols, vector: this.header.shape.length === 1, data, missing: null };
    this.row += rows;
    return repeat(chunk, this.copies);
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}

/** Turns parsed rows into chunks and checks that every row has the same width. */
export class RowCollector {
  private values: number[] = [];
  private rows = 0;
  cols = -1;
  vector = false;

  add(row: readonly number[], isVector: boolean, where: string): void {
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
    const chunk = { firstRow, rows: this.rows, cols: this.cols, vector: this.vector, data: Float64Array.from(this.values), missing: null };
    this.values = [];
    this.rows = 0;
    return chunk;
  }
}

/** A JSON value as a row: a number, or an array of numbers. */
function addJsonRow(collector: RowCollector, item: unknown, where: string): void {
  if (typeof item === 'number') collector.add([item], true, where);
  else if (Array.isArray(item) && item.every((v) => typeof v === 'number')) collector.add(item as number[], false, where);
  else throw new CliError(`${where}: expected a number or an array of numbers`);
}

const BOM = '\uFEFF';

/** .jsonl: a number or an array of numbers per line, streamed. */
class JsonlSource implements Source {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  private buffered = '';
  private lineNumber = 0;
  private row = 0;
  private ended = false;
  private readonly collector = new RowCollector();

  private constructor(
    private readonly stream: ByteStream,
    readonly totalBytes: number,
    private readonly copies: number,
  ) {}

  static async open(stream: ByteStream, size: number, copies: number): Promise<JsonlSource> {
    return new JsonlSource(stream, size, copies);
  }

  get name(): string {
    return this.stream.name;
  }

  get bytesRead(): number {
    return this.stream.rawBytesRead;
  }

  private line(text: string): void {
    this.lineNumber++;
    if (text.trim() === '') return;
    const where = `${this.name}:${this.lineNumber}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(`${where}: not valid JSON: ${JSON.stringify(text.length > 60 ? text.slice(0, 60) + '…' : text)}`);
    }
    addJsonRow(this.collector, parsed, where);
  }

  async next(maxRows: number): Promise<Chunk[] | null> {
    const firstRow = this.row;
    while (this.collector.size < maxRows && !this.ended) {
      let newline = this.buffered.indexOf('\n');
      if (newline < 0) {
        const block = await this.stream.block();
        if (block) {
          this.buffered += this.decoder.decode(block, { stream: true });
          continue;
        }
        this.ended = true;
        this.buffered += this.decoder.decode();
        if (this.buffered !== '') this.line(this.buffered);
        break;
      }
      let start = 0;
      while (newline >= 0 && this.collector.size < maxRows) {
        this.line(this.buffered.slice(start, newline));
        start = newline + 1;
        newline = this.buffered.indexOf('\n', start);
      }
      this.buffered = this.buffered.slice(start);
    }
    const chunk = this.collector.take(firstRow);
    if (chunk) this.row += chunk.rows;
    return repeat(chunk, this.copies);
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}

/** .json: one array of numbers or of rows, read whole (the standard parser cannot parse in pieces). */
class JsonSource implements Source {
  private row = 0;

  private constructor(
    private readonly stream: ByteStream,
    readonly totalBytes: number,
    private readonly values: unknown[],
    private readonly copies: number,
  ) {}

  get name(): string {
    return this.stream.name;
  }

  get bytesRead(): number {
    return Math.round((this.row / Math.max(1, this.values.length)) * this.totalBytes);
  }

  static async open(stream: ByteStream, size: number, copies: number): Promise<JsonSource> {
    const blocks: Uint8Array[] = [];
    for (let b = await stream.block(); b; b = await stream.block()) blocks.push(b);
    await stream.close();
    let text = Buffer.concat(blocks).toString('utf8');
    if (text.startsWith(BOM)) text = text.slice(1);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${stream.name}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new CliError(`${stream.name}: expected an array of numbers or of rows`);
    return new JsonSource(stream, size, parsed, copies);
  }

  async next(maxRows: number): Promise<Chunk[] | null> {
    const collector = new RowCollector();
    const firstRow = this.row;
    while (collector.size < maxRows && this.row < this.values.length) {
      addJsonRow(collector, this.values[this.row], `${this.name}: row ${this.row + 1}`);
      this.row++;
    }
    return repeat(collector.take(firstRow), this.copies);
  }

  async close(): Promise<void> {}
}
