import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { multilabelMarginLoss, tensor } from '../index.js';

goldenTests('multilabelMarginLoss', multilabelMarginLoss);

test('multilabelMarginLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], -1, 1, 131);
  const t = tensor([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 1, 2]]);
  assert.ok(checkFiniteDifferences(multilabelMarginLoss, [x, t], {}, 'multilabelMarginLoss') > 0);
});

test('multilabelMarginLoss: everything after the first -1 is ignored', () => {
  const x = [[0.1, 0.2, 0.4, 0.8]];
  assert.equal(multilabelMarginLoss(x, [[3, 0, -1, 1]]).item(), multilabelMarginLoss(x, [[3, 0, -1, 2]]).item());
});

test('multilabelMarginLoss: bad input', () => {
  assert.throws(() => multilabelMarginLoss([[1, 2]], [[2, -1]]), /^Error: multilabelMarginLoss: target 2 at index 0 is not a class index in \[0, 2\) or -1$/);
});
