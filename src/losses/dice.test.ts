import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { diceLoss, Tensor } from '../index.js';

goldenTests('diceLoss', diceLoss);

test('diceLoss: analytic gradients match finite differences (float64), both arguments', () => {
  const x = uniform([2, 3, 4], 0, 1, 31);
  const y = uniform([2, 3, 4], 0, 1, 32);
  for (const options of [{}, { axis: [1, 2], reduction: 'none' }, { axis: -1, reduction: 'sum' }, { axis: 0 }]) {
    assert.equal(checkFiniteDifferences(diceLoss, [x, y], options, 'diceLoss'), 48);
  }
});

test('diceLoss: a perfect prediction gives (almost) 0; disjoint masks give 1', () => {
  assert.ok(Math.abs(diceLoss([1, 0, 1], [1, 0, 1]).item()) < 1e-7);
  assert.equal(diceLoss([1, 0, 0], [0, 1, 0]).item(), 1);
  assert.equal(diceLoss([0, 0], [0, 0]).item(), 1); // 1 − 0 / 1e-7
});

test('diceLoss: without axis the per-sample loss is 0-d, with axis one per remaining index', () => {
  assert.deepEqual(diceLoss([[1, 0], [0, 1]], [[1, 1], [0, 1]], { reduction: 'none' }).shape, []);
  assert.deepEqual(diceLoss(uniform([2, 3, 4], 0, 1, 1), uniform([2, 3, 4], 0, 1, 2), { axis: [0, 2], reduction: 'none' }).shape, [3]);
});

test('diceLoss: bad input', () => {
  assert.throws(() => diceLoss([1, 0], [1, 0, 1]), /^Error: diceLoss: target shape \[3\] does not match input shape \[2\]$/);
  assert.throws(() => diceLoss([[1, 0]], [[1, 0]], { axis: 2 }), /^Error: diceLoss: axis must be an integer in the range of a tensor of 2 dimensions \(-2 to 1\), got 2$/);
  assert.throws(() => diceLoss([[1, 0]], [[1, 0]], { axis: [1, -1] }), /^Error: diceLoss: axis lists dimension 1 twice/);
  assert.throws(() => diceLoss([[1, 0]], [[1, 0]], { axis: '1' as never }), /diceLoss: axis must be an integer .* got the string '1'/);
  assert.throws(() => diceLoss([1], [1], { reduction: 'batchmean' as never }), /diceLoss: reduction 'batchmean' is not valid \(valid: 'none', 'mean', 'sum'\)/);
});

test('diceLoss: groups of consecutive elements (trailing axes, no index map) agree with the index-mapped groups of the same data', () => {
  // x [2, 3, 4] over axes [1, 2] takes the consecutive blocks; the same data laid out [3, 4, 2]
  // (dimension 0 moved last) over axes [0, 1] takes the index map, summing each group in the same order.
  for (const dtype of ['float32', 'float64'] as const) {
    const make = (seed: number) => {
      const wide = uniform([2, 3, 4], 0, 1, seed);
      return dtype === 'float32' ? new Tensor(Float32Array.from(wide.data), wide.shape) : wide;
    };
    const [x, y] = [make(41), make(42)];
    const moveFirstLast = (t: typeof x) => {
      const out = new (t.data.constructor as Float64ArrayConstructor)(24);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 12; j++) out[j * 2 + i] = t.data[i * 12 + j];
      return new Tensor(out, [3, 4, 2]);
    };
    const blocks = diceLoss.withGrad(x, y, { axis: [1, 2], reduction: 'none', argnums: [0, 1] });
    const mapped = diceLoss.withGrad(moveFirstLast(x), moveFirstLast(y), { axis: [0, 1], reduction: 'none', argnums: [0, 1] });
    assert.deepEqual([...blocks.loss.data], [...mapped.loss.data]);
    assert.equal(blocks.grads[0]!.dtype, dtype);
    for (const k of [0, 1]) assert.deepEqual([...moveFirstLast(blocks.grads[k]!).data], [...mapped.grads[k]!.data]);
  }
  // Groups of no elements: each loss is 1 − 0 / 1e-7.
  assert.deepEqual([...diceLoss(new Tensor(new Float32Array(0), [2, 0]), new Tensor(new Float32Array(0), [2, 0]), { axis: 1, reduction: 'none' }).data], [1, 1]);
});
