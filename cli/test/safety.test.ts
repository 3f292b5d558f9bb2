// Malformed and hostile inputs: each gives its exit code (1 data, 2 usage), one line on stderr that
// names the file, no stack trace, no output file and no temporary file left behind.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, fixture, losskit, readNpy, tempDir } from './support.js';

/** A .npy file with the given header dict (v1, or v2 with a uint32 length) and body. */
function npy(dict: string, body: Uint8Array = new Uint8Array(0), version = 1): Buffer {
  const header = Buffer.from(dict, 'latin1');
  const prefix = Buffer.alloc(version === 1 ? 10 : 12);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = version;
  if (version === 1) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, header, body]);
}

/** A v2 .npy prefix that claims a header of `length` bytes, padded to 70 bytes as in the report. */
function hostileLength(length: number): Buffer {
  const prefix = Buffer.alloc(70, 0x20);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 2;
  prefix[7] = 0;
  prefix.writeUInt32LE(length, 8);
  return prefix;
}

test('hostile and malformed files: exit codes, one-line messages naming the file, nothing left behind', () => {
  const dir = tempDir();
  const w = (name: string, data: string | Buffer) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  const two = w('two.csv', 'p,t\n1,2\n3,4\n');
  const cases: [string[], number, RegExp][] = [
    [['--loss', 'mse', w('huge.npy', hostileLength(0x80000000)), two], 1, /huge\.npy: \.npy header length 2147483648 is not plausible/],
    [['--loss', 'mse', w('huge2.npy', hostileLength(0x7fffffff)), two], 1, /huge2\.npy: \.npy header length 2147483647 is not plausible/],
    [['--loss', 'mse', w('short-header.npy', hostileLength(500)), two], 1, /short-header\.npy: truncated \.npy header \(58 of 500 bytes\)/],
    [['--loss', 'mse', w('truncated.npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }\n", new Uint8Array(16))), two], 1, /truncated\.npy: truncated: shape \(1000\) needs 8071 bytes, the file has 87$/],
    [['--loss', 'mse', w('complex.npy', npy("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }\n")), two], 1, /complex\.npy: unsupported \.npy dtype '<c16' \(supported: b1, i1\/i2\/i4\/i8, u1\/u2\/u4\/u8, f2\/f4\/f8, either byte order\)/],
    [['--loss', 'mse', w('cube.npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }\n", new Uint8Array(8))), two], 1, /cube\.npy: expected a 1-D or 2-D array, got shape \(1, 1, 1\)/],
    [['--loss', 'mse', w('shape.npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }\n")), two], 1, /shape\.npy: malformed \.npy shape \(-1,\)/],
    [['--loss', 'mse', w('magic.npy', 'hello'), two], 1, /magic\.npy: not a \.npy file \(bad magic string\)/],
    [['--loss', 'mse', dir, two], 1, /: is a directory, not a data file$/],
    [['--loss', 'mse', w('q.csv', 'p,t\n1,"2\n'), '--columns', 'p', '--target-columns', 't'], 1, /q\.csv:2: a quoted field is not closed$/],
    [['--loss', 'mse', w('wide.csv', 'p,t\n1,2\n1,2,3\n'), '--columns', 'p', '--target-columns', 't'], 1, /wide\.csv:3: expected 2 fields, got 3/],
    [['--loss', 'mse', w('hex.csv', 'p,t\n0x10,1\n'), '--columns', 'p', '--target-columns', 't'], 1, /hex\.csv:2: not a decimal number: "0x10"$/],
    [['--loss', 'mse', w('bin.csv', 'p,t\n1,0b11\n'), '--columns', 'p', '--target-columns', 't'], 1, /bin\.csv:2: not a decimal number: "0b11"$/],
    [['--loss', 'mse', w('overflow.csv', 'p,t\n1e400,1\n'), '--columns', 'p', '--target-columns', 't'], 1, /overflow\.csv:2: out of float64's range: "1e400"$/],
    [['--loss', 'mse', w('na-first.csv', 'N/A,1\n2,3\n4,5\n'), '--columns', '0', '--target-columns', '1'], 1, /na-first\.csv \(0\): row 1 has a missing value/],
    [['--loss', 'mse', w('bad.json', '\uFEFF[1, 2'), two], 1, /bad\.json: not valid JSON/],
    [['--loss', 'mse', w('gz.csv.gz', 'plain'), '--columns', 'p', '--target-columns', 't'], 1, /gz\.csv\.gz: not gzip data/],
    [['--loss', 'mse', w('p.parquet', 'PAR1nonsense'), '--columns', 'p', '--target-columns', 't'], 1, /p\.parquet: not a readable Parquet file/],
    [['--loss', 'mse', w('a.feather', 'nonsense'), '--columns', 'p', '--target-columns', 't'], 1, /a\.feather: not a readable Arrow IPC \/ Feather file/],
    [['--loss', 'mse', fixture('predictions.npy'), two, '--columns', 'p'], 2, /predictions\.npy: --columns and --target-columns apply to csv, tsv, parquet, arrow files, not npy$/],
    // Usage errors are exit 2 before any data is read, also on empty files.
    [['--loss', 'cross-entropy', w('empty.csv', ''), w('empty2.csv', ''), '--label-smoothing', '2'], 2, /^losskit: crossEntropy: labelSmoothing must be in \[0, 1\], got 2$/],
    [['--loss', 'smooth-l1', join(dir, 'empty.csv'), join(dir, 'empty2.csv'), '--beta', '-1'], 2, /^losskit: smoothL1Loss: beta must be >= 0/],
    [['--loss', 'mse', two, '--columns', 'p', '--target-columns', 't', '--delimiter', 'ab'], 2, /'ab' is not one character/],
    [['--loss', 'mse', two, '--columns', 'p', '--target-columns', 't', '--na', 'drop'], 2, /--na.*drop.*error, skip/],
    [['--loss', 'mse', two, '--columns', 'p', '--target-columns', 't', '--jobs', '0'], 2, /'0' is not a positive integer/],
    [['--loss', 'l1', fixture('predictions.npy'), fixture('predictions.npy'), '--reduction', 'none', '--out', join(dir, 'x.npy'), '--grad', join(dir, 'x.npy')], 2, /--out and --grad name the same file/],
    [['--loss', 'l1', fixture('predictions.npy'), fixture('predictions.npy'), '--partial', join(dir, 'x.npy'), '--reduction', 'none', '--out', join(dir, 'y.npy')], 2, /--partial saves a reduced loss/],
  ];
  const before = new Set(readdirSync(dir));
  for (const [args, status, message] of cases) {
    const run = losskit(['eval', ...args]);
    const what = args.join(' ');
    assert.equal(run.status, status, `${what}: exit ${run.status}, stderr ${run.stderr}`);
    assert.equal(run.stderr.split('\n').length, 2, `${what}: one line: ${run.stderr}`);
    assert.match(run.stderr.trimEnd(), message, what);
    assert.equal(run.stdout, '', what);
  }
  assert.deepEqual(new Set(readdirSync(dir)), before, 'no file was created');
});

test('every loss runs on empty files (the check of option values before the data refuses no valid call)', async () => {
  const { CLI_LOSSES } = await import('../src/losses.js');
  const dir = tempDir();
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  for (const loss of CLI_LOSSES) {
    const run = losskit(['eval', '--loss', loss.name, ...loss.inputs.map(() => empty), '--json']);
    assert.equal(run.status, 0, `${loss.name}: ${run.stderr}`);
    assert.equal(JSON.parse(run.stdout).count, 0);
  }
});

test('a failed run replaces nothing: --out keeps the old file when --grad fails, and no temporary file is left', () => {
  const dir = tempDir();
  const out = join(dir, 'errors.csv');
  writeFileSync(out, 'previous\n');
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'p,t\n1,2\n3,4\n5,oops\n');
  const run = losskit(['eval', '--loss', 'l1', bad, '--columns', 'p', '--target-columns', 't', '--reduction', 'none', '--out', out, '--chunk-elements', '2']);
  assert.equal(run.status, 1);
  assert.equal(readFileSync(out, 'utf8'), 'previous\n');
  assert.deepEqual(readdirSync(dir).sort(), ['bad.csv', 'errors.csv']);
});

test("outputs keep the destination's mode; eval and plot write through exclusive temporary files", () => {
  const dir = tempDir();
  const out = join(dir, 'errors.npy');
  writeFileSync(out, 'old');
  chmodSync(out, 0o600);
  const run = losskit(['eval', '--loss', 'l1', fixture('predictions.npy'), fixture('targets.json'), '--reduction', 'none', '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.equal(readNpy(out).data.length, 8);
  const svg = join(dir, 'plot.svg');
  writeFileSync(svg, '');
  chmodSync(svg, 0o640);
  assert.equal(losskit(['plot', 'mse', '-o', svg]).status, 0);
  assert.equal(statSync(svg).mode & 0o777, 0o640);
  assert.match(readFileSync(svg, 'utf8'), /^<svg/);
  // A destination in a folder that cannot be written: one line, exit 1.
  mkdirSync(join(dir, 'locked'));
  chmodSync(join(dir, 'locked'), 0o500);
  const locked = losskit(['eval', '--loss', 'l1', fixture('predictions.npy'), fixture('targets.json'), '--reduction', 'none', '--out', join(dir, 'locked', 'x.npy')]);
  chmodSync(join(dir, 'locked'), 0o700);
  if (process.getuid?.() !== 0) {
    // root writes anywhere: only an unprivileged run can check the refusal
    assert.equal(locked.status, 1);
    assert.match(locked.stderr, /x\.npy: cannot write \(EACCES\)\n$/);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['errors.npy', 'locked', 'plot.svg']);
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`${signal} during a write removes the temporary file and leaves the destination as it was`, async () => {
    const dir = tempDir();
    const out = join(dir, 'losses.csv');
    const child = spawn(process.execPath, [BIN, 'eval', '--loss', 'l1', '-', '--columns', '0', '--target-columns', '1', '--reduction', 'none', '--out', out, '--chunk-elements', '2'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Rows arrive, the temporary file appears, then the input stalls and the signal comes.
    child.stdin.write('1,2\n'.repeat(5000));
    const deadline = Date.now() + 10_000;
    while (!readdirSync(dir).some((f) => f.endsWith('.tmp')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(readdirSync(dir).some((f) => /^\.losses\.csv\.[0-9a-f]{12}\.tmp$/.test(f)), `a random temporary name beside the destination: ${readdirSync(dir)}`);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    assert.equal(code, 128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal]);
    assert.deepEqual(readdirSync(dir), []);
  });
}

test('one CSV through a named pipe with --columns and --target-columns is read once (no hang)', () => {
  const dir = tempDir();
  const fifo = join(dir, 'data.csv');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // The shell writes the pipe once; a second open would wait for a writer forever (timeout: 20 s).
  const run = spawnSync('sh', ['-c', `printf 'p,t\\n1,2\\n3,5\\n' > '${fifo}' & exec "$0" "$@"`, process.execPath, BIN, 'eval', '--loss', 'mse', fifo, '--columns', 'p', '--target-columns', 't', '--json'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { loss: 2.5, reduction: 'mean', count: 2 });
});

test('--json tells NaN from Infinity; inf, -inf and nan are numbers', () => {
  const dir = tempDir();
  const csv = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const args = (f: string) => ['eval', '--loss', 'l1', f, '--columns', 'p', '--target-columns', 't', '--json'];
  assert.equal(JSON.parse(losskit(args(csv('inf.csv', 'p,t\ninf,1\n2,-3\n'))).stdout).loss, 'Infinity');
  assert.equal(JSON.parse(losskit(args(csv('nan.csv', 'p,t\nnan,1\n-inf,-inf\n'))).stdout).loss, 'NaN');
  assert.equal(JSON.parse(losskit(args(csv('ok.csv', 'p,t\n+0.5,1\n  2 ,-3\n'))).stdout).loss, 2.75);
});

test('a UTF-8 byte-order mark is ignored in CSV (before a header) and JSON', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bom.csv'), '\uFEFFp,t\n1,3\n2,2\n');
  writeFileSync(join(dir, 'p.json'), '\uFEFF[1, 2]');
  writeFileSync(join(dir, 't.jsonl'), '\uFEFF3\n2\n');
  const csv = losskit(['eval', '--loss', 'l1', join(dir, 'bom.csv'), '--columns', 'p', '--target-columns', 't', '--json']);
  assert.equal(csv.status, 0, csv.stderr);
  assert.equal(JSON.parse(csv.stdout).loss, 1);
  const json = losskit(['eval', '--loss', 'l1', join(dir, 'p.json'), join(dir, 't.jsonl'), '--json']);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).loss, 1);
});

test('--grad with every target ignored writes the zeros the library gives', () => {
  const dir = tempDir();
  const labels = join(dir, 'labels.jsonl');
  writeFileSync(labels, '-100\n'.repeat(6));
  const grad = join(dir, 'grad.npy');
  const run = losskit(['eval', '--loss', 'cross-entropy', fixture('logits.npy'), labels, '--grad', grad, '--json']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).loss, 'NaN', 'a mean over no item is NaN, as in PyTorch');
  const g = readNpy(grad);
  assert.deepEqual(g.shape, [6, 4]);
  assert.ok(g.data.every((v) => v === 0), `${Array.from(g.data)}`);
  assert.ok(existsSync(grad));
});
