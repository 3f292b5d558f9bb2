import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tensor, tensor } from '../index.js';

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
