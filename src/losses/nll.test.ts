import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, uniform } from '../../test/support/random.js';
import { crossEntropy, logSoftmax, nllLoss } from '../index.js';

goldenTests('nllLoss', nllLoss);

test('nllLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([2, 4, 3], -3, 0, 240);
  const t = integers([2, 3], 4, 241);
  for (const options of [{}, { weight: uniform([4], 0.2, 2, 242), reduction: 'none' }]) {
    assert.ok(checkFiniteDifferences(nllLoss, [x, t], options, 'nllLoss') > 0);
  }
});

test('nllLoss of logSoftmax is crossEntropy', () => {
  const x = uniform([5, 4], -3, 3, 243);
  const t = integers([5], 4, 244);
  const w = uniform([4], 0.5, 2, 245);
  const a = nllLoss(logSoftmax(x, { dim: 1 }), t, { weight: w }).item();
  const b = crossEntropy(x, t, { weight: w }).item();
  assert.ok(Math.abs(a - b) < 1e-14, `${a} vs ${b}`);
});

test('nllLoss: bad input', () => {
  assert.throws(() => nllLoss([[-1, -2]], [2]), /^Error: nllLoss: target 2 is out of range for 2 classes \(at index 0\)$/);
  assert.throws(() => nllLoss([[-1, -2]], [[0, 1]]), /nllLoss: target shape \[1, 2\] does not match the input: expected class indices of shape \[1\]$/);
});
