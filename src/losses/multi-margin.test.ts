import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, uniform } from '../../test/support/random.js';
import { multilabelMarginLoss, multiMarginLoss, tensor } from '../index.js';

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
  assert.throws(() => multiMarginLoss([[[1, 2, 3]]], [[1]]), /multiMarginLoss: input must be \[N, C\], \[C\] or 0-d \(one class\), got shape \[1, 1, 3\]/);
  assert.throws(() => multiMarginLoss(tensor([], { shape: [0] }), [0]), /^Error: multiMarginLoss: input must have at least one class, got shape \[0\]$/);
  assert.throws(() => multiMarginLoss([[1, 2, 3], [3, 2, 1]], [[1], [2]]), /^Error: multiMarginLoss: target shape \[2, 1\] does not match the input: expected 2 class indices, \[2\]$/);
  assert.throws(() => multiMarginLoss([1, 2, 3], [1, 2]), /^Error: multiMarginLoss: target shape \[2\] does not match the input: expected 1 class index, \[1\] or \[\]$/);
  assert.throws(() => multiMarginLoss([[1, 2, 3]], [1], { weight: [1, 2] }), /multiMarginLoss: weight shape \[2\] does not match the 3 classes/);
});

test('multiMarginLoss: the shapes PyTorch accepts for one sample: 0-d input (one class), [C] with target [] or [1]', () => {
  // One class: no j != target, so the loss and its gradient are 0 (PyTorch's value).
  const one = multiMarginLoss.withGrad(tensor(0.5), tensor(0, { dtype: 'int32' }), { reduction: 'none' });
  assert.deepEqual([one.loss.shape, one.loss.item(), one.grad!.shape, one.grad!.item()], [[], 0, [], 0]);
  // [C] with target [1]: the same numbers as target [], the per-item loss shaped [1] like the target.
  const x = [0.1, 0.2, 0.4, 0.8];
  const scalar = multiMarginLoss.withGrad(x, 3, { reduction: 'none' });
  const wrapped = multiMarginLoss.withGrad(x, [3], { reduction: 'none' });
  assert.deepEqual(wrapped.loss.shape, [1]);
  assert.deepEqual(scalar.loss.shape, []);
  assert.equal(wrapped.loss.item(), scalar.loss.item());
  assert.deepEqual(wrapped.grad!.toArray(), scalar.grad!.toArray());
  assert.equal(multiMarginLoss(x, [3]).item(), multiMarginLoss([x], [3]).item());
});

test('multiMarginLoss, multilabelMarginLoss: the mean over an empty batch [0, C] is NaN (PyTorch returns uninitialised memory)', () => {
  const x = tensor([], { shape: [0, 3] });
  assert.ok(Number.isNaN(multiMarginLoss(x, tensor([], { shape: [0], dtype: 'int32' })).item()));
  assert.ok(Number.isNaN(multilabelMarginLoss(x, tensor([], { shape: [0, 3], dtype: 'int32' })).item()));
  assert.equal(multiMarginLoss(x, tensor([], { shape: [0], dtype: 'int32' }), { reduction: 'sum' }).item(), 0);
});
