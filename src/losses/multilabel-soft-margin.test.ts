import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { multilabelSoftMarginLoss } from '../index.js';

goldenTests('multilabelSoftMarginLoss', multilabelSoftMarginLoss);

test('multilabelSoftMarginLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], -3, 3, 111);
  const y = uniform([3, 4], 0, 1, 112);
  for (const options of [{}, { weight: uniform([4], 0.2, 2, 113), reduction: 'none' }]) {
    assert.ok(checkFiniteDifferences(multilabelSoftMarginLoss, [x, y], options, 'multilabelSoftMargin') > 0);
  }
});

test('multilabelSoftMarginLoss: bad input', () => {
  assert.throws(() => multilabelSoftMarginLoss([[1, 2]], [[1, 0, 1]]), /^Error: multilabelSoftMarginLoss: target shape \[1, 3\] does not match input shape \[1, 2\]$/);
  assert.throws(() => multilabelSoftMarginLoss([[1, 2]], [[1, 0]], { weight: [1, 2, 3] }), /multilabelSoftMarginLoss: weight shape \[3\] cannot be broadcast/);
});
