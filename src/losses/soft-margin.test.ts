import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { signs, uniform } from '../../test/support/random.js';
import { softMarginLoss } from '../index.js';

goldenTests('softMarginLoss', softMarginLoss);

test('softMarginLoss: analytic gradients match finite differences (float64)', () => {
  assert.ok(checkFiniteDifferences(softMarginLoss, [uniform([3, 4], -3, 3, 51), signs([3, 4], 52)], {}, 'softMarginLoss') > 0);
});

test('softMarginLoss: stays exact where PyTorch float32 overflows (-y x = 100)', () => {
  const { loss, grad } = softMarginLoss.withGrad([100, -100], [-1, 1], { reduction: 'none' });
  assert.deepEqual(loss.toArray(), [100, 100]);
  assert.deepEqual(grad!.toArray(), [1, -1]);
});
