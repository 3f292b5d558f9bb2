import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossEntropy, mseLoss, softmax, Tensor, tensor } from '../index.js';

test('tensor: nested arrays default to float32, typed arrays keep their dtype', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.ok(t.data instanceof Float32Array);
  assert.equal(tensor(new Float64Array([1, 2])).dtype, 'float64');
  assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
  assert.deepEqual(tensor(new Float64Array(6), { shape: [3, 2] }).shape, [3, 2]);
  assert.equal(tensor(0.1).item(), Math.fround(0.1));
  assert.equal(tensor(0.1, { dtype: 'float64' }).item(), 0.1);
  assert.deepEqual(tensor(2.5).shape, []);
});

test('tensor: copies its input; toArray gives nested arrays back', () => {
  const source = new Float32Array([1, 2, 3, 4]);
  const t = tensor(source, { shape: [2, 2] });
  source[0] = 99;
  assert.deepEqual(t.toArray(), [[1, 2], [3, 4]]);
  assert.equal(tensor(7).toArray(), 7);
  assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  assert.deepEqual(tensor([[], []]).toArray(), [[], []]);
});

test('tensor: bad input', () => {
  assert.throws(() => tensor([[1, 2], [3]]), /^Error: tensor: ragged nested array: \[1\] has length 1, expected 2$/);
  assert.throws(() => tensor([1, 'a' as never]), /tensor: element at \[1\] is the string 'a', expected a number/);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /tensor: shape \[2, 2\] needs 4 elements, got 3/);
  assert.throws(() => tensor([1.5], { dtype: 'int32' }), /tensor: value 1.5 at index 0 is not a 32-bit integer \(dtype int32\)/);
  assert.throws(() => tensor([1], { dtype: 'float16' as never }), /tensor: unknown dtype 'float16' \(valid: float32, float64, int32\)/);
  assert.throws(() => tensor([1, 2]).item(), /item: a tensor with 2 elements cannot be converted to a number/);
  assert.throws(() => new Tensor(new Float32Array(2), [3]), /^Error: new Tensor: shape \[3\] needs 3 elements, got 2$/);
});

test('tensor: extreme values survive as float64 and round as float32', () => {
  assert.equal(tensor([Number.MAX_VALUE], { dtype: 'float64' }).item(), Number.MAX_VALUE);
  assert.equal(tensor([Number.MAX_VALUE]).item(), Infinity);
  assert.ok(Number.isNaN(tensor([NaN]).item()));
  assert.equal(tensor([-Infinity]).item(), -Infinity);
});

test('new Tensor: only a Float32Array, Float64Array or Int32Array, named when refused', () => {
  const refused: [unknown, string][] = [
    [new Uint16Array(12), 'a Uint16Array'],
    [new Uint8Array(12), 'a Uint8Array'],
    [new BigInt64Array(12), 'a BigInt64Array'],
    [new Array(12).fill(0), 'an array'],
  ];
  for (const [data, described] of refused) {
    assert.throws(
      () => new Tensor(data as Float32Array, [3, 4]),
      new RegExp(`^Error: new Tensor: data must be a Float32Array, Float64Array or Int32Array, got ${described} \\(tensor\\(\\) converts other arrays\\)$`),
    );
  }
  assert.throws(
    () => new Tensor(new Proxy(new Float32Array(12), {}), [3, 4]),
    /^Error: new Tensor: data is a Float32Array that is not a real typed array \(a Proxy, or an object inheriting from one\): pass the typed array itself$/,
  );
  // @ts-expect-error: the dtype comes from the data; a third argument is refused, not ignored
  assert.throws(() => new Tensor(new Float32Array(3), [3], 'int32'), /^Error: new Tensor: expected data and shape, got 3 arguments/);
  assert.throws(() => new Tensor(new Float32Array(2), [2.5] as never), /^Error: new Tensor: shape \[2.5\] must hold non-negative integers$/);
  const data = new Float64Array(6);
  const t = new Tensor(data, [2, 3]);
  assert.equal(t.data, data);
  assert.equal(t.dtype, 'float64');
});

test('tensor: a dtype is checked by value, never looked up (no prototype names)', () => {
  for (const dtype of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    assert.throws(() => tensor([1], { dtype: dtype as never }), new RegExp(`^Error: tensor: unknown dtype '${dtype}' \\(valid: float32, float64, int32\\)$`));
  }
  assert.throws(() => tensor([1], { dtype: 32 as never }), /^Error: tensor: unknown dtype the number 32 \(valid: float32, float64, int32\)$/);
  assert.throws(() => tensor([1], { shape: 'abc' as never }), /^Error: tensor: shape the string 'abc' must hold non-negative integers$/);
});

test('tensor: integer typed arrays become int32, BigInt ones with a range check', () => {
  for (const Kind of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Uint32Array]) {
    const t = tensor(new Kind([0, 1, 2, 7]), { shape: [2, 2] });
    assert.equal(t.dtype, 'int32', Kind.name);
    assert.deepEqual(t.toArray(), [[0, 1], [2, 7]]);
  }
  assert.deepEqual(tensor(new BigInt64Array([-3n, 2147483647n])).toArray(), [-3, 2147483647]);
  assert.deepEqual(tensor(new BigUint64Array([5n])).toArray(), [5]);
  assert.equal(tensor(new Uint8Array([1, 2]), { dtype: 'float64' }).dtype, 'float64');
  assert.throws(
    () => tensor(new BigInt64Array([1n, 2n ** 31n])),
    /^Error: tensor: value 2147483648 at index 1 of the BigInt64Array does not fit in int32 \(integer data and class indices must lie in \[-2147483648, 2147483647\]\)$/,
  );
  assert.throws(() => tensor(new BigInt64Array([2n ** 63n - 1n])), /value 9223372036854775807 at index 0 of the BigInt64Array does not fit in int32/);
  assert.throws(() => tensor(new Uint32Array([4294967295])), /^Error: tensor: value 4294967295 at index 0 of the Uint32Array does not fit in int32/);
});

test('tensor: tensor-like objects are copied; data with the wrong length, bad strides and unknown kinds throw', () => {
  const data = new Float32Array([1, 2, 3, 4, 5, 6]);
  const t = tensor({ data, shape: [2, 3] });
  assert.notEqual(t.data, data);
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(tensor({ data: [1, 2, 3, 4], dims: [2, 2] }, { dtype: 'float64' }).toArray(), [[1, 2], [3, 4]]);
  // A strided view: the transpose of [[1, 2, 3], [4, 5, 6]], and a reversed column from an offset.
  assert.deepEqual(tensor({ data, shape: [3, 2], stride: [1, 3], offset: 0 }).toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(tensor({ data, shape: [2], stride: [-3], offset: 5 }).toArray(), [6, 3]);
  assert.throws(() => tensor({ data, shape: [4] }), /^Error: tensor: shape \[4\] needs 4 elements, got 6$/);
  assert.throws(
    () => tensor({ data, shape: [2, 3], stride: [3, 1], offset: 1 }),
    /^Error: tensor: shape \[2, 3\] with stride \[3, 1\] and offset 1 reads outside its data \(6 elements\)$/,
  );
  assert.throws(() => tensor({ data, shape: [2, 3], stride: [3] }), /^Error: tensor: stride must be an array of 2 integers \(one per dimension\), got an array$/);
  assert.throws(() => tensor({ data: 'abc', shape: [3] } as never), /^Error: tensor: data is the string 'abc', expected a typed array or an array of numbers$/);
  assert.throws(() => tensor({ data: [1, 'a'], shape: [2] } as never), /^Error: tensor: data element 1 is the string 'a', expected a number$/);
  assert.throws(() => tensor({ data: new Float32Array(2), dims: [2], type: 'float16' }), /^Error: tensor: a tensor of type 'float16' is not supported \(valid: float32, float64, int32, int64, uint64, int8, uint8, bool, int16, uint16, uint32; float16 data holds the bits of half floats, not numbers: convert it to float32 first\)$/);
  assert.throws(() => tensor({ data: new Uint16Array(2), dims: [2], type: 'float32' }), /^Error: tensor: a tensor of type 'float32' must hold a Float32Array, got a Uint16Array$/);
  assert.throws(() => tensor({ data: new Float32Array(2), dims: [2], type: 'float32', location: 'gpu-buffer' }), /^Error: tensor: the tensor's data is on 'gpu-buffer', not on the CPU; download it first \(await tensor.getData\(\)\)$/);
  assert.throws(() => tensor({ dataSync: () => new Float32Array(1), shape: [1], isDisposed: true }), /^Error: tensor: the tf.Tensor is disposed$/);
  assert.throws(() => tensor({ dataSync: () => new Float32Array(2), shape: [1], dtype: 'complex64' }), /^Error: tensor: a tf.Tensor of dtype the string 'complex64' is not supported \(valid: float32, int32, bool\)$/);
  assert.throws(() => tensor(new Map() as never), /^Error: tensor: got a Map, expected a number, nested arrays of numbers, a typed array, a Tensor or a tensor-like object \(\{ data, shape \}, \{ data, dims \}, an ndarray, a tf.Tensor\)$/);
  assert.throws(() => tensor([1n, 2n] as never), /^Error: tensor: element at \[0\] is the bigint 1n, expected a number or an array$/);
  const Float16 = (globalThis as { Float16Array?: new (n: number) => Uint16Array }).Float16Array;
  if (Float16) assert.throws(() => tensor(new Float16(2)), /^Error: tensor: Float16Array data is not supported \(use a Float32Array, Float64Array or Int32Array; integer arrays such as Uint8Array or BigInt64Array are read as int32\)$/);
});

test('asTensor: a Proxy of a typed array is refused naming function and argument, in arguments and options', () => {
  const proxy = new Proxy(new Float32Array([1, 2, 3, 4]), {});
  const message = (where: string) => new RegExp(`^Error: ${where}: a Float32Array that is not a real typed array \\(a Proxy, or an object inheriting from one\\): pass the typed array itself$`);
  assert.throws(() => crossEntropy(proxy as never, [0]), message('crossEntropy: input'));
  assert.throws(() => mseLoss.withGrad([1, 2, 3, 4], [0, 0, 0, 0], { reduction: 'none', gradOutput: proxy as never }), message('mseLoss: gradOutput'));
  assert.throws(() => mseLoss([1, 2, 3, 4], [0, 0, 0, 0], { weight: proxy as never }), message('mseLoss: weight'));
  assert.throws(() => softmax(Object.create(Float64Array.prototype)), /^Error: softmax: input: a Float64Array that is not a real typed array/);
});
