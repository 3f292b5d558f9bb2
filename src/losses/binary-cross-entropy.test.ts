import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { floatArray, onKernelPaths } from '../../test/support/kernel-paths.js';
import { uniform } from '../../test/support/random.js';
import { binaryCrossEntropy, tensor } from '../index.js';

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

// The kernel refuses a value out of range by making its loss NaN (wasm.checks): the range check
// then runs and throws as the reference path does. Checked at every place a value can sit: in a
// vector of the kernel's loop (first, middle, last) and in the tail the reference computes, in
// both dtypes, with a zero weight on it, for every reduction and with a gradient (fresh, or the
// caller's gradInto, which is checked before the kernel writes into it and left untouched).
test('binaryCrossEntropy: the kernel path refuses what the reference refuses, at any index', async () => {
  const n = 1027; // 1024 in the kernel's vectors, 3 in the tail
  const bad = [
    { arg: 'input', value: 1.5 },
    { arg: 'input', value: -0.25 },
    { arg: 'input', value: NaN },
    { arg: 'input', value: Infinity },
    { arg: 'input', value: -Infinity },
    { arg: 'input', value: 1 + 2 ** -23 },
    { arg: 'target', value: 2 },
    { arg: 'target', value: -1e-30 },
    { arg: 'target', value: -Infinity },
  ];
  await onKernelPaths((backend, Float) => {
    const filled = (f: (i: number) => number) => floatArray(Float, n, f);
    for (const { arg, value } of bad) {
      for (const at of [0, 5, 511, 1023, 1024, 1026]) {
        const p = filled((i) => 0.05 + (0.9 * ((i * 37) % 101)) / 101);
        const y = filled((i) => (i % 3) / 2);
        (arg === 'input' ? p : y)[at] = value;
        const weight = filled((i) => (i === at ? 0 : 1));
        const stored = Math.fround(value) === value || Float === Float64Array ? value : Math.fround(value);
        const message = new RegExp(`^Error: binaryCrossEntropy: ${arg} ${String(stored).replace(/[.+]/g, '\\$&')} at index ${at} is outside \\[0, 1\\]$`);
        const [P, Y] = [tensor(p, { shape: [n] }), tensor(y, { shape: [n] })];
        for (const options of [{}, { reduction: 'sum' as const }, { reduction: 'none' as const }, { weight: tensor(weight, { shape: [n] }) }]) {
          assert.throws(() => binaryCrossEntropy(P, Y, options), message, `${backend} ${Float.name} ${arg} ${value} at ${at} ${JSON.stringify(options)}`);
        }
        assert.throws(() => binaryCrossEntropy.withGrad(P, Y), message);
        const gradInto = new Float(n).fill(7);
        assert.throws(() => binaryCrossEntropy.withGrad(P, Y, { gradInto }), message);
        assert.ok(gradInto.every((g) => g === 7), 'gradInto untouched');
      }
    }
    // A NaN target is not refused (as PyTorch): the loss is NaN, on the kernel path too.
    const y = filled((i) => (i === 700 ? NaN : (i % 3) / 2));
    assert.ok(Number.isNaN(binaryCrossEntropy(tensor(filled(() => 0.5), { shape: [n] }), tensor(y, { shape: [n] })).item()));
  });
});
