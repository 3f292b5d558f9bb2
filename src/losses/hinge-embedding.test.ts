import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { signs, uniform } from '../../test/support/random.js';
import { hingeEmbeddingLoss } from '../index.js';

goldenTests('hingeEmbeddingLoss', hingeEmbeddingLoss);

test('hingeEmbeddingLoss: analytic gradients match finite differences (float64)', () => {
  assert.ok(checkFiniteDifferences(hingeEmbeddingLoss, [uniform([3, 4], 0, 2.2, 101), signs([3, 4], 102)], { margin: 1.3 }, 'hinge') > 0);
});

test('hingeEmbeddingLoss: labels get no gradient', () => {
  assert.equal(hingeEmbeddingLoss.withGrad([0.5], [1]).grads[1], null);
});
