import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { huberLoss } from '../index.js';

goldenTests('huberLoss', huberLoss);

test('huberLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], -3, 3, 11);
  const t = uniform([3, 4], -3, 3, 12);
  for (const options of [{}, { delta: 0.5 }, { delta: 2, weight: uniform([3, 4], 0.1, 2, 13) }]) {
    assert.ok(checkFiniteDifferences(huberLoss, [x, t], options, 'huberLoss') > 0);
  }
});

test('huberLoss: the gradient is bounded by delta for outliers', () => {
  const { grad } = huberLoss.withGrad([1000, -1000, 0.5], [0, 0, 0], { delta: 1.5, reduction: 'sum' });
  assert.deepEqual(grad!.toArray(), [1.5, -1.5, 0.5]);
});

test('huberLoss: weighted mean divides by the element count, as PyTorch', () => {
  assert.equal(huberLoss([1, 1], [0, 0], { weight: [1, 3] }).item(), 1);
});

test('huberLoss: bad input', () => {
  assert.throws(() => huberLoss([1], [1], { delta: 0 }), /^Error: huberLoss: delta must be > 0, got 0$/);
  assert.throws(() => huberLoss([1], [1], { delta: -2 }), /huberLoss: delta must be > 0, got -2/);
});
