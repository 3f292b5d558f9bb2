import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { binaryCrossEntropy } from '../index.js';

goldenTests('binaryCrossEntropy', binaryCrossEntropy);

test('binaryCrossEntropy: analytic gradients match finite differences (float64)', () => {
  const p = uniform([3, 4], 0.05, 0.95, 21);
  const y = uniform([3, 4], 0, 1, 22);
  for (const options of [{}, { weight: uniform([4], 0.1, 2, 23) }, { reduction: 'none' }]) {
    assert.ok(checkFiniteDifferences(binaryCrossEntropy, [p, y], options, 'binaryCrossEntropy') > 0);
  }
});

test('binaryCrossEntropy: probabilities of exactly 0 and 1 give the -100 log clamp, never inf', () => {
  const { loss, grads } = binaryCrossEntropy.withGrad([0, 1, 0, 1], [1, 0, 0, 1], { reduction: 'none' });
  assert.deepEqual(Array.from(loss.data, Math.abs), [100, 100, 0, 0]);
  // The input gradient's denominator is clamped at 1e-12 (rounded to float32, as PyTorch).
  assert.equal(grads[0]!.data[0], Math.fround(-1 / Math.fround(1e-12)));
  assert.deepEqual(grads[1]!.toArray(), [Infinity, -Infinity, Infinity, -Infinity]);
});

test('binaryCrossEntropy: bad input', () => {
  assert.throws(() => binaryCrossEntropy([1.5], [1]), /^Error: binaryCrossEntropy: input 1.5 at index 0 is outside \[0, 1\]$/);
  assert.throws(() => binaryCrossEntropy([0.5, 0.2], [1, -1]), /binaryCrossEntropy: target -1 at index 1 is outside \[0, 1\]/);
  // As PyTorch ("all elements of input should be between 0 and 1"); a NaN target propagates instead, as in PyTorch.
  assert.throws(() => binaryCrossEntropy([0.5, NaN], [1, 0]), /^Error: binaryCrossEntropy: input NaN at index 1 is outside \[0, 1\]$/);
  assert.ok(Number.isNaN(binaryCrossEntropy([0.5, 0.5], [1, NaN]).item()));
  assert.throws(() => binaryCrossEntropy([[0.5, 0.2]], [[1, 0]], { weight: [1, 2, 3] }), /binaryCrossEntropy: weight shape \[3\] cannot be broadcast to shape \[1, 2\]/);
});
