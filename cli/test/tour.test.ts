import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { losskit, ROOT_FIXTURES, tempDir } from './support.js';

const seed = JSON.parse(readFileSync(join(ROOT_FIXTURES, 'seed.json'), 'utf8')) as { printed: Record<string, string> };

test('tour prints every seed value exactly as PyTorch and scikit-learn print it (whole lines)', () => {
  const out = tempDir();
  const run = losskit(['tour', '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n');
  for (const [key, text] of Object.entries(seed.printed)) {
    for (const line of text.split('\n')) {
      // A tensor's first line may follow a label ("library   tensor([[..."), the rest stand alone.
      const found = lines.some((l) => l === line || (/^(tensor\(|Binary )/.test(line) && l.endsWith(` ${line}`)));
      assert.ok(found, `tour does not print ${key}: ${JSON.stringify(line)}`);
    }
  }
  assert.equal(run.stdout.includes('\u001b['), false, 'no colour when stdout is not a terminal');
});

test('tour writes the regression plots to --out and prints their paths', () => {
  const out = tempDir();
  const run = losskit(['tour', '--out', join(out, 'plots')]);
  assert.equal(run.status, 0, run.stderr);
  const paths = [...run.stdout.matchAll(/^wrote (.+\.svg)$/gm)].map((m) => m[1]);
  assert.ok(paths.length >= 2, run.stdout);
  for (const path of paths) {
    assert.ok(path.startsWith(join(out, 'plots')), path);
    assert.ok(existsSync(path));
    assert.match(readFileSync(path, 'utf8'), /^<svg[\s\S]*<\/svg>$/);
  }
});

test('tour: the outlier example shows MSE\'s gradient dominated by the outlier', () => {
  const run = losskit(['tour', '--out', tempDir()]);
  const line = run.stdout.split('\n').find((l) => l.startsWith("MSE's gradient on the outlier"));
  assert.ok(line, run.stdout);
  const [, mseGradient, ratio] = /is ([\d.]+), (\d+)×/.exec(line)!;
  assert.equal(Number(mseGradient), 7.6); // 2 · 19 / 5
  assert.ok(Number(ratio) >= 30);
});

test('train runs an example through the command line', () => {
  const out = tempDir();
  const run = losskit(['train', 'boxes', '--seed', '7', '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /smooth L1 \(beta 1\/9\)\s+mean IoU on the test boxes 0\.\d+/);
  assert.ok(existsSync(join(out, 'boxes-loss.svg')));
  const unknown = losskit(['train', 'mnist']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^losskit: unknown example 'mnist' \(examples: outliers, iris, imbalanced, boxes\)\n$/);
});
