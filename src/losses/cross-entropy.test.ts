import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, uniform } from '../../test/support/random.js';
import { crossEntropy, setBackend, softmax, Tensor, tensor, wasmReady } from '../index.js';

goldenTests('crossEntropy', crossEntropy);

test('crossEntropy: analytic gradients match finite differences (float64), every layout and option', () => {
  const layouts: [number[], number[]][] = [[[5], []], [[4, 5], [4]], [[2, 5, 3], [2, 3]]];
  layouts.forEach(([inputShape, targetShape], n) => {
    const x = uniform(inputShape, -3, 3, 200 + n);
    const indices = integers(targetShape, 5, 210 + n);
    const probabilities = softmax(uniform(inputShape, -2, 2, 220 + n), { dim: inputShape.length === 1 ? 0 : 1 });
    for (const options of [{}, { labelSmoothing: 0.2 }, { weight: uniform([5], 0.2, 2, 230), labelSmoothing: 0.1, reduction: 'sum' }]) {
      assert.ok(checkFiniteDifferences(crossEntropy, [x, indices], options, `crossEntropy ${inputShape}`) > 0);
      assert.ok(checkFiniteDifferences(crossEntropy, [x, probabilities], options, `crossEntropy soft ${inputShape}`) > 0);
    }
  });
});

test('crossEntropy: the gradient is softmax - onehot (divided by N for the mean)', () => {
  const logits = [[1, 2, 3], [0.5, -1, 2]];
  const { grad } = crossEntropy.withGrad(logits, [2, 0]);
  const p = softmax(logits);
  const expected = [p.data[0] / 2, p.data[1] / 2, (p.data[2] - 1) / 2, (p.data[3] - 1) / 2, p.data[4] / 2, p.data[5] / 2];
  expected.forEach((v, i) => assert.ok(Math.abs(grad!.data[i] - v) < 1e-7, `element ${i}`));
});

test('crossEntropy: logits of ±1e4 and beyond are exact, never NaN', () => {
  const loss = crossEntropy(tensor([[1e4, -1e4, 0], [-1e30, 1e30, 1e30]], { dtype: 'float64' }), [1, 0], { reduction: 'none' });
  assert.deepEqual(loss.toArray(), [2e4, 2e30]);
});

test('crossEntropy: every target ignored gives NaN for the mean with a zero gradient, as PyTorch', () => {
  const { loss, grad } = crossEntropy.withGrad([[1, 2], [3, 4]], [-100, -100]);
  assert.ok(Number.isNaN(loss.item()));
  assert.deepEqual(Array.from(grad!.data), [0, 0, 0, 0]);
  assert.equal(crossEntropy([[1, 2], [3, 4]], [-100, 1], { reduction: 'none' }).data[0], 0);
});

test('crossEntropy: empty batch', () => {
  const empty = tensor(new Float32Array(0), { shape: [0, 3] });
  assert.ok(Number.isNaN(crossEntropy(empty, []).item()));
  assert.equal(crossEntropy(empty, [], { reduction: 'sum' }).item(), 0);
  assert.deepEqual(crossEntropy(empty, [], { reduction: 'none' }).shape, [0]);
});

test('crossEntropy: bad input', () => {
  assert.throws(() => crossEntropy([[1, 2, 3]], [5]), /^Error: crossEntropy: target 5 is out of range for 3 classes \(at index 0\)$/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [-1]), /crossEntropy: target -1 is out of range for 3 classes/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [1.5]), /^Error: crossEntropy: target 1.5 at index 0 is not an integer class index$/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [1], { labelSmoothing: 1.5 }), /^Error: crossEntropy: labelSmoothing must be in \[0, 1\], got 1.5$/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [1], { weight: [1, 2] }), /^Error: crossEntropy: weight shape \[2\] does not match the 3 classes \(expected \[3\]\)$/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [1, 2]), /crossEntropy: target shape \[2\] does not match the input: expected class indices of shape \[1\] or probabilities of the input shape/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [1], { ignore_index: 1 } as never), /crossEntropy: unknown option 'ignore_index' \(did you mean 'ignoreIndex'\?\)/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [1], { ignoreIndex: 0.5 }), /crossEntropy: ignoreIndex must be an integer, got 0.5/);
  assert.throws(() => crossEntropy(5, [1]), /crossEntropy: input must have a class dimension, got a 0-d tensor/);
  // PyTorch: "Expected floating point type for target with class probabilities".
  assert.throws(() => crossEntropy([[1, 2, 3]], tensor([[0, 1, 0]], { dtype: 'int32' })), /^Error: crossEntropy: a target of the input's shape holds class probabilities and must be float32 or float64, got int32/);
  // PyTorch: "ignore_index is not supported for floating point target".
  assert.throws(() => crossEntropy([[1, 2, 3]], [[0.2, 0.3, 0.5]], { ignoreIndex: 1 }), /^Error: crossEntropy: ignoreIndex \(1\) applies to class indices, not to probability targets \(as PyTorch\)$/);
  assert.throws(() => crossEntropy([[1, 2, 3]], [1], { reduction: 'batchmean' } as never), /crossEntropy: reduction 'batchmean' is not valid \(valid: 'none', 'mean', 'sum'\)/);
  assert.throws(() => crossEntropy.withGrad([[1, 2, 3]], [1], { reduction: 'none', gradOutput: [1, 2] }), /crossEntropy: gradOutput shape \[2\] does not match the loss shape \[1\]/);
  assert.throws(() => (crossEntropy as unknown as (x: unknown) => void)([[1, 2, 3]]), /crossEntropy: target is missing/);
});

test('withGrad gradInto: the gradient is written into the caller\'s array (both backends), and checked', async () => {
  const { setBackend, wasmReady } = await import('../index.js');
  await wasmReady();
  const logits = tensor(Float32Array.from({ length: 64 * 10 }, (_, i) => Math.sin(i)), { shape: [64, 10] });
  const targets = Array.from({ length: 64 }, (_, i) => i % 10);
  try {
    for (const backend of ['ts', 'wasm'] as const) {
      setBackend(backend);
      const into = new Float32Array(640);
      const { grad } = crossEntropy.withGrad(logits, targets, { gradInto: into });
      assert.equal(grad!.data, into);
      assert.deepEqual(Array.from(into), Array.from(crossEntropy.withGrad(logits, targets).grad!.data));
    }
  } finally {
    setBackend('auto');
  }
  assert.throws(() => crossEntropy.withGrad(logits, targets, { gradInto: new Float32Array(10) }), /^Error: crossEntropy: gradInto must be a Float32Array of 640 elements \(the first argument's size and dtype\)$/);
  assert.throws(() => crossEntropy.withGrad(logits, targets, { gradInto: new Float64Array(640) }), /gradInto must be a Float32Array/);
});

test('crossEntropy: an ignored row holding NaN or ±Inf contributes nothing, to the loss or to the gradient (a departure: PyTorch\'s gradient is NaN there)', async () => {
  await wasmReady();
  const logits = new Tensor(Float32Array.from([Infinity, 0, 1, 2, NaN, 1, -Infinity, 3]), [4, 2]);
  for (const backend of ['ts', 'wasm'] as const) {
    setBackend(backend);
    try {
      const { loss, grad } = crossEntropy.withGrad(logits, [1, 0, 1, 1], { ignoreIndex: 1 });
      const kept = crossEntropy.withGrad(tensor([[1, 2]]), [0]);
      assert.equal(loss.item(), kept.loss.item(), backend);
      assert.deepEqual(Array.from(grad.data), [0, 0, ...kept.grad.data, 0, 0, 0, 0], backend);
    } finally {
      setBackend('auto');
    }
  }
});

test("crossEntropy: 'mean' over weights summing to 0 is NaN with label smoothing too (PyTorch divides each part by the 0)", async () => {
  await wasmReady();
  for (const backend of ['ts', 'wasm'] as const) {
    setBackend(backend);
    try {
      assert.ok(Number.isNaN(crossEntropy([[1, 2, 3]], [0], { weight: [0, 1, 1], labelSmoothing: 0.1 }).item()), backend);
      // Subnormal and huge weights take the TypeScript path (KERNEL_WEIGHT_RANGE): the same numbers on both backends.
      const options = { weight: [1.5e-39, 1, 3e-39], labelSmoothing: 0.5 } as const;
      setBackend('ts');
      const reference = crossEntropy.withGrad(tensor([[84, -6, 2], [0, 1, 2]]), [0, 2], options);
      setBackend(backend);
      const result = crossEntropy.withGrad(tensor([[84, -6, 2], [0, 1, 2]]), [0, 2], options);
      assert.deepEqual(result.loss.data, reference.loss.data, backend);
      assert.deepEqual(result.grad.data, reference.grad.data, backend);
    } finally {
      setBackend('auto');
    }
  }
});
