import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, signs, uniform } from '../../test/support/random.js';
import { squaredHingeLoss, Tensor } from '../index.js';

goldenTests('squaredHingeLoss', squaredHingeLoss);

test('squaredHingeLoss: analytic gradients match finite differences (float64), both arguments', () => {
  const x = uniform([3, 4], -2, 2, 61);
  // ±1 targets, 0/1 targets (mapped to ±1; the mapping stays binary under the tiny perturbation of x only)
  for (const y of [signs([3, 4], 62), uniform([3, 4], -1.5, 1.5, 63)]) {
    for (const options of [{}, { reduction: 'none' }, { reduction: 'sum' }]) {
      assert.equal(checkFiniteDifferences(squaredHingeLoss, [x, y], options, 'squaredHingeLoss'), 24);
    }
  }
});

test('squaredHingeLoss: 0/1 targets are the ±1 targets 2t − 1; mixed targets are used as they are', () => {
  const x = uniform([2, 5], -2, 2, 64);
  const t = integers([2, 5], 2, 65);
  const mapped = new Tensor(t.data.map((v) => 2 * v - 1), t.shape);
  assert.equal(squaredHingeLoss(x, t).item(), squaredHingeLoss(x, mapped).item());
  // One target of −1 among 0s and 1s: nothing is mapped, the 0s give max(1, 0)² = 1.
  assert.equal(squaredHingeLoss([5, 5], [0, -1]).item(), (1 + 36) / 2);
});

test('squaredHingeLoss: bad input', () => {
  assert.throws(() => squaredHingeLoss(2, 1), /^Error: squaredHingeLoss: input must have at least 1 dimension/);
  assert.throws(() => squaredHingeLoss([[1, 2]], [1, 2]), /^Error: squaredHingeLoss: target shape \[2\] does not match input shape \[1, 2\]$/);
  assert.throws(() => squaredHingeLoss([1], [1], { reduction: 'max' as never }), /squaredHingeLoss: reduction 'max' is not valid/);
});
