// Throughput of CSV parsers on the shapes `losskit eval` reads most: a 50000 x 100 CSV of logits
// and 2-column CSVs of 2M rows (8 significant digits, and the 16-17 that pandas' to_csv writes for
// float64), each field turned into a number (Number()); and losskit's own reader (cli/dist's
// CsvSource: its quote-free fast path, numbers straight from bytes, and PapaParse after a quote).
// Run after `npm run build`:
//   npm --prefix cli/bench install && node cli/bench/csv-parsers.mjs
// Prints the median and range of three interleaved rounds, in MB per CPU second. The files are made here, in
// the system's temporary folder.
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as csvParse } from 'csv-parse';
import Papa from 'papaparse';
import { dsvFormat } from 'd3-dsv';
import { initParser, inferSchema } from 'udsv';
import csvParser from 'csv-parser';
import { parse as csvRex } from 'csv-rex/parse'; // its chunk parser (the package's own parse() takes a whole string)
import { openBytes } from '../dist/io/bytes.js';
import { CsvSource } from '../dist/io/csv.js';

function toNumbers(rows, out) { for (const r of rows) for (const f of r) { out.sum += Number(f); out.n++; } }
const parsers = {
  'csv-parse': (file) => new Promise((res, rej) => { const out = { sum: 0, n: 0 }; createReadStream(file).pipe(csvParse({ from_line: 2 })).on('data', (r) => toNumbers([r], out)).on('end', () => res(out)).on('error', rej); }),
  papaparse: (file) => new Promise((res) => { const out = { sum: 0, n: 0 }; let first = true; Papa.parse(createReadStream(file), { chunk: (r) => { let d = r.data; if (first) { d = d.slice(1); first = false; } toNumbers(d, out); }, complete: () => res(out), skipEmptyLines: true }); }),
  // What cli/src/io/csv.ts does: PapaParse's core parser on 256 KB blocks, the unparsed tail carried over.
  'papaparse (Papa.Parser by blocks)': async (file) => {
    const out = { sum: 0, n: 0 };
    const parser = new Papa.Parser({ delimiter: ',', newline: '\n', quoteChar: '"' });
    const decoder = new TextDecoder();
    let tail = '';
    let first = true;
    const take = (text, last) => {
      const r = parser.parse(text, 0, !last);
      let rows = r.data;
      if (first) { rows = rows.slice(1); first = false; }
      toNumbers(rows, out);
      tail = last ? '' : text.slice(r.meta.cursor);
    };
    for await (const b of createReadStream(file, { highWaterMark: 1 << 18 })) take(tail + decoder.decode(b, { stream: true }), false);
    take(tail + decoder.decode(), true);
    return out;
  },
  'papaparse fastMode (by blocks)': async (file) => {
    const out = { sum: 0, n: 0 };
    const parser = new Papa.Parser({ delimiter: ',', newline: '\n', fastMode: true });
    const decoder = new TextDecoder();
    let tail = '';
    let first = true;
    const take = (text, last) => {
      const r = parser.parse(text, 0, !last);
      let rows = r.data;
      if (first) { rows = rows.slice(1); first = false; }
      toNumbers(rows, out);
      tail = last ? '' : text.slice(r.meta.cursor);
    };
    for await (const b of createReadStream(file, { highWaterMark: 1 << 18 })) take(tail + decoder.decode(b, { stream: true }), false);
    take(tail + decoder.decode(), true);
    return out;
  },
  'csv-parser': (file) => new Promise((res, rej) => { const out = { sum: 0, n: 0 }; createReadStream(file).pipe(csvParser({ headers: false, skipLines: 1 })).on('data', (r) => toNumbers([Object.values(r)], out)).on('end', () => res(out)).on('error', rej); }),
  'csv-rex': async (file) => {
    const out = { sum: 0, n: 0 };
    let first = true;
    const enqueue = ({ data }) => { if (first) { first = false; return; } toNumbers([data], out); };
    const { chunkParse, previousChunk } = csvRex({ header: false, newlineChar: '\n', delimiterChar: ',', errorOnEmptyLine: false });
    for await (const b of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) chunkParse(previousChunk() + b, { enqueue });
    chunkParse(previousChunk(), { enqueue }, true);
    return out;
  },
  // losskit's reader as eval runs it (every column; chunks of 65536 rows).
  'losskit CsvSource': async (file) => {
    const out = { sum: 0, n: 0 };
    const source = await CsvSource.open(await openBytes(file), statSync(file).size, [null], ',');
    for (let chunks; (chunks = await source.next(65536)); ) for (const v of chunks[0].data) { out.sum += v; out.n++; }
    await source.close();
    return out;
  },
  'd3-dsv (whole file)': async (file) => { const out = { sum: 0, n: 0 }; const rows = dsvFormat(',').parseRows(readFileSync(file, 'utf8')); toNumbers(rows.slice(1), out); return out; },
  udsv: async (file) => { const out = { sum: 0, n: 0 }; let parser = null; let first = true; for await (const b of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) { parser ??= initParser(inferSchema(b, { header: () => [] })); parser.chunk(b, parser.stringArrs, (row) => { if (first) { first = false; return; } for (const f of row) { out.sum += Number(f); out.n++; } }); } parser.end(); return out; },
};

const dir = mkdtempSync(join(tmpdir(), 'csv-parsers-'));
const write = (file, rows, cols, header, format) =>
  new Promise((resolve) => {
    const s = createWriteStream(file);
    let r = 0;
    s.write(header + '\n');
    const more = () => {
      while (r < rows) {
        const line = Array.from({ length: cols }, () => format(Math.random() * 10 - 5)).join(',') + '\n';
        r++;
        if (!s.write(line)) return void s.once('drain', more);
      }
      s.end(resolve);
    };
    more();
  });
const files = {
  '50000x100 logits': join(dir, 'logits.csv'),
  '2M x 2 plain': join(dir, 'plain.csv'),
  '2M x 2 full precision': join(dir, 'full.csv'),
};
await write(files['50000x100 logits'], 50000, 100, Array.from({ length: 100 }, (_, i) => 'c' + i).join(','), (x) => x.toPrecision(8));
await write(files['2M x 2 plain'], 2000000, 2, 'prediction,target', (x) => x.toPrecision(8));
await write(files['2M x 2 full precision'], 2000000, 2, 'prediction,target', String); // the shortest repr, as pandas writes
const only = process.argv[2] ? new RegExp(process.argv[2]) : null; // a subset of the parsers, by name
const results = {};
for (let round = 0; round < 3; round++) for (const [shape, file] of Object.entries(files)) for (const [name, fn] of Object.entries(parsers)) {
  if (only && !only.test(name)) continue;
  // CPU time (user + system) of this process: on a loaded machine wall time measures the wait for a core.
  const t = process.cpuUsage(); const out = await fn(file); const used = process.cpuUsage(t); const s = (used.user + used.system) / 1e6;
  (results[`${name} ${shape}`] ??= []).push(statSync(file).size / 1e6 / s);
  if (round === 0) console.error(name, file, out.n, 'numbers');
}
for (const [k, v] of Object.entries(results)) { v.sort((a, b) => a - b); console.log(k.padEnd(56), 'MB per CPU second: median', v[1].toFixed(1), 'range', v[0].toFixed(1), '-', v[2].toFixed(1)); }
rmSync(dir, { recursive: true, force: true });
