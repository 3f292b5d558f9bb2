import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, uniform } from '../../test/support/random.js';
import { crossEntropy, linearCrossEntropy, setBackend, tensor, wasmReady, type LinearCrossEntropyOptions, type Tensor } from '../index.js';

goldenTests('linearCrossEntropy', linearCrossEntropy);

/** input Wᵀ + b, materialised (what the fused loss avoids), for comparisons. */
function logitsOf(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const [N, H] = x.shape;
  const V = w.shape[0];
  const out = new Float64Array(N * V);
  for (let i = 0; i < N; i++) for (let j = 0; j < V; j++) {
    let s = b ? b.data[j] : 0;
    for (let k = 0; k < H; k++) s += x.data[i * H + k] * w.data[j * H + k];
    out[i * V + j] = s;
  }
  return tensor(out, { shape: [N, V] });
}

/** The loss with its bias as a fourth argument, so that grads[3] lines up with it for the differences. */
type Options = LinearCrossEntropyOptions;
const withBiasArgument = Object.assign((x: Tensor, w: Tensor, t: Tensor, b: Tensor, options: Options = {}) => linearCrossEntropy(x, w, t, { ...options, linearBias: b }), {
  withGrad: (x: Tensor, w: Tensor, t: Tensor, b: Tensor, options: Options = {}) => linearCrossEntropy.withGrad(x, w, t, { ...options, linearBias: b }),
});

test('linearCrossEntropy: analytic gradients (input, linearWeight, linearBias) match finite differences (float64), for every chunking', () => {
  const x = uniform([5, 3], -1, 1, 181);
  const w = uniform([4, 3], -1, 1, 182);
  const t = tensor([1, 3, -100, 0, 2]);
  const b = uniform([4], -1, 1, 183);
  for (const options of [{}, { chunkSize: 2 }, { chunkSize: 1, labelSmoothing: 0.2, weight: [0.5, 1, 2, 1.5], reduction: 'sum' as const }, { reduction: 'none' as const, chunkSize: 4 }]) {
    assert.equal(checkFiniteDifferences(withBiasArgument, [x, w, t, b], options, 'linearCrossEntropy'), 15 + 12 + 4);
  }
});

test('linearCrossEntropy equals crossEntropy of the materialised logits; grads[3] is the logits gradient summed over rows', () => {
  const x = uniform([7, 5], -2, 2, 191);
  const w = uniform([9, 5], -1, 1, 192);
  const b = uniform([9], -1, 1, 193);
  const t = integers([7], 9, 194);
  const options = { labelSmoothing: 0.1, weight: uniform([9], 0.5, 2, 195), ignoreIndex: 4 };
  const fused = linearCrossEntropy.withGrad(x, w, t, { ...options, linearBias: b, chunkSize: 3 });
  const plain = crossEntropy.withGrad(logitsOf(x, w, b), t, options);
  assert.ok(Math.abs(fused.loss.item() - plain.loss.item()) < 1e-14);
  const gb = new Float64Array(9);
  plain.grad.data.forEach((g, i) => (gb[i % 9] += g));
  fused.grads[3]!.data.forEach((g, j) => assert.ok(Math.abs(g - gb[j]) < 1e-14, `grads[3][${j}]`));
  assert.equal(fused.grads[2], null);
});

test('linearCrossEntropy: float32 on the kernels meets the float64 result, for tiles and blocks of every remainder', async () => {
  await wasmReady();
  setBackend('wasm');
  try {
    for (const [N, H, V, chunkSize] of [[3, 1, 1, 1], [9, 7, 13, 4], [33, 130, 300, 16], [5, 1030, 600, 5]] as const) {
      const x = uniform([N, H], -1, 1, N + H);
      const w = uniform([V, H], -0.2, 0.2, V + H);
      const b = uniform([V], -1, 1, V);
      const t = integers([N], V, N);
      // the same float32 values, computed in float32 on the kernels and in float64
      const f32 = (a: Tensor) => tensor(Float32Array.from(a.data), { shape: a.shape });
      const f64 = (a: Tensor) => tensor(Float64Array.from(f32(a).data), { shape: a.shape });
      const wide = linearCrossEntropy.withGrad(f64(x), f64(w), t, { linearBias: f64(b), chunkSize });
      const narrow = linearCrossEntropy.withGrad(f32(x), f32(w), t, { linearBias: f32(b), chunkSize });
      assert.equal(narrow.loss.dtype, 'float32');
      const label = `[${N}, ${H}] × ${V}, chunks of ${chunkSize}`;
      assert.ok(Math.abs(narrow.loss.item() - wide.loss.item()) <= 2e-6 * Math.abs(wide.loss.item()), `${label} loss`);
      [0, 1, 3].forEach((k) => {
        let scale = 0;
        for (const v of wide.grads[k]!.data) scale = Math.max(scale, Math.abs(v));
        wide.grads[k]!.data.forEach((v, i) => assert.ok(Math.abs(narrow.grads[k]!.data[i] - v) <= 2e-5 * scale, `${label} grads[${k}][${i}]`));
      });
    }
  } finally {
    setBackend('auto');
  }
});

test('linearCrossEntropy: float64 on the kernels meets the TypeScript path, for tiles, blocks and K passes of every remainder', async () => {
  await wasmReady();
  for (const [N, H, V, chunkSize] of [[3, 1, 1, 1], [9, 7, 13, 4], [33, 130, 300, 16], [5, 1030, 600, 5]] as const) {
    const x = uniform([N, H], -1, 1, N + H);
    const w = uniform([V, H], -0.2, 0.2, V + H);
    const b = uniform([V], -1, 1, V);
    const t = integers([N], V, N);
    const run = (backend: 'wasm' | 'ts') => {
      setBackend(backend);
      try {
        return linearCrossEntropy.withGrad(x, w, t, { linearBias: b, chunkSize });
      } finally {
        setBackend('auto');
      }
    };
    const [kernel, reference] = [run('wasm'), run('ts')];
    const label = `[${N}, ${H}] × ${V}, chunks of ${chunkSize}`;
    assert.equal(kernel.loss.dtype, 'float64');
    // the same float64 sums in another order: a few ulps of the terms' magnitude
    assert.ok(Math.abs(kernel.loss.item() - reference.loss.item()) <= 1e-13 * Math.abs(reference.loss.item()), `${label} loss`);
    [0, 1, 3].forEach((k) => {
      let scale = 0;
      for (const v of reference.grads[k]!.data) scale = Math.max(scale, Math.abs(v));
      reference.grads[k]!.data.forEach((v, i) => assert.ok(Math.abs(kernel.grads[k]!.data[i] - v) <= 1e-13 * scale, `${label} grads[${k}][${i}]`));
    });
  }
});

test('linearCrossEntropy: bad input', () => {
  const fn = linearCrossEntropy;
  const x = [[1, 2]];
  const w = [[1, 0], [0, 1], [1, 1]];
  assert.throws(() => fn([[[1]]], w, [0]), /^Error: linearCrossEntropy: input must be \[N, H\] or \[H\], got shape \[1, 1, 1\]$/);
  assert.throws(() => fn(x, [[1, 2, 3]], [0]), /^Error: linearCrossEntropy: linearWeight must be \[V, H\] with the input's H = 2, got shape \[1, 3\]$/);
  assert.throws(() => fn(x, w, [0], { linearBias: [1, 2] }), /^Error: linearCrossEntropy: linearBias must be \[V\] = \[3\], got shape \[2\]$/);
  assert.throws(() => fn(x, w, [3]), /^Error: linearCrossEntropy: target 3 is out of range for 3 classes \(at index 0\)$/);
  assert.throws(() => fn(x, w, [[0.2, 0.3, 0.5]]), /^Error: linearCrossEntropy: target must hold class indices of shape \[1\]; probability targets \(shape \[1, 3\]\) are not supported$/);
  assert.throws(() => fn(x, w, [0], { chunkSize: 0 }), /^Error: linearCrossEntropy: chunkSize must be a positive integer, got 0$/);
  assert.throws(() => fn(x, w, [0], { chunkSize: 1.5 }), /^Error: linearCrossEntropy: chunkSize must be an integer, got 1.5$/);
  assert.throws(() => fn(x, w, [0], { labelSmoothing: 2 }), /^Error: linearCrossEntropy: labelSmoothing must be in \[0, 1\], got 2$/);
  assert.throws(() => fn(x, w, [0], { weight: [1, 2] }), /^Error: linearCrossEntropy: weight shape \[2\] does not match the 3 classes/);
});
