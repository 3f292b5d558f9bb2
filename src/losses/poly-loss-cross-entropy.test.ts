import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { crossEntropy, polyLossCrossEntropy, softmax } from '../index.js';

goldenTests('polyLossCrossEntropy', polyLossCrossEntropy);

test('polyLossCrossEntropy: analytic gradients match finite differences (float64), both arguments', () => {
  const x = uniform([4, 5], -3, 3, 111);
  const y = softmax(uniform([4, 5], -2, 2, 112), { dim: 1 });
  for (const options of [{}, { epsilon: -1, reduction: 'none' }, { epsilon: 0.5, reduction: 'sum' }]) {
    assert.equal(checkFiniteDifferences(polyLossCrossEntropy, [x, y], options, 'polyLossCrossEntropy'), 40);
  }
});

test('polyLossCrossEntropy: epsilon 0 is the cross-entropy with probability targets', () => {
  const x = uniform([4, 5], -3, 3, 113);
  const y = softmax(uniform([4, 5], -2, 2, 114), { dim: 1 });
  const a = polyLossCrossEntropy(x, y, { epsilon: 0, reduction: 'none' }).data;
  const b = crossEntropy(x, y, { reduction: 'none' }).data;
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-14, `${v} vs ${b[i]}`));
});

test('polyLossCrossEntropy: huge logits do not overflow', () => {
  const { loss, grad } = polyLossCrossEntropy.withGrad(Float64Array.of(1e300, 0, -1e300), Float64Array.of(0, 1, 0), { epsilon: 1 });
  assert.equal(loss.item(), 1e300); // −log p = 1e300, plus epsilon (1 − 0)
  assert.deepEqual([...grad!.data], [1, -1, 0]);
});

test('polyLossCrossEntropy: bad input', () => {
  assert.throws(() => polyLossCrossEntropy(1, 1), /^Error: polyLossCrossEntropy: input must have at least 1 dimension \(classes on the last\), got shape \[\]$/);
  assert.throws(() => polyLossCrossEntropy([[1, 2]], [1, 0]), /^Error: polyLossCrossEntropy: target shape \[2\] does not match input shape \[1, 2\]$/);
  assert.throws(() => polyLossCrossEntropy([1, 2], [1, 0], { epsilon: null as never }), /^Error: polyLossCrossEntropy: epsilon must be a number, got null$/);
});
