import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { ntxentLoss, setBackend, tensor, wasmReady } from '../index.js';
import { EPSILON } from '../../test/support/close.js';

goldenTests('ntxentLoss', ntxentLoss);

test('ntxentLoss: analytic gradients match finite differences (float64)', () => {
  const e = uniform([6, 3], -1, 1, 121);
  const labels = tensor([0, 1, 0, 1, 2, 2]);
  for (const options of [{}, { temperature: 0.5, reduction: 'none' }, { temperature: 2, reduction: 'sum' }]) {
    assert.equal(checkFiniteDifferences(ntxentLoss, [e, labels], options, 'ntxentLoss'), 18);
  }
});

test("ntxentLoss: 'mean' is the sum over positive pairs divided by their count; 'none' is 0 off the pairs", () => {
  const e = uniform([5, 4], -1, 1, 122);
  const labels = [0, 0, 0, 1, 1]; // 6 + 2 ordered positive pairs
  const none = ntxentLoss(e, labels, { reduction: 'none' });
  assert.deepEqual(none.shape, [5, 5]);
  let sum = 0;
  none.data.forEach((v, k) => {
    const [i, j] = [Math.floor(k / 5), k % 5];
    if (i === j || labels[i] !== labels[j]) assert.equal(v, 0);
    else assert.ok(v > 0);
    sum += v;
  });
  assert.ok(Math.abs(ntxentLoss(e, labels, { reduction: 'sum' }).item() - sum) < 1e-12);
  assert.ok(Math.abs(ntxentLoss(e, labels).item() - sum / 8) < 1e-12);
});

test('ntxentLoss: a tiny temperature does not overflow', () => {
  const e = uniform([4, 3], -1, 1, 123);
  const { loss, grad } = ntxentLoss.withGrad(e, [0, 0, 1, 1], { temperature: 1e-6 });
  assert.ok(Number.isFinite(loss.item()));
  assert.ok(grad!.data.every(Number.isFinite));
});

test('ntxentLoss: without a positive pair the mean is NaN (0 / 0, as optax)', () => {
  assert.ok(Number.isNaN(ntxentLoss([[1, 0], [0, 1]], [0, 1]).item()));
  assert.equal(ntxentLoss([[1, 0], [0, 1]], [0, 1], { reduction: 'sum' }).item(), 0);
});

test('ntxentLoss: one label for all (no negatives): every pair loss and the gradient are exactly 0', () => {
  const { loss, grad } = ntxentLoss.withGrad(uniform([3, 3], -1e-3, 1e-3, 124), [1, 1, 1], { reduction: 'none', gradOutput: uniform([3, 3], -2, 2, 125) });
  assert.ok(loss.data.every((v) => v === 0));
  assert.ok(grad!.data.every((v) => v === 0));
});

test('ntxentLoss: bad input', () => {
  assert.throws(() => ntxentLoss([1, 2], [0, 0]), /^Error: ntxentLoss: embeddings must be \[N, D\], got shape \[2\]$/);
  assert.throws(() => ntxentLoss([[1, 2]], [0, 0]), /^Error: ntxentLoss: labels shape \[2\] does not match embeddings of shape \[1, 2\] \(expected \[1\]\)$/);
  assert.throws(() => ntxentLoss([[1, 2], [2, 1]], [0, 0.5]), /^Error: ntxentLoss: labels must be integers, got 0.5 at index 1$/);
  assert.throws(() => ntxentLoss([[1, 2], [2, 1]], [0, 0], { temperature: 0 }), /^Error: ntxentLoss: temperature must be > 0, got 0$/);
});

test('ntxentLoss: the products on the kernels meet the TypeScript path (float64, blocks of every remainder)', async () => {
  await wasmReady();
  // [N, D]: one block, several blocks of rows and of the weight's tiles, a NaN embedding (TypeScript path throughout)
  for (const [N, D, nan] of [[3, 1, false], [37, 9, false], [300, 130, false], [40, 5, true]] as const) {
    const e = uniform([N, D], -1, 1, N + D);
    if (nan) (e.data as Float64Array)[7] = NaN;
    const labels = Array.from({ length: N }, (_, i) => (i * 7) % 5);
    const gradOutput = uniform([N, N], -1, 1, N);
    const run = (backend: 'wasm' | 'ts') => {
      setBackend(backend);
      try {
        return ntxentLoss.withGrad(e, labels, { temperature: 0.2, reduction: 'none', gradOutput });
      } finally {
        setBackend('auto');
      }
    };
    const [kernel, reference] = [run('wasm'), run('ts')];
    const label = `[${N}, ${D}]${nan ? ' with a NaN' : ''}`;
    assert.equal(kernel.loss.dtype, 'float64');
    // the same float64 dot products summed in another order: within D ulps of the terms (|u_i · u_j| <= 1, over T)
    const tolerance = 4 * D * EPSILON.float64 / 0.2;
    let scale = 0;
    for (const v of reference.grad!.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (const [name, got, want, s] of [['loss', kernel.loss.data, reference.loss.data, 1], ['grad', kernel.grad!.data, reference.grad!.data, scale]] as const) {
      want.forEach((v, i) => {
        if (Number.isNaN(v)) assert.ok(Number.isNaN(got[i]), `${label} ${name}[${i}]: ${got[i]}, not NaN`);
        else assert.ok(Math.abs(got[i] - v) <= tolerance * N * Math.max(s, Math.abs(v)), `${label} ${name}[${i}]: ${got[i]} vs ${v}`);
      });
    }
  }
});
