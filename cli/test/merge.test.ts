// Shards and merges: eval --partial per shard and `losskit merge` in any order and grouping, and
// --jobs over several files, give exactly (bit for bit) the result over the whole data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planCsvParts, QuoteInPart } from '../src/io/csv.js';
import { openSource } from '../src/io/sources.js';
import { BIN, losskit, tempDir } from './support.js';

/** Rows whose float sums depend on the order: magnitudes from 1e-8 to 1e8, both signs. */
function rows(n: number, seed: number): string[] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, () => {
    const scale = 10 ** Math.floor(next() * 16 - 8);
    return `${(next() - 0.5) * scale},${(next() - 0.5) * scale}`;
  });
}

function shardFiles(dir: string, data: string[], count: number): string[] {
  const size = Math.ceil(data.length / count);
  return Array.from({ length: count }, (_, k) => {
    const file = join(dir, `part-${k}.csv`);
    writeFileSync(file, ['prediction,target', ...data.slice(k * size, (k + 1) * size)].join('\n') + '\n');
    return file;
  });
}

const columns = ['--columns', 'prediction', '--target-columns', 'target'];

function run(args: string[]): string {
  const r = losskit(args);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('eval --partial per shard, then merge in any order and grouping: exactly the whole result', () => {
  const dir = tempDir();
  const data = rows(6000, 7);
  const whole = join(dir, 'whole.csv');
  writeFileSync(whole, ['prediction,target', ...data].join('\n') + '\n');
  const parts = shardFiles(dir, data, 4);
  for (const loss of ['mse', 'l1', 'smooth-l1']) {
    const expected = run(['eval', '--loss', loss, whole, ...columns, '--json', '--reduction', 'sum']);
    const states = parts.map((p, k) => {
      const state = join(dir, `${loss}-${k}.json`);
      assert.equal(run(['eval', '--loss', loss, p, ...columns, '--json', '--reduction', 'sum', '--partial', state, '--chunk-elements', String(64 + k * 100)]).length > 0, true);
      return state;
    });
    assert.equal(run(['merge', ...states, '--json']), expected, `${loss}: in order`);
    assert.equal(run(['merge', states[3], states[1], states[0], states[2], '--json']), expected, `${loss}: shuffled`);
    const a = join(dir, `${loss}-a.json`);
    const b = join(dir, `${loss}-b.json`);
    run(['merge', states[2], states[0], '--partial', a]);
    run(['merge', states[3], states[1], '--partial', b]);
    assert.equal(run(['merge', b, a, '--json']), expected, `${loss}: grouped`);
  }
  // A float sum of the same items in another order differs: the test would see a naive merge.
  const items = data.map((line) => line.split(',').map(Number)).map(([p, t]) => (p - t) ** 2);
  const forward = items.reduce((x, y) => x + y, 0);
  const backward = items.reduceRight((x, y) => x + y, 0);
  assert.notEqual(forward, backward);
});

test('--jobs N over shard files, and over groups of .npy shards, equals the whole file', () => {
  const dir = tempDir();
  const data = rows(4000, 3);
  const whole = join(dir, 'whole.csv');
  writeFileSync(whole, ['prediction,target', ...data].join('\n') + '\n');
  const parts = shardFiles(dir, data, 5);
  const expected = run(['eval', '--loss', 'mse', whole, ...columns, '--json']);
  assert.equal(run(['eval', '--loss', 'mse', ...parts, ...columns, '--json', '--jobs', '3']), expected);
  assert.equal(run(['eval', '--loss', 'mse', ...parts, ...columns, '--json']), expected, 'several shards in one thread');
  // Predictions and targets in separate files: the shell's `p-*.csv t-*.csv` order.
  for (const k of [0, 1]) {
    writeFileSync(join(dir, `p-${k}.jsonl`), data.slice(k * 2000, (k + 1) * 2000).map((l) => l.split(',')[0]).join('\n') + '\n');
    writeFileSync(join(dir, `t-${k}.jsonl`), data.slice(k * 2000, (k + 1) * 2000).map((l) => l.split(',')[1]).join('\n') + '\n');
  }
  const grouped = run(['eval', '--loss', 'mse', join(dir, 'p-0.jsonl'), join(dir, 'p-1.jsonl'), join(dir, 't-0.jsonl'), join(dir, 't-1.jsonl'), '--json', '--jobs', '2']);
  assert.equal(grouped, expected);
  // An error in one worker's shard is the run's error.
  writeFileSync(parts[2], 'prediction,target\n1,oops\n');
  const failed = losskit(['eval', '--loss', 'mse', ...parts, ...columns, '--jobs', '2']);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /part-2\.csv:2: not a number: "oops"\n$/);
});

test('--jobs N on one CSV file: parts of whole lines, exactly the one-pass result, and one pass where a part has a quote or an error', async () => {
  const dir = tempDir();
  const data = rows(3000, 5);
  const whole = join(dir, 'whole.csv');
  writeFileSync(whole, ['prediction,target', ...data].join('\r\n') + '\r\n');
  const size = readFileSync(whole).length;
  // The parts cover the data exactly, each from a line start to the next part's.
  const parts = (await planCsvParts(whole, size, ',', 3))!;
  assert.equal(parts.length, 3);
  assert.deepEqual(parts[0].firstRow, ['prediction', 'target']);
  assert.equal(parts[0].isHeader, true);
  const text = readFileSync(whole, 'latin1');
  assert.equal(parts[0].start, text.indexOf('\n') + 1);
  assert.equal(parts[2].end, size);
  for (let k = 0; k < 3; k++) {
    if (k > 0) assert.equal(parts[k].start, parts[k - 1].end);
    assert.equal(text[parts[k].start - 1], '\n', `part ${k} starts a line`);
  }
  const split = ['--jobs', '3', '--part-bytes', '1000'];
  const expected = run(['eval', '--loss', 'mse', whole, ...columns, '--json', '--jobs', '1']);
  assert.equal(run(['eval', '--loss', 'mse', whole, ...columns, '--json', ...split]), expected);
  // Without --jobs, a file of two parts' worth (here parts of 1000 bytes) is split across the
  // available cores (defaultJobs; one pass on one core): the same result.
  assert.equal(run(['eval', '--loss', 'mse', whole, ...columns, '--json', '--part-bytes', '1000']), expected);
  assert.equal(run(['eval', '--loss', 'mse', whole, ...columns, '--json']), expected);
  // A part that holds a quote is refused by its reader (a quoted field may hold a line break) ...
  const quoted = join(dir, 'quoted.csv');
  const lines = ['prediction,target', ...data];
  lines[2500] = `"${data[2499].split(',')[0]}",${data[2499].split(',')[1]}`;
  writeFileSync(quoted, lines.join('\n') + '\n');
  const quotedParts = (await planCsvParts(quoted, readFileSync(quoted).length, ',', 3))!;
  const source = await openSource(quoted, [['prediction'], ['target']], { part: quotedParts[2] });
  await assert.rejects(source.next(1 << 20), QuoteInPart);
  await source.close();
  // ... and the file is read in one pass: the same result.
  assert.equal(run(['eval', '--loss', 'mse', quoted, ...columns, '--json', ...split]), expected);
  // An error in the last part names its line, as one pass does; --na skip counts across parts.
  lines[2500] = '1,oops';
  writeFileSync(quoted, lines.join('\n') + '\n');
  for (const jobs of [split, ['--part-bytes', '1000']]) {
    const failed = losskit(['eval', '--loss', 'mse', quoted, ...columns, ...jobs]);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /quoted\.csv:2501: not a number: "oops"\n$/);
  }
  lines[2500] = '1,NA';
  lines[10] = ',2';
  writeFileSync(quoted, lines.join('\n') + '\n');
  const skipped = run(['eval', '--loss', 'mse', quoted, ...columns, '--json', '--na', 'skip']);
  assert.equal(JSON.parse(skipped).skipped, 2);
  assert.equal(run(['eval', '--loss', 'mse', quoted, ...columns, '--json', '--na', 'skip', ...split]), skipped);
  // No header: the first row is data, in the first part.
  const headless = join(dir, 'headless.csv');
  writeFileSync(headless, data.join('\n') + '\n');
  const byIndex = ['--columns', '0', '--target-columns', '1', '--json'];
  assert.equal(run(['eval', '--loss', 'mse', headless, ...byIndex, ...split]), expected);
});

test('merge refuses states of different evaluations and files that are not states', () => {
  const dir = tempDir();
  const [a, b] = shardFiles(dir, rows(10, 1), 2);
  run(['eval', '--loss', 'huber', a, ...columns, '--delta', '1', '--partial', join(dir, 'a.json')]);
  run(['eval', '--loss', 'huber', b, ...columns, '--delta', '2', '--partial', join(dir, 'b.json')]);
  const mixed = losskit(['merge', join(dir, 'a.json'), join(dir, 'b.json')]);
  assert.equal(mixed.status, 1);
  assert.match(mixed.stderr, /b\.json was evaluated as .*"delta":2.*a\.json as .*"delta":1.*: only shards of one evaluation merge\n$/);
  const notState = losskit(['merge', a]);
  assert.equal(notState.status, 1);
  assert.match(notState.stderr, /part-0\.csv: not valid JSON/);
  const state = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
  state.accumulator.sum.fixed = 'zz';
  writeFileSync(join(dir, 'c.json'), JSON.stringify(state));
  const corrupt = losskit(['merge', join(dir, 'c.json')]);
  assert.equal(corrupt.status, 1);
  assert.match(corrupt.stderr, /c\.json: LossAccumulator\.fromJSON: sum\.fixed must be a signed hexadecimal string/);
  assert.equal(losskit(['merge']).status, 2);
});

test('the README example with GNU parallel: one eval per shard, then merge, equals the whole', { skip: spawnSync('parallel', ['--version']).status !== 0 && 'GNU parallel is not installed (apt-get install parallel)' }, () => {
  const dir = tempDir();
  const data = rows(3000, 11);
  writeFileSync(join(dir, 'whole.csv'), ['prediction,target', ...data].join('\n') + '\n');
  shardFiles(dir, data, 6);
  const losskitCommand = `'${process.execPath}' '${BIN}'`;
  const script = [
    `parallel --will-cite ${losskitCommand} eval --loss mse {} --columns prediction --target-columns target --partial {.}.json ::: part-*.csv`,
    `${losskitCommand} merge part-*.json --json`,
  ].join(' && ');
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop() + '\n', run(['eval', '--loss', 'mse', join(dir, 'whole.csv'), ...columns, '--json']));
});
