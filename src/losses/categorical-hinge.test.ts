import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { categoricalHingeLoss } from '../index.js';

goldenTests('categoricalHingeLoss', categoricalHingeLoss);

test('categoricalHingeLoss: analytic gradients match finite differences (float64), both arguments', () => {
  // Soft targets in (0, 1) and predictions in (0, 1): distinct maxima and margins away from 0.
  const x = uniform([4, 5], 0, 1, 71);
  const y = uniform([4, 5], 0, 1, 72);
  for (const options of [{}, { reduction: 'none' }, { reduction: 'sum' }]) {
    assert.ok(checkFiniteDifferences(categoricalHingeLoss, [x, y], options, 'categoricalHingeLoss') > 0);
  }
});

test('categoricalHingeLoss: tied maxima share the gradient; a margin of exactly 0 passes half', () => {
  const tied = categoricalHingeLoss.withGrad([[2, 2, 0.5]], [[0, 0, 1]], { reduction: 'sum' });
  assert.equal(tied.loss.item(), 2.5);
  assert.deepEqual([...tied.grad!.data], [0.5, 0.5, -1]);
  const edge = categoricalHingeLoss.withGrad([[1, 0, 0]], [[1, 0, 0]], { reduction: 'sum' });
  assert.equal(edge.loss.item(), 0);
  // neg = max((1 − y) x) = 0 is tied three ways (each gets a third) and z = 0 − 1 + 1 = 0 (half).
  assert.deepEqual([...edge.grad!.data], [-0.5, 1 / 6, 1 / 6].map(Math.fround));
});

test('categoricalHingeLoss: bad input', () => {
  assert.throws(() => categoricalHingeLoss(1, 1), /^Error: categoricalHingeLoss: input must have at least 1 dimension \(classes on the last\), got shape \[\]$/);
  assert.throws(() => categoricalHingeLoss([[1, 2]], [[1, 2, 3]]), /^Error: categoricalHingeLoss: target shape \[1, 3\] does not match input shape \[1, 2\]$/);
  assert.throws(() => categoricalHingeLoss([1], [1], { margin: 1 } as never), /categoricalHingeLoss: unknown option 'margin'/);
});
