// The CSV reader's quote-free fast path (numbers from bytes) against PapaParse on the same rows: a
// file read as it is takes the fast path up to its first quote; the same file with its first field
// quoted goes to PapaParse from its first byte. Values (bit for bit), missing-value marks and error
// messages (line numbers included) must be the same, on random files mixing every kind of field,
// line break, BOM, blank line, width error and quote, read in large and tiny blocks.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openBytes } from '../src/io/bytes.js';
import { CsvSource, planCsvParts, QuoteInPart } from '../src/io/csv.js';
import { tempDir } from './support.js';

interface Read {
  values: number[][];
  missing: number[];
  error: string | null;
}

async function read(path: string, selections: string[][], blockSize: number): Promise<Read> {
  const out: Read = { values: selections.map(() => []), missing: [], error: null };
  const source = await CsvSource.open(await openBytes(path, blockSize), 0, selections, ',');
  try {
    for (let chunks; (chunks = await source.next(7)); ) {
      chunks.forEach((c, s) => out.values[s].push(...c.data));
      for (let r = 0; r < chunks[0].rows; r++) out.missing.push(chunks[0].missing?.[r] ?? 0);
    }
  } catch (e) {
    out.error = (e as Error).message;
  } finally {
    await source.close();
  }
  return out;
}

function assertSame(fast: Read, papa: Read, what: string): void {
  assert.equal(fast.error, papa.error, `${what}: error`);
  // After an error eval stops (exit 1, nothing written): the rows handed out before it, which
  // depend on where the blocks end, do not matter.
  if (fast.error) return;
  assert.deepEqual(fast.missing, papa.missing, `${what}: missing values`);
  fast.values.forEach((values, s) => {
    assert.equal(values.length, papa.values[s].length, `${what}: selection ${s} length`);
    values.forEach((v, i) => assert.ok(Object.is(v, papa.values[s][i]), `${what}: selection ${s} value ${i}: ${v} vs ${papa.values[s][i]}`));
  });
}

let seed = 15;
const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A field: mostly numbers as data tools write them, sometimes anything the policy treats apart. */
function field(errors: boolean): string {
  const r = random();
  if (r < 0.5) return String((random() * 2 - 1) * 10 ** Math.floor(random() * 10 - 5));
  if (r < 0.7) return ((random() - 0.5) * 100).toPrecision(1 + Math.floor(random() * 17));
  if (r < 0.97 || !errors) {
    return pick(['nan', 'inf', '-inf', 'Infinity', 'NaN', ' 1.5', '2.5 ', '', 'NA', 'N/A', '<NA>', '+0.5', '.5', '5.', '-0', '1e-30', '1E+05', '9007199254740993',
      '1.00000000000000000000001', '123456789012345678', '0.1e-7', '\u00a01']);
  }
  return pick(['1e400', '0x10', '0b11', 'oops', '1,2', '"2.5"', '"1,5"', '"a ""quoted"" field"', '"two\nlines"']);
}

function randomFile(): { text: string; header: boolean } {
  const crlf = random() < 0.3;
  const header = random() < 0.8;
  const errors = random() < 0.5;
  const rows = 1 + Math.floor(random() * 60);
  const lines: string[] = header ? ['p,t,note'] : [];
  for (let i = 0; i < rows; i++) {
    if (random() < 0.03) lines.push('');
    else if (errors && random() < 0.02) lines.push(`${field(false)},${field(false)}`); // too few fields
    else lines.push(`${field(errors)},${field(errors)},${pick(['x', 'é', '', 'a b', '½', 'nan'])}`);
  }
  let text = lines.map((line) => line + (crlf ? (random() < 0.02 ? '\n' : '\r\n') : random() < 0.02 ? '\r\n' : '\n')).join('');
  if (random() < 0.3) text = text.replace(/\r?\n$/, ''); // no line break at the end
  if (random() < 0.2) text = '\ufeff' + text;
  return { text, header };
}

/** The same file with its first field quoted: PapaParse reads all of it. */
function quoteFirst(text: string): string {
  const bom = text.startsWith('\ufeff') ? '\ufeff' : '';
  const body = text.slice(bom.length);
  const end = body.search(/[,\r\n]|$/);
  return `${bom}"${body.slice(0, end)}"${body.slice(end)}`;
}

test('the fast path gives what PapaParse gives on 300 random files: values, missing marks, errors and their line numbers', async () => {
  const dir = tempDir();
  const path = join(dir, 'data.csv');
  let errors = 0;
  for (let k = 0; k < 300; k++) {
    const { text, header } = randomFile();
    const selections = header ? [['p'], ['t']] : [['0'], ['1']];
    for (const blockSize of [1 << 20, 1 + Math.floor(random() * 12)]) {
      writeFileSync(path, text);
      const fast = await read(path, selections, blockSize);
      writeFileSync(path, quoteFirst(text));
      const papa = await read(path, selections, blockSize);
      assertSame(fast, papa, `file ${k} (block ${blockSize}): ${JSON.stringify(text.slice(0, 300))}`);
      if (fast.error) errors++;
    }
  }
  // Both kinds of file were met: some read to the end, some stopped with an error.
  assert.ok(errors > 50 && errors < 500, `${errors} of 600 reads failed`);
});

test('the fast path names the line of a bad field, a short row and a quote-free error after blank lines', async () => {
  const dir = tempDir();
  const cases: [string, RegExp][] = [
    ['p,t\n1,2\n\n3,oops\n', /data\.csv:4: not a number: "oops"$/],
    ['p,t\r\n1,2\r\n3,4\r\n5\r\n', /data\.csv:4: expected 2 fields, got 1/],
    ['p,t\n1,2\n3,1e400\n', /data\.csv:3: out of float64's range: "1e400"$/],
    ['\ufeffp,t\n1,0x10\n', /data\.csv:2: not a decimal number: "0x10"$/],
    ['p,t\n1,2\n3,"4"\n5,x\n', /data\.csv:4: not a number: "x"$/],
  ];
  for (const [text, message] of cases) {
    const path = join(dir, 'data.csv');
    writeFileSync(path, text);
    const { error } = await read(path, [['p'], ['t']], 1 << 20);
    assert.match(error ?? '', message, JSON.stringify(text));
  }
});

test('the fast path on a large quote-free file equals PapaParse and Number() on every value', async () => {
  const dir = tempDir();
  const path = join(dir, 'data.csv');
  const rows = 200_000;
  const p: string[] = [];
  const t: string[] = [];
  for (let i = 0; i < rows; i++) {
    p.push(String((random() - 0.5) * 10 ** Math.floor(random() * 8 - 4)));
    t.push(((random() - 0.5) * 6).toPrecision(1 + (i % 17)));
  }
  const text = 'p,t\n' + p.map((v, i) => `${v},${t[i]}`).join('\n') + '\n';
  writeFileSync(path, text);
  const fast = await read(path, [['p'], ['t']], 1 << 16);
  assert.equal(fast.error, null);
  fast.values[0].forEach((v, i) => assert.ok(Object.is(v, Number(p[i])), `row ${i + 2}: ${v} vs ${p[i]}`));
  fast.values[1].forEach((v, i) => assert.ok(Object.is(v, Number(t[i])), `row ${i + 2}: ${v} vs ${t[i]}`));
  writeFileSync(path, quoteFirst(text));
  assertSame(fast, await read(path, [['p'], ['t']], 1 << 16), 'large file');
});

test("a part of a file split for --jobs has the file's line break, and refuses a stray one (the file is then read in one pass)", async () => {
  const dir = tempDir();
  const path = join(dir, 'data.csv');
  const lines = ['p,t', ...Array.from({ length: 3000 }, (_, i) => `${i},${i / 7}`)];
  // \r\n, with one \n alone in the last third: PapaParse (one pass) reads it inside a field.
  writeFileSync(path, lines.map((line, i) => line + (i === 2500 ? '\n' : '\r\n')).join(''));
  const size = readFileSync(path).length;
  const parts = (await planCsvParts(path, size, ',', 3))!;
  assert.deepEqual(parts.map((p) => p.newline), ['\r\n', '\r\n', '\r\n']);
  const readPart = async (k: number) => {
    const source = await CsvSource.open(await openBytes(path, 1 << 20, parts[k]), 0, [['p'], ['t']], ',', parts[k]);
    try {
      let rows = 0;
      for (let chunks; (chunks = await source.next(1 << 16)); ) rows += chunks[0].rows;
      return rows;
    } finally {
      await source.close();
    }
  };
  assert.ok((await readPart(0)) > 900);
  await assert.rejects(readPart(2), QuoteInPart);
  const { error } = await read(path, [['p'], ['t']], 1 << 20);
  assert.match(error ?? '', /data\.csv:2501: expected 2 fields, got 3/);
});
