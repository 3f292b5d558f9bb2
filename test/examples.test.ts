// The training examples (examples/) run with their seeds and show their claims in numbers.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

interface ExampleRun {
  results: Record<string, Record<string, number | Record<string, number>>>;
  files: string[];
}

const examples = (await import(new URL('../../examples/index.js', import.meta.url).href)) as {
  runExample: (name: string, options: object) => Promise<ExampleRun>;
};

async function run(name: string): Promise<ExampleRun & { printed: string[] }> {
  const printed: string[] = [];
  const out = mkdtempSync(join(tmpdir(), `losskit-${name}-`));
  const result = await examples.runExample(name, { seed: 7, out, print: (line: string) => printed.push(line) });
  for (const file of result.files) {
    assert.ok(file.startsWith(out) && existsSync(file), file);
    assert.match(readFileSync(file, 'utf8'), /^<svg[\s\S]*<\/svg>$/);
  }
  return { ...result, printed };
}

describe('training examples', () => {
  test('outliers: MSE is dragged by the outliers, L1 is robust but does not settle, smooth L1 and Huber get both', async () => {
    const { results: r } = await run('outliers');
    const [l1, mse, smooth, huber] = ['L1', 'MSE', 'smooth L1 (beta 1)', 'Huber (delta 1.5)'].map((k) => r[k] as Record<string, number>);
    for (const robust of [l1, smooth, huber]) {
      assert.ok(robust.slopeError < mse.slopeError / 5, `slope error ${robust.slopeError} vs MSE ${mse.slopeError}`);
      assert.ok(robust.interceptError < mse.interceptError / 5);
    }
    assert.ok(huber.slopeError < 0.25 && smooth.slopeError < 0.25);
    // L1's constant-size gradient keeps moving the parameters at the end; Huber's has settled.
    assert.ok(l1.finalStep > 1e-4, `L1 last steps ${l1.finalStep}`);
    assert.ok(huber.finalStep < 1e-8 && smooth.finalStep < 1e-8, `Huber ${huber.finalStep}, smooth L1 ${smooth.finalStep}`);
    assert.ok(l1.settledAfter > 10 * huber.settledAfter);
  });

  test('iris: test accuracy >= 0.9 with and without label smoothing; smoothing lowers the mean max probability', async () => {
    const { results: r } = await run('iris');
    const plain = r['no label smoothing'].test as Record<string, number>;
    const smooth = r['labelSmoothing 0.1'].test as Record<string, number>;
    assert.ok(plain.accuracy >= 0.9 && smooth.accuracy >= 0.9, `${plain.accuracy}, ${smooth.accuracy}`);
    assert.ok(smooth.meanMaxProbability < plain.meanMaxProbability - 0.1, `${smooth.meanMaxProbability} vs ${plain.meanMaxProbability}`);
  });

  test('imbalanced: posWeight and focal loss recall above plain BCE; ranking (AUC) unchanged', async () => {
    const { results: r } = await run('imbalanced');
    const plain = r.BCE as Record<string, number>;
    const weighted = r['BCE, posWeight 50'] as Record<string, number>;
    const focal = r['focal (alpha 0.75, gamma 2)'] as Record<string, number>;
    assert.ok(weighted.recall > plain.recall + 0.3, `${weighted.recall} vs ${plain.recall}`);
    assert.ok(focal.recall > plain.recall, `${focal.recall} vs ${plain.recall}`);
    assert.ok(Math.abs(weighted.auc - plain.auc) < 0.01 && Math.abs(focal.auc - plain.auc) < 0.01);
  });

  test('boxes: smooth L1 keeps a higher mean IoU than MSE with mislabelled boxes', async () => {
    const { results: r } = await run('boxes');
    const mse = (r.MSE as Record<string, number>).meanIou;
    const smooth = (r['smooth L1 (beta 1/9)'] as Record<string, number>).meanIou;
    assert.ok(smooth > mse + 0.1 && smooth > 0.85, `smooth L1 ${smooth}, MSE ${mse}`);
  });
});
