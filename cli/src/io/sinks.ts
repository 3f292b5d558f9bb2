// Output files written atomically and safely:
// - everything goes to a temporary file in the destination's own folder (so the final rename is
//   atomic: same file system), created exclusively (O_EXCL: an existing file or a planted symlink
//   makes the open fail instead of being followed) under a random name;
// - the destination is replaced only when the whole run succeeded (commitAll after every sink is
//   complete), keeping its permission bits when it existed;
// - temporary files are removed on failure, on exit, and on SIGINT, SIGTERM and SIGHUP.
import { randomBytes } from 'node:crypto';
import { constants, unlinkSync } from 'node:fs';
import { chmod, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { CliError } from '../errors.js';
import { NPY_HEADER_BYTES, npyHeader } from './npy.js';

export type OutputFormat = 'npy' | 'csv' | 'json' | 'jsonl';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['npy', 'csv', 'json', 'jsonl'];

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
let handlersInstalled = false;

function removeLive(): void {
  for (const path of live) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', removeLive);
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      removeLive();
      // The conventional status of a process ended by a signal.
      process.exit(128 + SIGNAL_NUMBERS[signal]);
    });
  }
}

/** A fresh, exclusively created temporary file beside `path`, and the mode the result should get. */
async function createTemporary(path: string): Promise<{ temporary: string; file: FileHandle; mode: number | null }> {
  installHandlers();
  let mode: number | null = null;
  try {
    const existing = await stat(path);
    if (existing.isDirectory()) throw new CliError(`${path}: is a directory`);
    mode = existing.mode & 0o7777;
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR | (constants.O_NOFOLLOW ?? 0), 0o666);
    live.add(temporary);
    return { temporary, file, mode };
  } catch (e) {
    throw new CliError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

async function finish(temporary: string, path: string, mode: number | null): Promise<void> {
  try {
    if (mode !== null) await chmod(temporary, mode);
    await rename(temporary, path);
    live.delete(temporary);
  } catch (e) {
    throw new CliError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

async function discard(temporary: string): Promise<void> {
  await unlink(temporary).catch(() => undefined);
  live.delete(temporary);
}

/** Writes `data` to `path` atomically (plot's SVG, a partial state). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const { temporary, file, mode } = await createTemporary(path);
  try {
    await file.writeFile(data);
    await file.close();
    await finish(temporary, path, mode);
  } catch (e) {
    await file.close().catch(() => undefined);
    await discard(temporary);
    throw e instanceof CliError ? e : new CliError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Refuses two outputs naming one file (one would overwrite the other, or an input). */
export function checkDistinctOutputs(outputs: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of Object.entries(outputs)) {
    if (!path) continue;
    const key = resolve(path);
    const other = seen.get(key);
    if (other) throw new CliError(`${other} and ${flag} name the same file (${path}): give each its own`, 2);
    seen.set(key, flag);
  }
}

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
    private readonly mode: number | null,
    private readonly format: OutputFormat,
    private readonly dtype: 'float32' | 'float64',
  ) {}

  /** The format a path names, or a usage error listing the allowed ones. */
  static formatOf(path: string, allowed: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat {
    const format = extname(path).slice(1).toLowerCase() as OutputFormat;
    if (!allowed.includes(format)) throw new CliError(`${path}: output must be ${allowed.map((f) => '.' + f).join(', ')}`, 2);
    return format;
  }

  static async open(path: string, dtype: 'float32' | 'float64', allowed: readonly OutputFormat[] = OUTPUT_FORMATS): Promise<AtomicSink> {
    const format = AtomicSink.formatOf(path, allowed);
    const { temporary, file, mode } = await createTemporary(path);
    const sink = new AtomicSink(path, temporary, file, mode, format, dtype);
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
      // JSON has no NaN or Infinity: they are written as the strings "NaN", "Infinity", "-Infinity".
      if (this.format === 'csv') lines.push(row.map(String).join(','));
      else lines.push(JSON.stringify(vector ? jsonNumber(row[0]) : row.map(jsonNumber)));
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

  /** Completes the temporary file (header, closing bracket) without replacing the destination yet. */
  async complete(): Promise<void> {
    if (this.format === 'npy') {
      const header = npyHeader(this.dtype, this.vector ? [this.rows] : [this.rows, this.cols]);
      await this.file.write(header, 0, header.length, 0);
    }
    if (this.format === 'json') await this.append(']\n');
    await this.file.close();
  }

  /** Renames the completed file over the destination. */
  async commit(): Promise<void> {
    await finish(this.temporary, this.path, this.mode);
  }

  async abort(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await discard(this.temporary);
  }
}

/** A number for JSON output: finite numbers as they are, NaN and ±Infinity as strings (JSON has no such numbers). */
export function jsonNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}
