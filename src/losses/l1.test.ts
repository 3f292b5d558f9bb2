import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { l1Loss, mae, tensor } from '../index.js';

goldenTests('l1Loss', l1Loss);

test('l1Loss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([4, 3], -2, 2, 1);
  const t = uniform([4, 3], -2, 2, 2);
  for (const options of [{}, { reduction: 'sum' }, { reduction: 'none' }, { weight: uniform([4, 3], 0.1, 2, 3) }]) {
    assert.ok(checkFiniteDifferences(l1Loss, [x, t], options, 'l1Loss') > 0);
  }
});

test('l1Loss: the gradient at a zero difference is 0, as PyTorch', () => {
  assert.deepEqual(l1Loss.withGrad([1, 2], [1, 3], { reduction: 'sum' }).grad!.toArray(), [0, -1]);
});

test('l1Loss: weighted mean divides by the sum of the weights', () => {
  assert.equal(l1Loss([1, 1], [0, 0], { weight: [1, 3] }).item(), 1);
});

test('mae is l1Loss', () => assert.equal(mae, l1Loss));

test('l1Loss: bad input', () => {
  assert.throws(() => l1Loss([1, 2, 3], [1, 2]), /^Error: l1Loss: target shape \[2\] does not match input shape \[3\]$/);
  assert.throws(() => l1Loss([1, 2], [1, 2], { weight: [1, 2, 3] }), /l1Loss: weight shape \[3\] does not match input shape \[2\]/);
  assert.throws(() => l1Loss([1], [1], { reduction: 'avg' as never }), /l1Loss: reduction 'avg' is not valid \(valid: 'none', 'mean', 'sum'\)/);
});

test('l1Loss: extreme inputs', () => {
  assert.equal(l1Loss(tensor([Number.MAX_VALUE], { dtype: 'float64' }), tensor([-Number.MAX_VALUE], { dtype: 'float64' })).item(), Infinity);
  assert.ok(Number.isNaN(l1Loss([], []).item()), 'mean over nothing is NaN');
  assert.equal(l1Loss([], [], { reduction: 'sum' }).item(), 0);
  assert.ok(Number.isNaN(l1Loss([NaN, 1], [0, 1]).item()), 'NaN propagates');
  assert.equal(l1Loss([-Infinity], [0]).item(), Infinity);
});
