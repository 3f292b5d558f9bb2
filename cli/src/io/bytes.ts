// Where an input's bytes come from: a regular file, a named pipe, standard input (`-`), a gzip
// stream (`.gz`, or gzip's magic bytes on a pipe), read front to back in blocks, so that every
// streamed format reads each input once and in constant memory.
import type { Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
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

/** What a stream of blocks is read from: closed with it, and the bytes read from it (for a decompressed stream). */
export interface Underneath {
  close?: () => Promise<void> | void;
  bytesRead?: () => number;
}

/** Where a ByteStream's bytes come from: blocks as they come, or a file read into given memory. */
type Origin =
  | { kind: 'blocks'; iterator: AsyncIterator<Uint8Array>; underneath: Underneath }
  /** `position`: where the next read starts (null: the file's own position, for pipes); `end`: where to stop. */
  | { kind: 'file'; handle: FileHandle; blockSize: number; read: number; position: number | null; end: number };

/** A byte range [start, end) of a regular file. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Sequential reads of exact lengths over a stream of blocks. Counts the bytes it took from the
 * underlying file (before decompression) for the progress bar. A file (a regular file or a named
 * pipe, not standard input) is read with read(2) straight into the memory the caller reads into:
 * `read` and `readInto` copy nothing that is not still pending from a `peek`.
 */
export class ByteStream {
  private readonly origin: Origin;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private ended = false;
  /** Bytes handed out so far. */
  offset = 0;

  constructor(
    readonly name: string,
    source: AsyncIterable<Uint8Array> | { handle: FileHandle; blockSize: number; range?: ByteRange },
    underneath: Underneath = {},
  ) {
    if ('handle' in source) {
      const { handle, blockSize, range } = source;
      this.origin = { kind: 'file', handle, blockSize, read: 0, position: range?.start ?? null, end: range?.end ?? Infinity };
    } else this.origin = { kind: 'blocks', iterator: source[Symbol.asyncIterator](), underneath };
  }

  get rawBytesRead(): number {
    if (this.origin.kind === 'file') return this.origin.read;
    return this.origin.underneath.bytesRead?.() ?? this.offset;
  }

  /** Reads from the file into `target` until it is full or the file ends; the bytes read. */
  private async readFile(target: Uint8Array): Promise<number> {
    const origin = this.origin as Extract<Origin, { kind: 'file' }>;
    let filled = 0;
    while (filled < target.length && !this.ended) {
      const wanted = Math.min(target.length - filled, origin.end - (origin.position ?? origin.read));
      let bytesRead = 0;
      try {
        if (wanted > 0) ({ bytesRead } = await origin.handle.read(target, filled, wanted, origin.position));
      } catch (e) {
        throw streamError(this.name, e);
      }
      if (bytesRead === 0) this.ended = true;
      filled += bytesRead;
      origin.read += bytesRead;
      if (origin.position !== null) origin.position += bytesRead;
    }
    return filled;
  }

  private async fill(wanted: number): Promise<void> {
    while (this.pendingBytes < wanted && !this.ended) {
      let block: Uint8Array | null;
      if (this.origin.kind === 'file') {
        const buffer = new Uint8Array(Math.max(this.origin.blockSize, wanted - this.pendingBytes));
        block = buffer.subarray(0, await this.readFile(buffer));
      } else {
        let result: IteratorResult<Uint8Array>;
        try {
          result = await this.origin.iterator.next();
        } catch (e) {
          throw streamError(this.name, e);
        }
        if (result.done) this.ended = true;
        block = result.done ? null : result.value;
      }
      if (block && block.length > 0) {
        this.pending.push(block);
        this.pendingBytes += block.length;
      }
    }
  }

  /** Copies pending bytes to the start of `target`; how many. */
  private takePending(target: Uint8Array): number {
    let filled = 0;
    while (filled < target.length && this.pending.length > 0) {
      const head = this.pending[0];
      const take = Math.min(head.length, target.length - filled);
      target.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.pendingBytes -= filled;
    return filled;
  }

  /** Fills `target` (or less at the end of the stream); the number of bytes read. */
  async readInto(target: Uint8Array): Promise<number> {
    let filled: number;
    if (this.origin.kind === 'file') {
      filled = this.takePending(target);
      if (filled < target.length) filled += await this.readFile(target.subarray(filled));
    } else {
      await this.fill(target.length);
      filled = this.takePending(target);
    }
    this.offset += filled;
    return filled;
  }

  /** Exactly n bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    if (this.origin.kind === 'blocks') await this.fill(n);
    const out = new Uint8Array(this.origin.kind === 'blocks' ? Math.min(n, this.pendingBytes) : n);
    const filled = await this.readInto(out);
    return filled === out.length ? out : out.subarray(0, filled);
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
    const bytes = await this.read(Math.min(n, this.pendingBytes));
    this.pending.unshift(bytes);
    this.pendingBytes += bytes.length;
    this.offset -= bytes.length;
    return bytes;
  }

  async close(): Promise<void> {
    if (this.origin.kind === 'file') {
      await this.origin.handle.close().catch(() => undefined);
      return;
    }
    await this.origin.underneath.close?.();
    await this.origin.iterator.return?.().catch(() => undefined);
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The input's bytes, decompressed if it is gzip (by its `.gz` name, or by its magic bytes when it
 * has no name to go by: standard input). `name` is used in messages. `range`: only those bytes of
 * a regular file (a part of a CSV split by lines, for --jobs).
 */
export async function openBytes(path: string, highWaterMark = 1 << 20, range?: ByteRange): Promise<ByteStream> {
  let plain: ByteStream;
  if (path === STDIN) plain = new ByteStream('standard input', process.stdin, { close: () => void process.stdin.destroy() });
  else {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw streamError(path, e);
    }
    plain = new ByteStream(path, { handle, blockSize: highWaterMark, range });
  }
  const head = await plain.peek(2);
  const gzip = path.toLowerCase().endsWith('.gz') || (path === STDIN && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]);
  if (!gzip) return plain;
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    await plain.close();
    throw new CliError(`${plain.name}: not gzip data (the name ends in .gz)`);
  }
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
  return new ByteStream(plain.name, gunzip, {
    close: async () => {
      gunzip.destroy();
      await plain.close();
    },
    bytesRead: () => plain.rawBytesRead,
  });
}
