import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { tripletMarginLoss } from '../index.js';

goldenTests('tripletMarginLoss', tripletMarginLoss);

test('tripletMarginLoss: analytic gradients match finite differences (float64)', () => {
  const args = [uniform([3, 4], -1, 1, 151), uniform([3, 4], -1, 1, 152), uniform([3, 4], -1, 1, 153)];
  for (const options of [{ margin: 2 }, { p: 1, margin: 2 }, { p: 3, margin: 2 }, { swap: true, margin: 2 }]) {
    assert.ok(checkFiniteDifferences(tripletMarginLoss, args, options, 'tripletMarginLoss') > 0);
  }
});

test('tripletMarginLoss: bad input', () => {
  assert.throws(() => tripletMarginLoss([[1, 2]], [[1, 2]], [[1, 2]], { p: 0 }), /^Error: tripletMarginLoss: p must be a positive finite number, got 0$/);
  assert.throws(() => tripletMarginLoss([[1, 2]], [[1, 2]], [[1]]), /tripletMarginLoss: negative shape \[1, 1\] does not match anchor shape \[1, 2\]/);
  // PyTorch: "margin must be greater than 0".
  for (const margin of [0, -1]) {
    assert.throws(() => tripletMarginLoss([[1, 2]], [[1, 2]], [[1, 2]], { margin }), new RegExp(`^Error: tripletMarginLoss: margin must be greater than 0, got ${margin}$`));
  }
});
