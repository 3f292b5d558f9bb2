import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { binaryCrossEntropyWithLogits, sigmoidFocalLoss, tensor } from '../index.js';

goldenTests('sigmoidFocalLoss', sigmoidFocalLoss);

test('sigmoidFocalLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], -3, 3, 41);
  const y = uniform([3, 4], 0, 1, 42);
  for (const options of [{}, { alpha: -1 }, { alpha: 0.6, gamma: 1.5 }, { gamma: 0 }]) {
    assert.ok(checkFiniteDifferences(sigmoidFocalLoss, [x, y], options, 'sigmoidFocalLoss') > 0);
  }
});

test('sigmoidFocalLoss with gamma 0 and alpha -1 is BCE with logits', () => {
  const x = uniform([6], -3, 3, 43);
  const y = tensor(Float64Array.from([0, 1, 1, 0, 1, 0]));
  assert.ok(Math.abs(sigmoidFocalLoss(x, y, { gamma: 0, alpha: -1 }).item() - binaryCrossEntropyWithLogits(x, y).item()) < 1e-14);
});

test('sigmoidFocalLoss: bad input', () => {
  assert.throws(() => sigmoidFocalLoss([1], [1], { alpha: 2 }), /^Error: sigmoidFocalLoss: alpha must be in \[0, 1\] or -1 for none, got 2$/);
});
