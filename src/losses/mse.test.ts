import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { mse, mseLoss } from '../index.js';

goldenTests('mseLoss', mseLoss);

test('mseLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([2, 3, 2], -2, 2, 4);
  const t = uniform([2, 3, 2], -2, 2, 5);
  for (const options of [{}, { reduction: 'none' }, { weight: uniform([2, 3, 2], 0.1, 2, 6) }]) {
    assert.ok(checkFiniteDifferences(mseLoss, [x, t], options, 'mseLoss') > 0);
  }
});

test('mseLoss: the gradient grows with the error (outliers dominate)', () => {
  const { grad } = mseLoss.withGrad([1, 100], [0, 0], { reduction: 'sum' });
  assert.deepEqual(grad!.toArray(), [2, 200]);
});

test('mseLoss: plain arrays take the dtype of a typed input (no float32 rounding of a float64 call)', () => {
  assert.equal(mseLoss(new Float64Array([0.1]), [0.1]).item(), 0);
  assert.equal(mseLoss(new Float64Array([0.1]), [0.1]).dtype, 'float64');
  assert.ok(mseLoss(new Float64Array([0.1]), new Float32Array([0.1])).item() > 0);
});

test('mse is mseLoss', () => assert.equal(mse, mseLoss));

test('mseLoss: bad input', () => {
  assert.throws(() => mseLoss([[1, 2]], [1, 2]), /mseLoss: target shape \[2\] does not match input shape \[1, 2\]/);
  assert.throws(() => mseLoss([1], [1], { reducton: 'sum' } as never), /mseLoss: unknown option 'reducton' \(did you mean 'reduction'\?\)/);
  assert.throws(() => mseLoss([1], [[1, 2], [3]]), /mseLoss: target: ragged nested array/);
  assert.throws(() => mseLoss([1], ['a' as never]), /mseLoss: target: element at \[0\] is the string 'a'/);
});

test('mseLoss.withGrad gradInto fills the caller\'s array', () => {
  const into = new Float64Array(3);
  const { grad } = mseLoss.withGrad(new Float64Array([1, 2, 3]), [1, 0, 5], { gradInto: into, reduction: 'sum' });
  assert.equal(grad!.data, into);
  assert.deepEqual(Array.from(into), [0, 4, -4]);
});

test('lossInto: per-item losses into the caller\'s array, for the plain call and withGrad', () => {
  const into = new Float32Array(3);
  const loss = mseLoss([1, 2, 3], [1, 0, 5], { reduction: 'none', lossInto: into });
  assert.equal(loss.data, into);
  assert.deepEqual(Array.from(into), [0, 4, 4]);
  const again = new Float32Array(3);
  assert.equal(mseLoss.withGrad([1, 2, 3], [0, 0, 0], { reduction: 'none', lossInto: again }).loss.data, again);
  assert.deepEqual(Array.from(again), [1, 4, 9]);
  assert.throws(() => mseLoss([1, 2, 3], [1, 0, 5], { lossInto: new Float32Array(3) }), /^Error: mseLoss: lossInto must be a Float32Array of 1 elements \(the loss's size and dtype\)$/);
});
