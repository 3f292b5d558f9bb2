import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { decode } from '../../test/support/fixtures.js';
import { poissonFullTargetGradient } from '../../test/support/departures.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { poissonNllLoss, tensor, type Tensor } from '../index.js';

// Documented departure (test/support/departures.ts): with `full`, PyTorch's target gradient at a
// target of exactly 0 is NaN; losskit's is the plain gradient.
goldenTests('poissonNllLoss', poissonNllLoss, (c, args, k, expected) => {
  if (k !== 1) return expected;
  const [input, target] = args as Tensor[];
  return poissonFullTargetGradient({ ...c.options, reduction: c.reduction }, input, target, c.gradOutput ? decode(c.gradOutput) : null, expected);
});

// Targets avoid exactly 1, where the Stirling term switches on and the loss jumps.
test('poissonNllLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], 0.1, 3, 71);
  const counts = tensor(Float64Array.from({ length: 12 }, (_, i) => [0, 0.5, 2, 5, 9, 3][i % 6]), { shape: [3, 4] });
  for (const options of [{}, { full: true }, { logInput: false }, { logInput: false, full: true, eps: 1e-3 }]) {
    assert.ok(checkFiniteDifferences(poissonNllLoss, [x, counts], options, 'poissonNllLoss') > 0);
  }
});

test('poissonNllLoss: bad input', () => {
  assert.throws(() => poissonNllLoss([1], [1], { logInput: 'yes' as never }), /^Error: poissonNllLoss: logInput must be true or false, got yes$/);
});

test('poissonNllLoss: the float32 kernel\'s exp(x) at the edges of its two paths agrees with the float64 reference', async () => {
  const { setBackend, wasmReady } = await import('../index.js');
  await wasmReady();
  // Each edge in a vector of ordinary values (the fast path) and in one beside a value above 88 (exp4).
  const edges = [-1000, -100, -88, -87.5, -87.3, -50, -1e-30, 0, 50, 87.9, 88, 88.01, 88.5, 88.72, 88.73, 1000, NaN, Infinity, -Infinity];
  const x = Float32Array.from(edges.flatMap((e) => [e, 1.5, -2, 0.5, e, 100, -2, 0.5]));
  const y = new Float32Array(x.length);
  const run = (backend: 'ts' | 'wasm') => {
    setBackend(backend);
    const { loss, grad } = poissonNllLoss.withGrad(tensor(x), tensor(y), { reduction: 'none' });
    return [loss.data, grad!.data];
  };
  try {
    const [kernel, kernelGrad] = run('wasm');
    const [reference, referenceGrad] = run('ts');
    for (let i = 0; i < x.length; i++) {
      for (const [a, b] of [[kernel[i], reference[i]], [kernelGrad[i], referenceGrad[i]]]) {
        if (Number.isNaN(b) || !Number.isFinite(b)) assert.ok(Object.is(a, b), `x = ${x[i]}: ${a} against ${b}`);
        // Below 2^-126 the kernels flush (from x < -87.68); above, within a few float32 ulps.
        else assert.ok(Math.abs(a - b) <= Math.max(Math.abs(b) * 4 * 2 ** -24, 2 ** -126), `x = ${x[i]}: ${a} against ${b}`);
      }
    }
  } finally {
    setBackend('auto');
  }
});
