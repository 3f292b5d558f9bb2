import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, uniform } from '../../test/support/random.js';
import { multiMarginLoss } from '../index.js';

goldenTests('multiMarginLoss', multiMarginLoss);

test('multiMarginLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([4, 5], -1, 1, 121);
  const t = integers([4], 5, 122);
  for (const options of [{}, { p: 2 as const }, { margin: 0.4, weight: uniform([5], 0.5, 2, 123) }]) {
    assert.ok(checkFiniteDifferences(multiMarginLoss, [x, t], options, 'multiMarginLoss') > 0);
  }
});

test('multiMarginLoss: bad input', () => {
  assert.throws(() => multiMarginLoss([[1, 2, 3]], [3]), /^Error: multiMarginLoss: target 3 is out of range for 3 classes \(at index 0\)$/);
  assert.throws(() => multiMarginLoss([[1, 2, 3]], [1], { p: 3 as never }), /multiMarginLoss: p must be 1 or 2, got 3/);
  assert.throws(() => multiMarginLoss([[[1, 2, 3]]], [[1]]), /multiMarginLoss: input must be \[N, C\] or \[C\], got shape \[1, 1, 3\]/);
  assert.throws(() => multiMarginLoss([[1, 2, 3]], [1], { weight: [1, 2] }), /multiMarginLoss: weight shape \[2\] does not match the 3 classes/);
});
