// CSV and TSV (RFC 4180: quoted fields may hold delimiters, quotes doubled, and line breaks), parsed
// by PapaParse's core parser a block at a time: the unparsed tail of a block (a row cut in two, or
// a quoted field still open) is carried to the next. PapaParse was chosen by measuring (README,
// "Readers"): uDSV was faster but silently merges a row of too few fields with the next line and
// drops a short last row; csv-parse and d3-dsv were slower.
//
// The fast path: while the file holds no quote character, it is read as bytes, without a string
// per field (every package parser makes one, and that and Number() were 40 % of the CPU time):
// rows end at line breaks, fields at the delimiter, and parseDecimal (decimal.ts) reads each
// selected field's number, correctly rounded. Any row it does not decide (a field that is not a
// plain decimal, such as `nan`, `NA`, ` 1`, `0x10`; a row of the wrong width) is decoded and split
// into strings and goes through addRow, as PapaParse would give it (without quotes, RFC 4180 splits
// at every delimiter and line break), so values and messages are those of the PapaParse path. At
// the first quote (or a line break other than the file's), the rest of the file, from the start of
// that row, goes to PapaParse.
//
// The first row is a header when none of its fields is a number (so `N/A,1` is data, with a
// missing value, not a header). Every row must have the header's (or the first row's) number of
// fields. Fields become numbers by parseField (numbers.ts), which states the NA policy.
import { open, type FileHandle } from 'node:fs/promises';
import Papa from 'papaparse';
import { CliError } from '../errors.js';
import type { ByteStream } from './bytes.js';
import { fieldEnd, parseDecimal } from './decimal.js';
import { MISSING_VALUE, parseField } from './numbers.js';
import type { Chunk, ColumnSelection, Source } from './sources.js';

/** A growing buffer of the rows parsed and not handed out yet, for one column selection (or their missing-value marks). */
class Rows {
  data = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  /** The first n values, removed. */
  take(n: number): Float64Array {
    const out = this.data.slice(0, n);
    this.data.copyWithin(0, n, this.length);
    this.length -= n;
    return out;
  }
}

export class CsvSource implements Source {
  private decoder = new TextDecoder('utf-8');
  private parser: InstanceType<typeof Papa.Parser> | null = null;
  private tail = '';
  /** The fast path's state: null once the file went to PapaParse. */
  private bytes: { tail: Uint8Array; newline: '\n' | '\r\n' | null } | null;
  /** Decodes a row the fast path hands to addRow (keeping a U+FEFF: only the file's first is a BOM). */
  private readonly rowDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Per field, 1 where a column selection takes it (the fast path reads only those). */
  private taken = new Uint8Array(0);
  private values = new Float64Array(0);
  private ended = false;
  /** Records parsed so far (the header included): the line number absent quoted line breaks. */
  private record = 0;
  private width = -1;
  private indices: number[][] | null = null;
  private readonly rows: Rows[];
  /** Per buffered row, 1 where it has a missing value. */
  private readonly missing = new Rows();
  private buffered = 0;
  private handedOut = 0;

  private constructor(
    private readonly stream: ByteStream,
    readonly totalBytes: number,
    private readonly selections: ColumnSelection[],
    private readonly delimiter: string,
    /** A part of a file (--jobs): its first row known, and no quote allowed in it (see planCsvParts). */
    private readonly part: CsvPart | undefined,
  ) {
    this.rows = selections.map(() => new Rows());
    // The fast path splits at the delimiter byte: one that is ASCII and not part of a number.
    this.bytes = delimiter.charCodeAt(0) < 0x80 && !/[\d.eE+-]/.test(delimiter) ? { tail: new Uint8Array(0), newline: null } : null;
    if (part) {
      // A part's line break is the file's (its first line's), as one pass decides it.
      if (this.bytes) this.bytes.newline = part.newline;
      this.newline = part.newline;
      this.width = part.firstRow.length;
      this.indices = this.resolve(part.firstRow, part.isHeader);
      this.noteColumns();
    }
  }

  /** The fields the column selections take, once the first row is known. */
  private noteColumns(): void {
    this.taken = new Uint8Array(this.width);
    for (const indices of this.indices!) for (const i of indices) this.taken[i] = 1;
    this.values = new Float64Array(this.width);
  }

  static async open(stream: ByteStream, size: number, selections: ColumnSelection[], delimiter: string, part?: CsvPart): Promise<CsvSource> {
    if (!validDelimiter(delimiter)) {
      await stream.close();
      throw new CliError(`--delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`, 2);
    }
    return new CsvSource(stream, size, selections, delimiter, part);
  }

  get name(): string {
    return this.stream.name;
  }

  get bytesRead(): number {
    return this.stream.rawBytesRead;
  }

  private resolve(header: string[], isHeader: boolean): number[][] {
    const names = header.map((f) => f.trim());
    return this.selections.map((columns) => {
      if (!columns) return names.map((_, i) => i);
      return columns.map((c) => {
        const byName = names.indexOf(c);
        if (isHeader && byName >= 0) return byName;
        const index = Number(c);
        if (/^\d+$/.test(c) && index < names.length) return index;
        const have = isHeader ? `columns: ${names.join(', ')}` : `the file has no header and ${names.length} columns`;
        throw new CliError(`${this.name}: no column '${c}' (${have})`);
      });
    });
  }

  private addRow(fields: string[]): void {
    this.record++;
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    if (this.indices === null) {
      // BOM: TextDecoder drops it. A header has no numeric field.
      const isHeader = fields.every((f) => typeof parseField(f) !== 'number');
      this.width = fields.length;
      this.indices = this.resolve(fields, isHeader);
      this.noteColumns();
      if (isHeader) return;
    }
    // Where the row is, built only for a message (a string per row is a tenth of the parse).
    const where = (): string => `${this.name}:${this.record}`;
    if (fields.length !== this.width) {
      throw new CliError(`${where()}: expected ${this.width} fields, got ${fields.length} (a quoted field must be in double quotes; --delimiter sets the delimiter)`);
    }
    let missing = 0;
    for (let s = 0; s < this.indices.length; s++) {
      const rows = this.rows[s];
      for (const i of this.indices[s]) {
        const v = parseField(fields[i]);
        if (typeof v === 'number') rows.push(v);
        else if (v === MISSING_VALUE) {
          missing = 1;
          rows.push(NaN);
        } else throw new CliError(`${where()}: ${v}`);
      }
    }
    this.missing.push(missing);
    this.buffered++;
  }

  private parse(text: string, last: boolean): void {
    // A part starts at a line break only outside quoted fields: a quote anywhere voids the split.
    if (this.part && text.includes('"')) throw new QuoteInPart(this.name);
    if (!this.parser) {
      const newline = this.newline ?? ((/\r\n|\n|\r/.exec(text)?.[0] ?? '\n') as '\r\n' | '\n' | '\r');
      this.parser = new Papa.Parser({ delimiter: this.delimiter, newline, quoteChar: '"' });
    }
    const result = this.parser.parse(text, 0, !last);
    const error = result.errors[0];
    if (error) {
      const where = `${this.name}:${this.record + (error.row ?? 0) + 1}`;
      throw new CliError(`${where}: ${error.message === 'Quoted field unterminated' ? 'a quoted field is not closed' : error.message}`);
    }
    for (const fields of result.data as string[][]) this.addRow(fields);
    this.tail = last ? '' : text.slice(result.meta.cursor);
  }

  /** The file's line break as the fast path found it (PapaParse is then given the same). */
  private newline: '\n' | '\r\n' | null = null;

  /**
   * The fast path over a block (after the carried tail): every complete line (all of them if
   * `last`), the incomplete one carried. At a quote or a stray line break, the rest goes to parse().
   */
  private parseBytes(block: Uint8Array, last: boolean): void {
    const state = this.bytes!;
    let data = block;
    if (state.tail.length > 0) {
      data = new Uint8Array(state.tail.length + block.length);
      data.set(state.tail);
      data.set(block, state.tail.length);
    }
    if (state.newline === null) {
      // The file's line break is its first (\n if none), found before any row is read (blocks are
      // carried until one is seen); PapaParse is then given the same.
      const lf = data.indexOf(NEWLINE);
      const cr = data.indexOf(RETURN);
      if (!last && lf < 0 && (cr < 0 || cr === data.length - 1)) {
        state.tail = data.slice();
        return;
      }
      if (cr >= 0 && (lf < 0 || cr < lf) && data[cr + 1] !== NEWLINE) return this.toText(data, 0, last); // \r alone (not in a part: its newline is known)
      state.newline = cr >= 0 && cr + 1 === lf ? '\r\n' : '\n';
      this.newline = state.newline;
    }
    if (data.indexOf(QUOTE) >= 0) {
      if (this.part) throw new QuoteInPart(this.name);
      // Rows before the quote's line end outside any quoted field: the fast path may take them.
      const quote = data.indexOf(QUOTE);
      const lineStart = data.lastIndexOf(NEWLINE, quote) + 1;
      const done = this.lines(data, lineStart, false, state.newline === '\r\n');
      return this.toText(data, done < 0 ? ~done : done, last);
    }
    const done = this.lines(data, data.length, last, state.newline === '\r\n');
    if (done < 0) this.toText(data, ~done, last);
    else state.tail = data.slice(done);
  }

  /** Hands bytes from `from` on to PapaParse, for the rest of the file. */
  private toText(data: Uint8Array, from: number, last: boolean): void {
    // A stray line break (a \n alone in a \r\n file) is inside a field for PapaParse, so the
    // part's end may not be a row's: the file is read in one pass.
    if (this.part) throw new QuoteInPart(this.name);
    // A fresh decoder: the file's BOM is dropped only at its very start.
    this.decoder = new TextDecoder('utf-8', { ignoreBOM: this.record > 0 });
    this.bytes = null;
    const text = this.decoder.decode(data.subarray(from), { stream: !last });
    if (last) {
      if (text !== '') this.parse(text, true);
    } else this.parse(text, false);
  }

  /**
   * The fast path's rows of data[0, end): the lines that end there (and a last one without a line
   * break if `last`). Returns where the unparsed rest starts, or its bitwise complement (negative)
   * where a line break other than the file's was met: the rest then goes to PapaParse.
   */
  private lines(data: Uint8Array, end: number, last: boolean, crlf: boolean): number {
    const delimiter = this.delimiter.charCodeAt(0);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let start = 0;
    while (start < end) {
      const next = this.numbers(data, view, start, end, delimiter, crlf);
      if (next >= 0) {
        start = next;
        continue;
      }
      // Not a line of plain numbers: its end found apart, and its strings through addRow.
      let stop = data.indexOf(NEWLINE, start);
      if (stop < 0 || stop >= end) {
        if (!last) break;
        stop = end;
      }
      let lineEnd = stop;
      if (crlf && stop < end) {
        // A \n alone in a \r\n file is inside a field for PapaParse: it takes over from this line.
        if (data[stop - 1] !== RETURN || stop === start) return ~start;
        lineEnd--;
      }
      this.addRow(this.rowText(data, start, lineEnd));
      start = stop + 1;
    }
    return Math.min(start, end);
  }

  /**
   * The line at `start` if it is all the fast path reads (the first row known, every selected
   * field a number parseDecimal decides, the header's width, and the file's line break before
   * `end`): its numbers are added and the next line's start returned. Else -1, and nothing changed.
   */
  private numbers(data: Uint8Array, view: DataView, start: number, end: number, delimiter: number, crlf: boolean): number {
    if (this.indices === null) return -1;
    const taken = this.taken;
    const values = this.values;
    const width = this.width;
    let field = 0;
    let at = start;
    for (;;) {
      if (field >= width) return -1;
      let stop: number;
      if (taken[field] === 1) {
        const v = parseDecimal(data, view, at, end, delimiter);
        if (v !== v) return -1; // NaN: not decided here
        values[field] = v;
        stop = fieldEnd;
      } else {
        for (stop = at; stop < end; stop++) {
          const c = data[stop];
          if (c === delimiter || c === NEWLINE || c === RETURN) break;
        }
      }
      field++;
      if (stop >= end) return -1;
      const c = data[stop];
      if (c === delimiter) {
        at = stop + 1;
        continue;
      }
      if (field !== width || stop === start) return -1;
      if (c === RETURN) {
        if (!crlf || data[stop + 1] !== NEWLINE) return -1;
        stop++;
      } else if (crlf) return -1;
      this.record++;
      const indices = this.indices;
      for (let s = 0; s < indices.length; s++) {
        const rows = this.rows[s];
        const selected = indices[s];
        for (let k = 0; k < selected.length; k++) rows.push(values[selected[k]]);
      }
      this.missing.push(0);
      this.buffered++;
      return stop + 1;
    }
  }

  /** A line's fields as PapaParse gives a line without quotes. */
  private rowText(data: Uint8Array, start: number, end: number): string[] {
    const decoder = this.record === 0 && !this.part ? new TextDecoder('utf-8') : this.rowDecoder; // the first drops a BOM
    return decoder.decode(data.subarray(start, end)).split(this.delimiter);
  }

  async next(maxRows: number): Promise<Chunk[] | null> {
    while (this.buffered < maxRows && !this.ended) {
      const block = await this.stream.block();
      if (this.bytes) {
        if (block) this.parseBytes(block, false);
        else {
          this.ended = true;
          this.parseBytes(new Uint8Array(0), true);
        }
      } else if (block) {
        this.parse(this.tail + this.decoder.decode(block, { stream: true }), false);
      } else {
        this.ended = true;
        const rest = this.tail + this.decoder.decode();
        if (rest !== '') this.parse(rest, true);
      }
    }
    const n = Math.min(maxRows, this.buffered);
    if (n === 0) return null;
    const firstRow = this.handedOut;
    const missingRows = this.missing.take(n);
    const missing = missingRows.includes(1) ? Uint8Array.from(missingRows) : null;
    const chunks = this.rows.map((rows, s) => {
      const cols = this.indices![s].length;
      return { firstRow, rows: n, cols, vector: cols === 1, data: rows.take(n * cols), missing };
    });
    this.buffered -= n;
    this.handedOut += n;
    return chunks;
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}

function validDelimiter(delimiter: string): boolean {
  return delimiter.length === 1 && delimiter !== '"' && delimiter !== '\n' && delimiter !== '\r';
}

/** One of the parts a CSV file is split into for --jobs: whole lines, and the file's first row. */
export interface CsvPart {
  start: number;
  end: number;
  firstRow: string[];
  isHeader: boolean;
  /** The file's line break: its first line's. */
  newline: '\n' | '\r\n';
}

/** Thrown by a part that holds a quote (or a stray line break): the file is then read in one piece. */
export class QuoteInPart extends Error {
  constructor(name: string) {
    super(`${name}: a quote in a part of the file; read in one piece`);
  }
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const QUOTE = 0x22;

/** The position after the first line feed at or after `from` (the file's size if none). */
async function lineStart(file: FileHandle, from: number, size: number): Promise<number> {
  const block = new Uint8Array(1 << 16);
  for (let at = from; at < size; at += block.length) {
    const { bytesRead } = await file.read(block, 0, Math.min(block.length, size - at), at);
    const i = block.subarray(0, bytesRead).indexOf(NEWLINE);
    if (i >= 0) return at + i + 1;
  }
  return size;
}

/**
 * Splits a CSV file into `count` parts of whole lines, for --jobs, or null where a split is not
 * provably the same as one pass: a quoted field may hold a line break, so a line break starts a
 * row only in a file without quotes. Here the first line (the header or first row) is checked and
 * split; every part checks its own bytes as it parses them (QuoteInPart) and the caller reads the
 * whole file in one pass if any part finds a quote. Also null for line breaks other than \n and
 * \r\n, and a file that does not start with a row.
 */
export async function planCsvParts(path: string, size: number, delimiter: string, count: number): Promise<CsvPart[] | null> {
  if (count < 2 || !validDelimiter(delimiter)) return null;
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch {
    return null; // the one-pass reader reports it
  }
  try {
    const dataStart = await lineStart(file, 0, size);
    const head = new Uint8Array(dataStart);
    await file.read(head, 0, dataStart, 0);
    const text = new TextDecoder('utf-8').decode(head);
    const newline = text.endsWith('\r\n') ? '\r\n' : '\n';
    const line = text.replace(/\r?\n$/, '');
    if (line.includes('"') || line.includes('\r') || line === '' || dataStart >= size) return null;
    const firstRow = line.split(delimiter);
    const isHeader = firstRow.every((f) => typeof parseField(f) !== 'number');
    const first = isHeader ? dataStart : 0;
    const starts = [first];
    for (let k = 1; k < count; k++) {
      const nominal = first + Math.round((k * (size - first)) / count);
      const start = await lineStart(file, Math.max(starts[starts.length - 1], nominal - 1), size);
      if (start > starts[starts.length - 1] && start < size) starts.push(start);
    }
    return starts.map((start, k) => ({ start, end: starts[k + 1] ?? size, firstRow, isHeader, newline }));
  } finally {
    await file.close();
  }
}
