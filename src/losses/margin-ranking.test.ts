import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { signs, uniform } from '../../test/support/random.js';
import { marginRankingLoss } from '../index.js';

goldenTests('marginRankingLoss', marginRankingLoss);

test('marginRankingLoss: analytic gradients match finite differences (float64)', () => {
  const args = [uniform([8], -2, 2, 91), uniform([8], -2, 2, 92), signs([8], 93)];
  assert.ok(checkFiniteDifferences(marginRankingLoss, args, { margin: 0.3 }, 'marginRankingLoss') > 0);
});

test('marginRankingLoss: at the hinge (exactly 0) the gradient passes, as PyTorch', () => {
  const { grads } = marginRankingLoss.withGrad([1], [1], [1], { reduction: 'sum' });
  assert.deepEqual(grads.map((g) => g!.data[0] + 0), [-1, 1, 0]);
});

test('marginRankingLoss: bad input', () => {
  assert.throws(() => marginRankingLoss([1, 2], [1, 2], [1]), /^Error: marginRankingLoss: target shape \[1\] does not match input1 shape \[2\]$/);
});
