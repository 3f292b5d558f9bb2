import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EPSILON } from '../../test/support/close.js';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { floatArray, onKernelPaths } from '../../test/support/kernel-paths.js';
import { uniform } from '../../test/support/random.js';
import { logCoshLoss, setBackend, Tensor, tensor } from '../index.js';

goldenTests('logCoshLoss', logCoshLoss);

test('logCoshLoss: analytic gradients match finite differences (float64), both arguments', () => {
  const x = uniform([3, 4], -3, 3, 51);
  const y = uniform([3, 4], -3, 3, 52);
  for (const options of [{}, { reduction: 'none' }, { reduction: 'sum' }]) {
    assert.equal(checkFiniteDifferences(logCoshLoss, [x, y], options, 'logCoshLoss'), 24);
  }
});

test('logCoshLoss: exact for tiny and huge differences (no cancellation, no overflow)', () => {
  const tiny = logCoshLoss([1e-6], [0], { reduction: 'none' });
  assert.equal(tiny.dtype, 'float32');
  assert.ok(Math.abs(tiny.item() / 5e-13 - 1) < 1e-6, String(tiny.item()));
  // One element per row ([3, 1]): each row's mean is its element.
  const wide = logCoshLoss(new Tensor(Float64Array.of(3e-9, 1e300, -800), [3, 1]), new Tensor(new Float64Array(3), [3, 1]), { reduction: 'none' });
  assert.deepEqual([...wide.data], [4.5e-18, 1e300, 800 - Math.LN2]);
  const g = logCoshLoss.withGrad(new Tensor(Float64Array.of(1e300, -1e300, 0), [3, 1]), new Tensor(new Float64Array(3), [3, 1]), { reduction: 'sum' });
  assert.deepEqual([...g.grad!.data], [1, -1, 0]);
  assert.deepEqual([...g.grads[1]!.data], [-1, 1, -0]);
});

test('logCoshLoss: continuous where the two stable forms meet (|d| = 20)', () => {
  const at = (a: number) => logCoshLoss(Float64Array.of(a), Float64Array.of(0), { reduction: 'none' }).item();
  const below = at(20 * (1 - 2 ** -52));
  const above = at(20);
  assert.ok(Math.abs(above - below) / above < 1e-14, `${below} vs ${above}`);
});

test('logCoshLoss: relative accuracy for small differences, where the log1p(e^-2a) form cancels', () => {
  for (const a of [1e-150, 1e-8, 1e-4]) {
    const got = logCoshLoss(Float64Array.of(a), Float64Array.of(0), { reduction: 'none' }).item();
    const series = (a * a) / 2 - a ** 4 / 12; // log cosh a = a²/2 − a⁴/12 + O(a⁶)
    assert.ok(Math.abs(got / series - 1) < 4e-16, `${a}: ${got} vs ${series}`);
  }
  // At 0.1, log(cosh(a)) itself has no cancellation (cosh 0.1 = 1.005).
  const got = logCoshLoss(Float64Array.of(0.1), Float64Array.of(0), { reduction: 'none' }).item();
  assert.ok(Math.abs(got / Math.log(Math.cosh(0.1)) - 1) < 1e-13);
});

test('logCoshLoss: bad input', () => {
  assert.throws(() => logCoshLoss(1, 1), /^Error: logCoshLoss: input must have at least 1 dimension \(the loss is a mean over the last\), got shape \[\]$/);
  assert.throws(() => logCoshLoss([1, 2], [1]), /^Error: logCoshLoss: target shape \[1\] does not match input shape \[2\]$/);
  assert.throws(() => logCoshLoss([1], [1], { delta: 1 } as never), /logCoshLoss: unknown option 'delta'/);
});

// The kernel's two forms meet at |d| = 1 and its exponential changes its scale at ln2/2; the
// reference's forms at 2^-13 and 20. Each side of each, the extremes, and the kernel's clamp of
// exp(−2|d|): within 4 ulps of the reference (loss and gradient), the same sign of zero.
test('logCoshLoss: the kernel agrees with the reference on both sides of every form boundary', async () => {
  const ds = [0, -0, 5e-324, 1e-300, 1e-40, 1e-30, 2 ** -13, -(2 ** -13), 1e-4, 0.3465, 0.3467, 0.999999, 1, -1, 1.000001, 5, 19.99, 20, 43.6, 87.5, 100, 400, 709, 1e30, -1e30, 3e38, Infinity, -Infinity, NaN];
  await onKernelPaths((backend, Float) => {
    if (backend !== 'wasm') return; // 32 elements: the kernel on backend 'wasm' only
    const n = 32;
    const x = floatArray(Float, n, (i) => ds[i % ds.length]);
    const [X, Y] = [tensor(x, { shape: [n, 1] }), tensor(new Float(n), { shape: [n, 1] })];
    const kernel = logCoshLoss.withGrad(X, Y, { reduction: 'none' });
    setBackend('ts');
    const reference = logCoshLoss.withGrad(X, Y, { reduction: 'none' });
    setBackend('wasm');
    const eps = Float === Float64Array ? EPSILON.float64 : EPSILON.float32;
    for (const [name, got, want] of [['loss', kernel.loss, reference.loss], ['grad', kernel.grads[0]!, reference.grads[0]!]] as const) {
      for (let i = 0; i < n; i++) {
        const [g, r] = [got.data[i], want.data[i]];
        const where = `${Float.name} ${name} at d = ${x[i]}: ${g} against ${r}`;
        if (Number.isNaN(r) || !Number.isFinite(r)) assert.ok(Object.is(g, r), where);
        else assert.ok(Math.abs(g - r) <= 4 * eps * Math.abs(r) && Object.is(g === 0 ? g : 1, r === 0 ? r : 1), where);
      }
    }
  });
});
