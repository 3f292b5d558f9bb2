import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, sigmoid, tensor } from '../index.js';

goldenTests('binaryCrossEntropyWithLogits', binaryCrossEntropyWithLogits);

test('binaryCrossEntropyWithLogits: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], -4, 4, 31);
  const y = uniform([3, 4], 0, 1, 32);
  for (const options of [{}, { posWeight: uniform([4], 0.5, 3, 33) }, { weight: uniform([3, 4], 0.1, 2, 34), posWeight: uniform([4], 0.5, 3, 35) }]) {
    assert.ok(checkFiniteDifferences(binaryCrossEntropyWithLogits, [x, y], options, 'bceWithLogits') > 0);
  }
});

test('binaryCrossEntropyWithLogits equals binaryCrossEntropy of sigmoid where the latter is exact', () => {
  const x = uniform([8], -3, 3, 36);
  const y = uniform([8], 0, 1, 37);
  const a = binaryCrossEntropyWithLogits(x, y).item();
  const b = binaryCrossEntropy(sigmoid(x), y).item();
  assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
});

test('binaryCrossEntropyWithLogits: logits of ±1e4 and more are exact (no -100 clamp, no NaN)', () => {
  const { loss, grad } = binaryCrossEntropyWithLogits.withGrad(
    tensor([1e4, -1e4, Number.MAX_VALUE, -Number.MAX_VALUE], { dtype: 'float64' }),
    tensor([0, 1, 1, 0], { dtype: 'float64' }),
    { reduction: 'none' },
  );
  assert.deepEqual(loss.toArray(), [1e4, 1e4, 0, 0]);
  assert.deepEqual(grad!.toArray(), [1, -1, 0, 0]);
  // As in PyTorch, an infinite logit gives NaN ((1 - y) x - log σ(x) is inf - inf).
  assert.ok(Number.isNaN(binaryCrossEntropyWithLogits([-Infinity], [0]).item()));
});

test('binaryCrossEntropyWithLogits: bad input', () => {
  assert.throws(() => binaryCrossEntropyWithLogits([1, 2], [1, 0], { posWeight: [1, 2, 3] }), /binaryCrossEntropyWithLogits: posWeight shape \[3\] cannot be broadcast to shape \[2\]/);
  assert.throws(() => binaryCrossEntropyWithLogits([1, 2], [1, 0], { pos_weight: [1] } as never), /unknown option 'pos_weight' \(did you mean 'posWeight'\?\)/);
});
