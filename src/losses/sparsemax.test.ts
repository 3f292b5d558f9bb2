import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { floatArray, onKernelPaths } from '../../test/support/kernel-paths.js';
import { integers, uniform } from '../../test/support/random.js';
import { sparsemaxLoss, tensor } from '../index.js';

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

// The kernel checks its labels itself (wasm.checks): a bad one makes its loss NaN and the check
// that names it runs only then; with gradInto the check runs first.
test('sparsemaxLoss: the kernel path refuses a label the reference refuses, at any index', async () => {
  const n = 1027; // 1024 in the kernel's vectors, 3 in the tail
  await onKernelPaths((backend, Float) => {
    for (const value of [2, -1, 0.5, NaN, Infinity, 1 + 2 ** -23]) {
      for (const at of [0, 1, 2, 3, 5, 511, 1023, 1024, 1026]) {
        const x = floatArray(Float, n, (i) => ((i * 37) % 101) / 25 - 2);
        const labels = floatArray(Float, n, (i) => (i * 7) % 2);
        labels[at] = value;
        const stored = Float === Float64Array ? value : Math.fround(value);
        const message = new RegExp(`^Error: sparsemaxLoss: labels must be 0 or 1, got ${String(stored).replace(/[.+]/g, '\\$&')} at flat index ${at}$`);
        const [X, Y] = [tensor(x, { shape: [n] }), tensor(labels, { shape: [n] })];
        for (const options of [{}, { reduction: 'sum' as const }, { reduction: 'none' as const }]) {
          assert.throws(() => sparsemaxLoss(X, Y, options), message, `${backend} ${Float.name} ${value} at ${at} ${JSON.stringify(options)}`);
        }
        assert.throws(() => sparsemaxLoss.withGrad(X, Y), message);
        const gradInto = new Float(n).fill(7);
        assert.throws(() => sparsemaxLoss.withGrad(X, Y, { gradInto }), message);
        assert.ok(gradInto.every((g) => g === 7), 'gradInto untouched');
      }
    }
  });
});
