// Where an input's bytes come from: a regular file, a named pipe, standard input (`-`), a gzip
// stream (`.gz`, or gzip's magic bytes on a pipe), read front to back in blocks, so that every
// streamed format reads each input once and in constant memory.
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CliError } from '../errors.js';

export const STDIN = '-';

/** What the path is, checked before reading: one-line errors that name it. */
export async function describeInput(path: string): Promise<{ size: number; regular: boolean }> {
  if (path === STDIN) return { size: 0, regular: false };
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? (e as Error).message})`);
  }
  if (info.isDirectory()) throw new CliError(`${path}: is a directory, not a data file`);
  if (!info.isFile() && !info.isFIFO()) throw new CliError(`${path}: not a regular file or a named pipe`);
  return { size: info.isFile() ? info.size : 0, regular: info.isFile() };
}

/** Errors of a stream as one-line CliErrors naming the input. */
export function streamError(name: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' || err.code === 'ERR_PADDING_1') return new CliError(`${name}: corrupt gzip data (${err.message})`);
  return new CliError(`${name}: cannot read (${err.code ?? err.message})`);
}

/**
 * Sequential reads of exact lengths over a stream of blocks. Counts the bytes it took from the
 * underlying file (before decompression) for the progress bar.
 */
export class ByteStream {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private ended = false;
  /** Bytes handed out so far. */
  offset = 0;

  constructor(
    readonly name: string,
    source: AsyncIterable<Uint8Array>,
    private readonly raw: Readable | null,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  get rawBytesRead(): number {
    return (this.raw as unknown as { bytesRead?: number })?.bytesRead ?? this.offset;
  }

  private async fill(wanted: number): Promise<void> {
    while (this.pendingBytes < wanted && !this.ended) {
      let result: IteratorResult<Uint8Array>;
      try {
        result = await this.iterator.next();
      } catch (e) {
        throw streamError(this.name, e);
      }
      if (result.done) this.ended = true;
      else if (result.value.length > 0) {
        this.pending.push(result.value);
        this.pendingBytes += result.value.length;
      }
    }
  }

  /** Exactly n bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    await this.fill(n);
    const length = Math.min(n, this.pendingBytes);
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const head = this.pending[0];
      const take = Math.min(head.length, length - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.pendingBytes -= length;
    this.offset += length;
    return out;
  }

  /** The next block as it comes (at most `max` bytes), or null at the end. */
  async block(max = 1 << 20): Promise<Uint8Array | null> {
    if (this.pendingBytes === 0) await this.fill(1);
    if (this.pendingBytes === 0) return null;
    const head = this.pending[0];
    if (head.length <= max) {
      this.pending.shift();
      this.pendingBytes -= head.length;
      this.offset += head.length;
      return head;
    }
    return this.read(max);
  }

  /** The first n bytes without consuming them. */
  async peek(n: number): Promise<Uint8Array> {
    await this.fill(n);
    const bytes = await this.read(n);
    this.pending.unshift(bytes);
    this.pendingBytes += bytes.length;
    this.offset -= bytes.length;
    return bytes;
  }

  async close(): Promise<void> {
    this.raw?.destroy();
    await this.iterator.return?.().catch(() => undefined);
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The input's bytes, decompressed if it is gzip (by its `.gz` name, or by its magic bytes when it
 * has no name to go by: standard input). `name` is used in messages.
 */
export async function openBytes(path: string, highWaterMark = 1 << 20): Promise<ByteStream> {
  const raw: Readable = path === STDIN ? process.stdin : createReadStream(path, { highWaterMark });
  const plain = new ByteStream(path === STDIN ? 'standard input' : path, raw, raw);
  const head = await plain.peek(2);
  const gzip = path.toLowerCase().endsWith('.gz') || (path === STDIN && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]);
  if (!gzip) return plain;
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) throw new CliError(`${plain.name}: not gzip data (the name ends in .gz)`);
  const gunzip = createGunzip();
  // The bytes already peeked are still in `plain`: feed everything through gunzip.
  (async () => {
    try {
      for (;;) {
        const block = await plain.block();
        if (!block) break;
        if (!gunzip.write(block)) await new Promise((resolve) => gunzip.once('drain', resolve));
      }
      gunzip.end();
    } catch (e) {
      gunzip.destroy(e as Error);
    }
  })();
  const stream = new ByteStream(plain.name, gunzip, raw);
  return stream;
}
