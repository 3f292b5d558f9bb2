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
  // PyTorch: "Expected non-empty vector or matrix with optional 0-dim batch size".
  assert.throws(() => multilabelMarginLoss(tensor([], { shape: [0] }), tensor([], { shape: [0] })), /^Error: multilabelMarginLoss: input must have at least one class, got shape \[0\]$/);
  assert.throws(() => multilabelMarginLoss(tensor([], { shape: [2, 0] }), tensor([], { shape: [2, 0] })), /^Error: multilabelMarginLoss: input must have at least one class, got shape \[2, 0\]$/);
  assert.throws(() => multilabelMarginLoss([[[1, 2]]], [[[0, 1]]]), /^Error: multilabelMarginLoss: input must be \[N, C\], \[C\] or 0-d \(one class\), got shape \[1, 1, 2\]$/);
});

test('multilabelMarginLoss: a 0-d input is one sample of one class (as PyTorch): loss and gradient 0', () => {
  for (const target of [0, -1]) {
    const { loss, grad } = multilabelMarginLoss.withGrad(tensor(0.5), tensor(target, { dtype: 'int32' }), { reduction: 'none' });
    assert.deepEqual([loss.shape, loss.item(), grad!.shape, grad!.item()], [[], 0, [], 0]);
  }
});
