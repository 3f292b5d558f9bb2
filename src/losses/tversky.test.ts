import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { diceLoss, tverskyLoss } from '../index.js';

goldenTests('tverskyLoss', tverskyLoss);

test('tverskyLoss: analytic gradients match finite differences (float64), both arguments', () => {
  const x = uniform([2, 3, 4], 0, 1, 41);
  const y = uniform([2, 3, 4], 0, 1, 42);
  for (const options of [{}, { alpha: 0.3, beta: 0.7, axis: [1, 2], reduction: 'none' }, { alpha: 1, beta: 0, axis: -1, reduction: 'sum' }]) {
    assert.equal(checkFiniteDifferences(tverskyLoss, [x, y], options, 'tverskyLoss'), 48);
  }
});

test('tverskyLoss: alpha = beta = 0.5 is the Dice loss (up to the epsilon)', () => {
  const x = uniform([3, 5], 0, 1, 43);
  const y = uniform([3, 5], 0, 1, 44);
  const t = tverskyLoss(x, y, { axis: 1, reduction: 'none' }).data;
  const d = diceLoss(x, y, { axis: 1, reduction: 'none' }).data;
  t.forEach((v, i) => assert.ok(Math.abs(v - d[i]) < 1e-6, `${v} vs ${d[i]}`));
});

test('tverskyLoss: alpha weighs the missed target mass, beta the prediction outside it (as Keras code)', () => {
  // The prediction misses half of the target and puts nothing outside it.
  const missed = (options: object) => tverskyLoss([1, 0], [1, 1], options).item();
  assert.ok(Math.abs(missed({ alpha: 1, beta: 0 }) - 0.5) < 1e-6);
  assert.ok(Math.abs(missed({ alpha: 0, beta: 1 })) < 1e-6);
});

test('tverskyLoss: bad input', () => {
  assert.throws(() => tverskyLoss([1], [1], { alpha: '1' as never }), /^Error: tverskyLoss: alpha must be a number, got 1$/);
  assert.throws(() => tverskyLoss([1], [1], { beta: NaN }), /^Error: tverskyLoss: beta must be a number, got NaN$/);
  assert.throws(() => tverskyLoss([[1]], [1]), /^Error: tverskyLoss: target shape \[1\] does not match input shape \[1, 1\]$/);
  assert.throws(() => tverskyLoss([1], [1], { axis: [0.5] }), /tverskyLoss: axis must be an integer .* got 0.5/);
  assert.throws(() => tverskyLoss([1], [1], { gamma: 1 } as never), /tverskyLoss: unknown option 'gamma'/);
});
