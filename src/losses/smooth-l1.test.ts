import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { huberLoss, l1Loss, smoothL1Loss, tensor } from '../index.js';

goldenTests('smoothL1Loss', smoothL1Loss);

test('smoothL1Loss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], -3, 3, 7);
  const t = uniform([3, 4], -3, 3, 8);
  for (const options of [{}, { beta: 0.5 }, { beta: 2, reduction: 'none' }]) {
    assert.ok(checkFiniteDifferences(smoothL1Loss, [x, t], options, 'smoothL1Loss') > 0);
  }
});

test('smoothL1Loss: beta = 0 is exactly l1Loss, values and gradients', () => {
  const x = uniform([10], -2, 2, 9);
  const t = uniform([10], -2, 2, 10);
  const a = smoothL1Loss.withGrad(x, t, { beta: 0, reduction: 'none' });
  const b = l1Loss.withGrad(x, t, { reduction: 'none' });
  assert.deepEqual(a.loss.data, b.loss.data);
  assert.deepEqual(a.grads[0]!.data, b.grads[0]!.data);
});

test('property: huberLoss(delta) = delta * smoothL1Loss(beta = delta)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })), { minLength: 1, maxLength: 20 }),
      fc.double({ min: 0.01, max: 10, noNaN: true }),
      (pairs, delta) => {
        const x = tensor(Float64Array.from(pairs.map((p) => p[0])));
        const t = tensor(Float64Array.from(pairs.map((p) => p[1])));
        const huber = huberLoss.withGrad(x, t, { delta, reduction: 'none' });
        const smooth = smoothL1Loss.withGrad(x, t, { beta: delta, reduction: 'none' });
        for (let i = 0; i < x.size; i++) {
          const scale = Math.max(1, Math.abs(huber.loss.data[i]));
          if (Math.abs(huber.loss.data[i] - delta * smooth.loss.data[i]) > 1e-12 * scale) return false;
          if (Math.abs(huber.grad!.data[i] - delta * smooth.grad!.data[i]) > 1e-12 * Math.max(1, delta)) return false;
        }
        return true;
      },
    ),
  );
});

test('smoothL1Loss: bad input', () => {
  assert.throws(() => smoothL1Loss([1], [1], { beta: -1 }), /^Error: smoothL1Loss: beta must be >= 0, got -1$/);
  assert.throws(() => smoothL1Loss([1], [1], { beta: 'x' as never }), /smoothL1Loss: beta must be a number, got x/);
});
