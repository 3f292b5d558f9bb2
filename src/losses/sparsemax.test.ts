import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, uniform } from '../../test/support/random.js';
import { sparsemaxLoss } from '../index.js';

goldenTests('sparsemaxLoss', sparsemaxLoss);

test('sparsemaxLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], -2.5, 2.5, 101);
  const labels = integers([3, 4], 2, 102);
  for (const options of [{}, { reduction: 'none' }, { reduction: 'sum' }]) {
    assert.ok(checkFiniteDifferences(sparsemaxLoss, [x, labels], options, 'sparsemaxLoss') > 0);
  }
});

test('sparsemaxLoss: zero exactly where the sparse sigmoid reaches the label; linear beyond', () => {
  assert.deepEqual(sparsemaxLoss([1, 5, -1, -5], [1, 1, 0, 0], { reduction: 'none' }).toArray(), [0, 0, 0, 0]);
  const { loss, grad } = sparsemaxLoss.withGrad([-1e30, 1e30], [1, 0], { reduction: 'none' });
  assert.deepEqual(loss.toArray(), [1e30, 1e30].map(Math.fround));
  assert.deepEqual(grad!.toArray(), [-1, 1]);
});

test('sparsemaxLoss: bad input', () => {
  assert.throws(() => sparsemaxLoss([1, 2], [1, 2]), /^Error: sparsemaxLoss: labels must be 0 or 1, got 2 at flat index 1$/);
  assert.throws(() => sparsemaxLoss([1, 2], [1]), /^Error: sparsemaxLoss: labels shape \[1\] does not match input shape \[2\]$/);
  assert.throws(() => sparsemaxLoss([1], [1], { weight: [1] } as never), /sparsemaxLoss: unknown option 'weight'/);
});
