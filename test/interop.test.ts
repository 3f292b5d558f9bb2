// The tensors of other libraries, from the real packages: TensorFlow.js (cpu backend), ONNX
// Runtime's Tensor (onnxruntime-common), transformers.js's Tensor and ndarray. Each must give the
// numbers the same values give as plain arrays, read in place where its memory allows.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Tensor as HfTensor } from '@huggingface/transformers';
import ndarray from 'ndarray';
import { Tensor as OrtTensor } from 'onnxruntime-common';
import * as L from '../src/index.js';

const logits = [[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
const labels = [1, 0, 3];
const flatLogits = Float32Array.from(logits.flat());

const plain = L.crossEntropy.withGrad(logits, labels, { reduction: 'none' });
const values = (r: L.LossWithGrad) => ({ loss: Array.from(r.loss.data), grad: Array.from(r.grad!.data), dtype: r.loss.dtype });

/** Proves that `input` is read in place: its own memory as lossInto is refused as shared with the input. */
function readInPlace(input: unknown, memory: Float32Array | Float64Array): void {
  assert.throws(
    () => L.mseLoss(input as L.TensorLike, L.tensor(memory), { reduction: 'none', lossInto: memory }),
    /^Error: mseLoss: lossInto shares memory with input$/,
  );
}

describe('TensorFlow.js tensors (@tensorflow/tfjs, cpu backend)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('float32 logits and int32 labels: the same loss and gradient, read in place', () => {
    const x = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    assert.deepEqual(values(L.crossEntropy.withGrad(x, y, { reduction: 'none' })), values(plain));
    readInPlace(x, x.dataSync() as Float32Array);
    x.dispose();
    y.dispose();
  });

  test('bool targets are integer data; a disposed tensor and complex or string tensors are refused', () => {
    const p = tf.tensor1d([0.2, 0.9, 0.4]);
    const t = tf.tensor1d([0, 1, 1], 'bool');
    assert.deepEqual(Array.from(L.binaryCrossEntropy(p, t, { reduction: 'none' }).data), Array.from(L.binaryCrossEntropy([0.2, 0.9, 0.4], [0, 1, 1], { reduction: 'none' }).data));
    p.dispose();
    assert.throws(() => L.sigmoid(p), /^Error: sigmoid: input: the tf.Tensor is disposed$/);
    const z = tf.complex([1], [2]);
    assert.throws(() => L.sigmoid(z), /^Error: sigmoid: input: a tf.Tensor of dtype the string 'complex64' is not supported \(valid: float32, int32, bool\)$/);
    const s = tf.tensor1d(['a'], 'string');
    assert.throws(() => L.sigmoid(s), /^Error: sigmoid: input: a tf.Tensor of dtype the string 'string' is not supported/);
    for (const d of [t, z, s]) d.dispose();
  });
});

describe('ONNX Runtime tensors (onnxruntime-common)', () => {
  test('float32 logits and int64 labels (BigInt64Array): the same loss and gradient, read in place', () => {
    const x = new OrtTensor('float32', flatLogits.slice(), [3, 4]);
    const y = new OrtTensor('int64', BigInt64Array.from(labels, BigInt), [3]);
    assert.deepEqual(values(L.crossEntropy.withGrad(x, y, { reduction: 'none' })), values(plain));
    readInPlace(x, x.data as Float32Array);
  });

  test('float64 stays float64 and plain targets follow it; uint8 labels are class indices', () => {
    const x = new OrtTensor('float64', Float64Array.from(logits.flat()), [3, 4]);
    const r = L.crossEntropy(x, labels, { reduction: 'none' });
    assert.equal(r.dtype, 'float64');
    assert.deepEqual(Array.from(r.data), Array.from(L.crossEntropy(L.tensor(logits, { dtype: 'float64' }), labels, { reduction: 'none' }).data));
    const y = new OrtTensor('uint8', Uint8Array.from(labels), [3]);
    assert.deepEqual(Array.from(L.crossEntropy(new OrtTensor('float32', flatLogits.slice(), [3, 4]), y, { reduction: 'none' }).data), Array.from(plain.loss.data));
  });

  test('float16, string tensors and int64 labels beyond int32 are refused, naming function and argument', () => {
    const half = new OrtTensor('float16', new Uint16Array(12), [3, 4]);
    assert.throws(() => L.crossEntropy(half, labels), /^Error: crossEntropy: input: a tensor of type 'float16' is not supported \(valid: .*float16 data holds the bits of half floats, not numbers: convert it to float32 first\)$/);
    const text = new OrtTensor('string', ['a', 'b', 'c'], [3]);
    assert.throws(() => L.crossEntropy(logits, text), /^Error: crossEntropy: target: a tensor of type 'string' is not supported/);
    const big = new OrtTensor('int64', BigInt64Array.from([1n, 2n ** 32n + 1n, 0n]), [3]);
    assert.throws(() => L.crossEntropy(logits, big), /^Error: crossEntropy: target: value 4294967297 at index 1 of the BigInt64Array does not fit in int32/);
  });
});

describe('transformers.js tensors (@huggingface/transformers, its Tensor class only)', () => {
  test('float32 logits and int64 labels: the same loss and gradient, read in place', () => {
    const x = new HfTensor('float32', flatLogits.slice(), [3, 4]);
    const y = new HfTensor('int64', BigInt64Array.from(labels, BigInt), [3]);
    assert.deepEqual(values(L.crossEntropy.withGrad(x, y, { reduction: 'none' })), values(plain));
    readInPlace(x, x.data as Float32Array);
    assert.deepEqual(Array.from(L.softmax(x).data), Array.from(L.softmax(logits).data));
  });

  test('a float16 tensor is refused', () => {
    const half = new HfTensor('float16', new Uint16Array(12), [3, 4]);
    assert.throws(() => L.softmax(half), /^Error: softmax: input: a tensor of type 'float16' is not supported/);
  });
});

describe('ndarray', () => {
  test('contiguous float32: read in place; transposed and reversed views: the elements they show', () => {
    const a = ndarray(flatLogits.slice(), [3, 4]);
    assert.deepEqual(values(L.crossEntropy.withGrad(a, labels, { reduction: 'none' })), values(plain));
    readInPlace(a, a.data as Float32Array);
    const transposed = logits[0].map((_, c) => logits.map((row) => row[c]));
    assert.deepEqual(Array.from(L.softmax(a.transpose(1, 0), { dim: 0 }).data), Array.from(L.softmax(transposed, { dim: 0 }).data));
    // Rows reversed (a negative stride), the first column dropped (an offset): read element by element with ndarray's own get.
    const view = a.step(-1, 1).lo(0, 1);
    const shown = Array.from({ length: view.shape[0] }, (_, i) => Array.from({ length: view.shape[1] }, (_, j) => view.get(i, j)));
    assert.deepEqual(L.tensor(view).toArray(), shown);
    assert.deepEqual(shown[0], [2, -1, 3]);
    // A generic ndarray over a plain array takes the call's float dtype, like plain arrays.
    const generic = ndarray([1, 2, 3, 4], [2, 2]);
    assert.equal(L.mseLoss(generic, L.tensor([[0, 0], [0, 0]], { dtype: 'float64' })).dtype, 'float64');
  });
});
