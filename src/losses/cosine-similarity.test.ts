import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { cosineSimilarityLoss, Tensor } from '../index.js';

goldenTests('cosineSimilarityLoss', cosineSimilarityLoss);

test('cosineSimilarityLoss: analytic gradients match finite differences (float64), both arguments', () => {
  const x = uniform([2, 3, 4], -1, 1, 81);
  const y = uniform([2, 3, 4], -1, 1, 82);
  for (const options of [{}, { axis: 1, reduction: 'none' }, { axis: 0, reduction: 'sum' }]) {
    assert.equal(checkFiniteDifferences(cosineSimilarityLoss, [x, y], options, 'cosineSimilarityLoss'), 48);
  }
});

test('cosineSimilarityLoss: a zero vector gives 0 and the finite limit gradient −1e7 v', () => {
  const { loss, grad, grads } = cosineSimilarityLoss.withGrad([[0, 0]], [[3, 4]], { reduction: 'sum' });
  assert.equal(loss.item(), 0);
  assert.deepEqual([...grad!.data], [-6e6, -8e6]);
  assert.deepEqual([...grads[1]!.data], [0, 0]);
  // The same gradient as at a nonzero vector shorter than 1e-7.
  const short = cosineSimilarityLoss.withGrad(Float64Array.of(1e-9, 0), Float64Array.of(3, 4), { reduction: 'sum' });
  assert.ok(Math.abs(short.grad!.data[0] + 6e6) < 1e-3 && Math.abs(short.grad!.data[1] + 8e6) < 1e-3);
});

test('cosineSimilarityLoss: invariant to the scale of either argument', () => {
  const x = uniform([3, 4], -1, 1, 83);
  const y = uniform([3, 4], -1, 1, 84);
  const a = cosineSimilarityLoss(x, y, { reduction: 'none' }).data;
  const b = cosineSimilarityLoss(new Tensor(x.data.map((v) => v * 1e5), x.shape), new Tensor(y.data.map((v) => v * 1e-5), y.shape), { reduction: 'none' }).data;
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-15 && v >= -1 && v <= 1, `${v} vs ${b[i]}`));
});

test('cosineSimilarityLoss: bad input', () => {
  assert.throws(() => cosineSimilarityLoss(1, 1), /^Error: cosineSimilarityLoss: axis must be an integer in the range of a tensor of 0 dimensions \(none: the tensor is 0-d\), got -1$/);
  assert.throws(() => cosineSimilarityLoss([[1, 2]], [[1, 2]], { axis: 2 }), /^Error: cosineSimilarityLoss: axis must be an integer .* \(-2 to 1\), got 2$/);
  assert.throws(() => cosineSimilarityLoss([[1, 2]], [[1, 2]], { axis: [0] as never }), /cosineSimilarityLoss: axis must be an integer .* got an array/);
  assert.throws(() => cosineSimilarityLoss([1, 2], [1, 2, 3]), /^Error: cosineSimilarityLoss: target shape \[3\] does not match input shape \[2\]$/);
});
