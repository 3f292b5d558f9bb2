import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { ctcLoss, logSoftmax, tensor, type Tensor } from '../index.js';

// Float32 cases meet PyTorch's float64 result on the same values at the float32 tolerance, and
// PyTorch's own float32 result (whose recursions accumulate in float32) within the measured bounds
// of CTC_FLOAT32_KERNEL (test/support/close.ts).
goldenTests('ctcLoss', ctcLoss, { scaleByLoss: true, float32Kernel: true });

/** CTC of logSoftmax(z): PyTorch's gradient is exactly d/dz of this (its backward assumes a log-softmax). */
function throughLogSoftmax(z: Tensor, targets: number[][], inputLengths: number[], targetLengths: number[], options = {}) {
  return ctcLoss(logSoftmax(z, { dim: 2 }), targets, inputLengths, targetLengths, { ...options, reduction: 'sum' }).item();
}

test('ctcLoss: the gradient is d/dlogits of ctc(logSoftmax(logits)), by finite differences (float64)', () => {
  const z = uniform([7, 2, 4], -2, 2, 301);
  const targets = [[1, 1, 2], [3, 2, 0]];
  const inputLengths = [7, 6];
  const targetLengths = [3, 2];
  for (const options of [{}, { blank: 3 }]) {
    const t = (options as { blank?: number }).blank === 3 ? [[1, 1, 2], [0, 2, 0]] : targets;
    const { grad } = ctcLoss.withGrad(logSoftmax(z, { dim: 2 }), t, inputLengths, targetLengths, { ...options, reduction: 'sum' });
    for (let i = 0; i < z.size; i++) {
      const h = 1e-6;
      const shifted = (d: number) => {
        const data = Float64Array.from(z.data);
        data[i] += d;
        return tensor(data, { shape: z.shape });
      };
      const numeric = (throughLogSoftmax(shifted(h), t, inputLengths, targetLengths, options) - throughLogSoftmax(shifted(-h), t, inputLengths, targetLengths, options)) / (2 * h);
      assert.ok(Math.abs(grad!.data[i] - numeric) < 1e-6, `element ${i}: analytic ${grad!.data[i]}, numeric ${numeric}`);
    }
  }
});

test('ctcLoss: T = 1000 does not underflow (log-space recursions)', () => {
  const T = 1000;
  const z = uniform([T, 1, 6], -3, 3, 302);
  const targets = [Array.from({ length: 200 }, (_, i) => 1 + (i % 5))];
  const { loss, grad } = ctcLoss.withGrad(logSoftmax(z, { dim: 2 }), targets, [T], [200], { reduction: 'sum' });
  assert.ok(Number.isFinite(loss.item()) && loss.item() > 0, `${loss.item()}`);
  assert.ok(grad!.data.every(Number.isFinite));
  // Each time step's gradient sums to 0 over the classes: exp(lp) sums to 1, and so do the posteriors.
  for (let t = 0; t < T; t += 97) {
    let sum = 0;
    for (let c = 0; c < 6; c++) sum += grad!.data[t * 6 + c];
    assert.ok(Math.abs(sum) < 1e-9, `step ${t}: ${sum}`);
  }
});

test('ctcLoss: an impossible alignment is Infinity, or 0 with a zero gradient under zeroInfinity', () => {
  const lp = logSoftmax(uniform([2, 1, 3], -1, 1, 303), { dim: 2 });
  assert.equal(ctcLoss(lp, [[1, 1]], [2], [2], { reduction: 'sum' }).item(), Infinity);
  const { loss, grad } = ctcLoss.withGrad(lp, [[1, 1]], [2], [2], { zeroInfinity: true });
  assert.equal(loss.item(), 0);
  assert.ok(grad!.data.every((v) => v === 0));
});

test('ctcLoss: bad input', () => {
  const lp = logSoftmax(uniform([4, 2, 3], -1, 1, 304), { dim: 2 });
  assert.throws(() => ctcLoss(lp, [[1, 2], [2, 1]], [5, 4], [2, 2]), /^Error: ctcLoss: inputLengths\[0\] = 5 is longer than the input \(T\) \(4\)$/);
  assert.throws(() => ctcLoss(lp, [[1, 2], [2, 1]], [4, 4], [3, 2]), /ctcLoss: targetLengths\[0\] = 3 is longer than the targets \(S\) \(2\)/);
  assert.throws(() => ctcLoss(lp, [[1, 0], [2, 1]], [4, 4], [2, 2]), /^Error: ctcLoss: target \(sequence 0, position 1\) is the blank 0$/);
  assert.throws(() => ctcLoss(lp, [[1, 2], [2, 1]], [4, -1], [2, 2]), /ctcLoss: inputLengths\[1\] = -1 is not a non-negative integer/);
  assert.throws(() => ctcLoss(lp, [[1, 2], [2, 1]], [4, 4, 4], [2, 2]), /ctcLoss: inputLengths must hold 2 lengths \(one per sequence\), got shape \[3\]/);
  assert.throws(() => ctcLoss(lp, [[1, 2], [2, 1]], [4, 4], [2]), /ctcLoss: targetLengths must hold 2 lengths/);
  assert.throws(() => ctcLoss(lp, [[1, 5], [2, 1]], [4, 4], [2, 2]), /ctcLoss: target 5 \(sequence 0, position 1\) is out of range for 3 classes/);
  assert.throws(() => ctcLoss(lp, [1, 2, 2], [4, 4], [2, 2]), /ctcLoss: targetLengths add up to 4 but the concatenated targets hold 3/);
  assert.throws(() => ctcLoss(lp, [[1, 2], [2, 1]], [4, 4], [2, 2], { blank: 3 }), /ctcLoss: blank 3 is out of range for 3 classes/);
  assert.throws(() => ctcLoss(uniform([4], 0, 1, 1), [1], [4], [1]), /ctcLoss: logProbs must be \[T, N, C\] or unbatched \[T, C\], got shape \[4\]/);
});
