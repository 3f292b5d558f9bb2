import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { gaussianNllLoss } from '../index.js';

goldenTests('gaussianNllLoss', gaussianNllLoss);

test('gaussianNllLoss: analytic gradients match finite differences (float64), every var shape', () => {
  const x = uniform([3, 4], -2, 2, 81);
  const y = uniform([3, 4], -2, 2, 82);
  for (const variance of [uniform([3, 4], 0.2, 2, 83), uniform([3], 0.2, 2, 84), uniform([3, 1], 0.2, 2, 85)]) {
    for (const options of [{}, { full: true, reduction: 'none' }]) {
      assert.ok(checkFiniteDifferences(gaussianNllLoss, [x, y, variance], options, 'gaussianNllLoss') > 0);
    }
  }
});

test('gaussianNllLoss: a broadcast var gets the summed gradient, shaped like var', () => {
  const { grads } = gaussianNllLoss.withGrad([[1, 2], [3, 4]], [[0, 0], [0, 0]], [1, 2]);
  assert.deepEqual(grads[2]!.shape, [2]);
});

test('gaussianNllLoss: bad input', () => {
  assert.throws(() => gaussianNllLoss([1, 2], [1, 2], [1, -1]), /^Error: gaussianNllLoss: var has a negative entry \(-1 at index 1\)$/);
  assert.throws(() => gaussianNllLoss([[1, 2]], [[1, 2]], [1, 2, 3]), /gaussianNllLoss: var shape \[3\] is incorrect for input shape \[1, 2\]/);
});
