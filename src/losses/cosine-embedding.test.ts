import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { signs, uniform } from '../../test/support/random.js';
import { cosineEmbeddingLoss } from '../index.js';

goldenTests('cosineEmbeddingLoss', cosineEmbeddingLoss);

test('cosineEmbeddingLoss: analytic gradients match finite differences (float64)', () => {
  const args = [uniform([4, 5], -1, 1, 141), uniform([4, 5], -1, 1, 142), signs([4], 143)];
  for (const options of [{}, { margin: -0.5, reduction: 'none' }]) {
    assert.ok(checkFiniteDifferences(cosineEmbeddingLoss, args, options, 'cosineEmbeddingLoss') > 0);
  }
});

test('cosineEmbeddingLoss: a zero vector gives cos = 0, not NaN', () => {
  assert.equal(cosineEmbeddingLoss([[0, 0]], [[1, 1]], [1]).item(), 1);
});

test('cosineEmbeddingLoss: bad input', () => {
  assert.throws(() => cosineEmbeddingLoss([[1, 2]], [[1, 2]], [1, 1]), /^Error: cosineEmbeddingLoss: target shape \[2\] does not match inputs of shape \[1, 2\] \(expected \[1\]\)$/);
  assert.throws(() => cosineEmbeddingLoss([[1, 2]], [[1, 2, 3]], [1]), /cosineEmbeddingLoss: input2 shape \[1, 3\] does not match input1 shape \[1, 2\]/);
});
