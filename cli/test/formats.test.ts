// Files written by pandas, pyarrow, polars and numpy (cli/test/fixtures/formats/generate.py), read
// by `losskit eval`, against the losses PyTorch computes on the same numbers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, losskit } from './support.js';

const dir = fixture('formats');
const golden = (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { expected: Record<string, number> }).expected;
const file = (name: string) => join(dir, name);

function evalJson(args: string[], stdin?: Buffer): { loss: number; count: number; skipped?: number } {
  const run = losskit(['eval', ...args, '--json'], undefined, stdin);
  assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout) as { loss: number; count: number; skipped?: number };
}

/** Relative closeness: float64 paths to 1e-14; float32 paths to float32's precision. */
function assertClose(actual: number, expected: number, rtol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rtol * Math.abs(expected), `${what}: ${actual} vs PyTorch ${expected}`);
}

const regression = ['--loss', 'mse', '--columns', 'prediction', '--target-columns', 'target'];

test('pandas CSV, TSV, semicolons and gzip (a quoted text column holds the delimiters and quotes)', () => {
  for (const [name, extra] of [
    ['pandas.csv', []],
    ['pandas.tsv', []],
    ['pandas-semicolon.csv', ['--delimiter', ';']],
    ['pandas.csv.gz', []],
  ] as const) {
    const r = evalJson([...regression, file(name), ...extra]);
    assert.equal(r.count, 30, name);
    assertClose(r.loss, golden.mse, 1e-14, name);
  }
  const sum = evalJson([...regression, file('pandas.csv'), '--reduction', 'sum']);
  assertClose(sum.loss, golden['mse-sum'], 1e-14, 'sum');
});

test("missing values as pandas (empty) and R's write.csv (quoted header, NA) write them: an error, or skipped and counted", () => {
  for (const name of ['pandas-missing.csv', 'r-style.csv']) {
    const refused = losskit(['eval', ...regression, file(name)]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /: row 4 has a missing value \(empty, NA, N\/A\.\.\.\); --na skip leaves such rows out\n$/);
    const r = evalJson([...regression, file(name), '--na', 'skip']);
    assert.deepEqual([r.count, r.skipped], [30 - golden.skipped, golden.skipped]);
    assertClose(r.loss, golden['mse-skip'], 1e-14, name);
  }
  const parquet = evalJson([...regression, file('regression-missing.parquet'), '--na', 'skip']);
  assert.equal(parquet.skipped, 1);
  assertClose(parquet.loss, golden['mse-skip-first'], 1e-14, 'parquet nulls');
});

test('Parquet (pyarrow snappy and zstd, polars) and Arrow (Feather lz4, IPC stream): list and fixed-size-list logits by column name', () => {
  for (const name of ['logits-snappy.parquet', 'logits-zstd.parquet', 'logits.feather', 'logits.arrows']) {
    for (const column of ['logits', 'fixed']) {
      const r = evalJson(['--loss', 'cross-entropy', file(name), '--columns', column, '--target-columns', 'label']);
      assert.equal(r.count, 40);
      assertClose(r.loss, golden.ce, 1e-14, `${name} ${column}`);
    }
  }
  assertClose(evalJson([...regression, file('polars.parquet')]).loss, golden.mse, 1e-14, 'polars');
});

test('.npy in every dtype family and byte order, Fortran order, float16; .npz members', () => {
  for (const labels of ['i1', 'u2-big', 'i4-big', 'u8', 'i8']) {
    assertClose(evalJson(['--loss', 'cross-entropy', file('logits-f4.npy'), file(`labels-${labels}.npy`)]).loss, golden['ce-float32'], 2e-7, labels);
    assertClose(evalJson(['--loss', 'cross-entropy', file('logits-f8-big.npy'), file(`labels-${labels}.npy`)]).loss, golden.ce, 1e-14, `>f8 ${labels}`);
  }
  assertClose(evalJson(['--loss', 'cross-entropy', file('logits-fortran.npy'), file('labels-i8.npy'), '--chunk-elements', '15']).loss, golden.ce, 1e-14, 'Fortran');
  assertClose(evalJson(['--loss', 'cross-entropy', file('logits-f2.npy'), file('labels-i8.npy')]).loss, golden['ce-float16'], 2e-7, 'float16');
  assertClose(evalJson(['--loss', 'bce-with-logits', file('scores.npy'), file('labels-bool.npy')]).loss, golden['bce-bool'], 1e-14, 'bool');
  assertClose(evalJson(['--loss', 'cross-entropy', `${file('arrays.npz')}:logits`, `${file('arrays.npz')}:labels`]).loss, golden.ce, 1e-14, 'npz');
  const compressed = file('arrays-compressed.npz');
  assertClose(evalJson(['--loss', 'cross-entropy', `${compressed}:arr_0`, `${compressed}:arr_1`]).loss, golden.ce, 1e-14, 'npz deflate');
  const several = losskit(['eval', '--loss', 'cross-entropy', file('arrays.npz'), file('labels-i8.npy')]);
  assert.equal(several.status, 1);
  assert.match(several.stderr, /arrays\.npz: holds 2 arrays \(logits, labels\); name one as .*arrays\.npz:NAME\n$/);
});

test("'-' reads standard input: CSV (or --stdin-format), .npy and gzip by their magic bytes", () => {
  const csv = readFileSync(file('pandas.csv'));
  assertClose(evalJson([...regression, '-'], csv).loss, golden.mse, 1e-14, 'stdin csv');
  assertClose(evalJson([...regression, '-', '--stdin-format', 'csv'], readFileSync(file('pandas.csv.gz'))).loss, golden.mse, 1e-14, 'stdin gzip');
  assertClose(evalJson(['--loss', 'cross-entropy', '-', file('labels-i8.npy')], readFileSync(file('logits-f8-big.npy'))).loss, golden.ce, 1e-14, 'stdin npy');
  const parquet = losskit(['eval', '--loss', 'mse', '-', '-', '--stdin-format', 'parquet'], undefined, readFileSync(file('polars.parquet')));
  assert.equal(parquet.status, 1);
  assert.match(parquet.stderr, /^losskit: -: parquet files are read from their end: give a regular file, not a pipe or standard input\n$/);
});
