// Output files written atomically: everything goes to a temporary file beside the target, which is
// renamed over it only when the whole result is written. A failure leaves no partial file.
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { CliError } from '../errors.js';
import { NPY_HEADER_BYTES, npyHeader } from './npy.js';

type Format = 'npy' | 'csv' | 'json' | 'jsonl';

export class AtomicSink {
  private rows = 0;
  private cols = 1;
  private vector = true;
  private position = 0;
  private first = true;

  private constructor(
    readonly path: string,
    private readonly temporary: string,
    private readonly file: FileHandle,
    private readonly format: Format,
    private readonly dtype: 'float32' | 'float64',
  ) {}

  static async open(path: string, dtype: 'float32' | 'float64', allowed: readonly Format[] = ['npy', 'csv', 'json', 'jsonl']): Promise<AtomicSink> {
    const format = extname(path).slice(1).toLowerCase() as Format;
    if (!allowed.includes(format)) throw new CliError(`${path}: output must be ${allowed.map((f) => '.' + f).join(', ')}`, 2);
    const temporary = `${path}.tmp-${process.pid}`;
    let file: FileHandle;
    try {
      file = await open(temporary, 'w+');
    } catch (e) {
      throw new CliError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const sink = new AtomicSink(path, temporary, file, format, dtype);
    if (format === 'npy') sink.position = NPY_HEADER_BYTES; // the header is written last, with the final shape
    if (format === 'json') await sink.append('[');
    return sink;
  }

  private async append(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    await this.file.write(bytes, 0, bytes.length, this.position);
    this.position += bytes.length;
  }

  /** Appends rows of `cols` values (`vector`: one value per row, shape [rows]). */
  async write(values: ArrayLike<number>, cols: number, vector: boolean): Promise<void> {
    this.cols = cols;
    this.vector = vector;
    const rows = cols === 0 ? 0 : values.length / cols;
    this.rows += rows;
    if (this.format === 'npy') {
      const typed = this.dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
      const bytes = new Uint8Array(typed.buffer);
      await this.file.write(bytes, 0, bytes.length, this.position);
      this.position += bytes.length;
      return;
    }
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const row = Array.from({ length: cols }, (_, c) => values[r * cols + c]);
      if (this.format === 'csv') lines.push(row.map(String).join(','));
      else lines.push(JSON.stringify(vector ? row[0] : row));
    }
    if (lines.length === 0) return;
    if (this.format === 'json') await this.append((this.first ? '' : ',') + lines.join(','));
    else await this.append(lines.join('\n') + '\n');
    this.first = false;
  }

  /** Multiplies everything written so far by `factor` (a mean's 1/denominator), in place. */
  async scale(factor: number): Promise<void> {
    if (this.format !== 'npy') throw new Error('scale: .npy only');
    const size = this.dtype === 'float32' ? 4 : 8;
    const block = (1 << 20) * size;
    for (let offset = NPY_HEADER_BYTES; offset < this.position; offset += block) {
      const length = Math.min(block, this.position - offset);
      const bytes = new Uint8Array(length);
      await this.file.read(bytes, 0, length, offset);
      const values = this.dtype === 'float32' ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
      for (let i = 0; i < values.length; i++) values[i] *= factor;
      await this.file.write(bytes, 0, length, offset);
    }
  }

  async commit(): Promise<void> {
    if (this.format === 'npy') {
      const header = npyHeader(this.dtype, this.vector ? [this.rows] : [this.rows, this.cols]);
      await this.file.write(header, 0, header.length, 0);
    }
    if (this.format === 'json') await this.append(']\n');
    await this.file.close();
    await rename(this.temporary, this.path);
  }

  async abort(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await unlink(this.temporary).catch(() => undefined);
  }
}
