import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { floatArray, onKernelPaths } from '../../test/support/kernel-paths.js';
import { uniform } from '../../test/support/random.js';
import { gaussianNllLoss, tensor } from '../index.js';

goldenTests('gaussianNllLoss', gaussianNllLoss);

test('gaussianNllLoss: analytic gradients match finite differences (float64), every var shape', () => {
  const x = uniform([3, 4], -2, 2, 81);
  const y = uniform([3, 4], -2, 2, 82);
  for (const variance of [uniform([3, 4], 0.2, 2, 83), uniform([3], 0.2, 2, 84), uniform([3, 1], 0.2, 2, 85)]) {
    for (const options of [{}, { full: true, reduction: 'none' }]) {
      assert.ok(checkFiniteDifferences(gaussianNllLoss, [x, y, variance], options, 'gaussianNllLoss') > 0);
    }
  }
});

test('gaussianNllLoss: a broadcast var gets the summed gradient, shaped like var', () => {
  const { grads } = gaussianNllLoss.withGrad([[1, 2], [3, 4]], [[0, 0], [0, 0]], [1, 2]);
  assert.deepEqual(grads[2]!.shape, [2]);
});

test('gaussianNllLoss: bad input', () => {
  assert.throws(() => gaussianNllLoss([1, 2], [1, 2], [1, -1]), /^Error: gaussianNllLoss: var has a negative entry \(-1 at index 1\)$/);
  assert.throws(() => gaussianNllLoss([[1, 2]], [[1, 2]], [1, 2, 3]), /gaussianNllLoss: var shape \[3\] is incorrect for input shape \[1, 2\]/);
});

// The kernel refuses a negative var by making its loss NaN (wasm.checks); the check then throws as
// on the reference path: a var of the input's shape at every place an element can sit (a vector's
// first and last lane, the tail), broadcast ones ([N, 1], [N]), both dtypes, with a gradient
// (fresh, or the caller's gradInto, checked first and left untouched).
test('gaussianNllLoss: the kernel path refuses a negative var, at any index', async () => {
  const [N, D] = [103, 10]; // 1030 elements: 1028 in the kernel's vectors, 2 in the tail
  await onKernelPaths((backend, Float) => {
    const x = tensor(floatArray(Float, N * D, (i) => Math.sin(i)), { shape: [N, D] });
    const y = tensor(floatArray(Float, N * D, (i) => Math.cos(i)), { shape: [N, D] });
    for (const [shape, at] of [[[N, D], 0], [[N, D], 3], [[N, D], 1027], [[N, D], 1028], [[N, D], 1029], [[N, 1], 0], [[N, 1], 102], [[N], 57]] as const) {
      const size = shape.length === 2 ? shape[0] * shape[1] : shape[0];
      const v = tensor(floatArray(Float, size, (i) => (i === at ? -0.5 : 0.5 + 0.25 * Math.sin(i))), { shape: [...shape] });
      const message = new RegExp(`^Error: gaussianNllLoss: var has a negative entry \\(-0\\.5 at index ${at}\\)$`);
      for (const options of [{}, { reduction: 'none' as const }, { full: true }]) assert.throws(() => gaussianNllLoss(x, y, v, options), message, `${backend} ${Float.name} var ${shape} at ${at}`);
      assert.throws(() => gaussianNllLoss.withGrad(x, y, v), message);
      const gradInto = new Float(N * D).fill(7);
      assert.throws(() => gaussianNllLoss.withGrad(x, y, v, { gradInto }), message);
      assert.ok(gradInto.every((g) => g === 7), 'gradInto untouched');
    }
    // -0 is not negative: the loss is finite, as with +0 (clamped to eps).
    const zero = tensor(floatArray(Float, N * D, (i) => (i === 9 ? -0 : 0.5)), { shape: [N, D] });
    assert.ok(Number.isFinite(gaussianNllLoss(x, y, zero).item()));
  });
});
