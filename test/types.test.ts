// Type-level tests: this file is compiled by `tsc -p tsconfig.test.json` (part of `npm test`), so
// every `Equal` that does not hold and every `@ts-expect-error` that has no error fails the build.
// The runtime assertions check that the types tell the truth about the values (and that what the
// types refuse throws).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as L from '../src/index.js';
import type { FloatDType, LossWithGrad, Reduction, Scalar, Tensor, TypedArray } from '../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const check = <T extends true>(value?: T): T | undefined => value;

const f32 = new Float32Array([0.2, 0.7, 0.1, 0.9]);
const f64 = new Float64Array([0.2, 0.7, 0.1, 0.9]);
const labels = [1, 0, 1, 0];

test('types: tensor() and Tensor<D> type data by dtype; plain Tensor keeps the union', () => {
  const a = L.tensor([[1, 2], [3, 4]]);
  check<Equal<typeof a, Tensor<'float32'>>>();
  check<Equal<typeof a.data, Float32Array>>();
  const b = L.tensor(f64);
  check<Equal<typeof b.data, Float64Array>>();
  const c = L.tensor([1, 2], { dtype: 'int32' });
  check<Equal<typeof c.data, Int32Array>>();
  const d = L.tensor(new BigInt64Array([1n]));
  check<Equal<typeof d.dtype, 'int32'>>();
  const e = new L.Tensor(new Float64Array(2), [2]);
  check<Equal<typeof e, Tensor>>(); // the constructor cannot infer D through DataTypes[D]
  const f: Tensor<'float64'> = new L.Tensor<'float64'>(new Float64Array(2), [2]);
  check<Equal<typeof f.data, Float64Array>>();
  check<Equal<Tensor['data'], TypedArray>>();
  const typeOnly = () => {
    // @ts-expect-error a Float32Array is not the data of a float64 tensor (at run time it is a float32 tensor)
    new L.Tensor<'float64'>(new Float32Array(2), [2]);
  };
  assert.equal(typeof typeOnly, 'function');
  assert.throws(() =>
    // @ts-expect-error unknown dtype
    L.tensor([1], { dtype: 'float16' }),
  );
  assert.throws(() =>
    // @ts-expect-error unknown option
    L.tensor([1], { dtyp: 'float64' }),
  );
  assert.ok(a.data instanceof Float32Array && b.data instanceof Float64Array && c.data instanceof Int32Array);
  assert.equal(d.dtype, 'int32');
});

test('types: losses return Tensor<float dtype of the call>; withGrad().grad is non-null by default', () => {
  const l32 = L.mseLoss(f32, labels);
  check<Equal<typeof l32, Scalar<'float32'>>>();
  const l64 = L.mseLoss(f64, labels, { reduction: 'none' });
  check<Equal<typeof l64, Tensor<'float64'>>>();
  // Plain arrays take the dtype of a typed argument, as at run time.
  const plain64 = L.mseLoss([0.2, 0.7, 0.1, 0.9], f64);
  check<Equal<typeof plain64.data, Float64Array>>();
  const plain32 = L.mseLoss([0.2, 0.7, 0.1, 0.9], labels);
  check<Equal<typeof plain32.data, Float32Array>>();
  assert.ok(l32.data instanceof Float32Array && l64.data instanceof Float64Array);
  assert.ok(plain64.data instanceof Float64Array && plain32.data instanceof Float32Array);

  const r = L.crossEntropy.withGrad(new L.Tensor<'float32'>(f32, [2, 2]), [1, 0]);
  check<Equal<typeof r, LossWithGrad<'float32', Tensor<'float32'>, Scalar<'float32'>>>>();
  const step: Float32Array = r.grad.data; // no `grad!`, no cast
  assert.ok(step instanceof Float32Array);
  const withArgnums = L.binaryCrossEntropyWithLogits.withGrad(f64, labels, { argnums: [0] });
  check<Equal<typeof withArgnums.grad, Tensor<'float64'>>>();
  const targetOnly = L.mseLoss.withGrad(f32, f32, { argnums: [1] });
  check<Equal<typeof targetOnly.grad, Tensor<'float32'> | null>>();
  assert.equal(targetOnly.grad, null);
  const some: number[] = [0];
  const dynamic = L.mseLoss.withGrad(f32, f32, { argnums: some });
  check<Equal<typeof dynamic.grad, Tensor<'float32'> | null>>();
  // int32 data: differentiated as float32.
  const int = L.l1Loss.withGrad(new Int32Array([1, 2]), [0, 0]);
  check<Equal<typeof int.grad, Tensor<'float32'>>>();
  assert.equal(int.grad.dtype, 'float32');
  // Where the types do not say (a TensorLike), the loss is a float tensor of either dtype.
  const unknown = ((): L.TensorLike => f64)();
  const u = L.mseLoss(unknown, labels, { reduction: 'none' });
  check<Equal<typeof u, Tensor<FloatDType>>>();
  const ctc = L.ctcLoss.withGrad(L.logSoftmax(L.tensor([[[0, 1, 2]], [[2, 1, 0]]], { dtype: 'float64' })), [[1]], [2], [1]);
  check<Equal<typeof ctc.grad, Tensor<'float64'>>>();
  assert.equal(ctc.grad.dtype, 'float64');
  assert.throws(() =>
    // @ts-expect-error a typo in an option name
    L.mseLoss(f32, f32, { reducton: 'sum' }),
  );
  assert.throws(() =>
    // @ts-expect-error an invalid reduction
    L.mseLoss(f32, f32, { reduction: 'avg' }),
  );
});

test('types: the reduction decides whether the loss is 0-d', () => {
  const mean = L.crossEntropy([[1, 2]], [0]);
  check<Equal<typeof mean.shape.length, 0>>();
  const sum = L.huberLoss.withGrad(f64, f64, { reduction: 'sum', delta: 2 }).loss;
  check<Equal<typeof sum, Scalar<'float64'>>>();
  const batchmean = L.klDiv(f32, f32, { reduction: 'batchmean' });
  check<Equal<typeof batchmean, Scalar<'float32'>>>();
  const none = L.crossEntropy([[1, 2]], [0], { reduction: 'none' });
  check<Equal<typeof none, Tensor<'float32'>>>();
  const chosen = ((): Reduction => 'none')();
  const either = L.l1Loss(f32, f32, { reduction: chosen });
  check<Equal<typeof either, Tensor<'float32'>>>();
  assert.deepEqual([mean.shape, sum.shape, batchmean.shape, none.shape, either.shape], [[], [], [], [1], [4]]);
  const weighted = L.mseLoss(f32, f32, { weight: f32 });
  check<Equal<typeof weighted, Scalar<'float32'>>>();
  assert.deepEqual(weighted.shape, []);
});

test('types: today\'s calls still compile (unions of losses, LossWithGrad without parameters, activations)', () => {
  const losses = [L.l1Loss, L.mseLoss, L.huberLoss];
  const results: LossWithGrad[] = losses.map((loss) => loss.withGrad(f32, f32, { reduction: 'sum' }));
  const old: Tensor | null = results[0].grad;
  assert.ok(old !== null);
  const s = L.softmax(f64);
  check<Equal<typeof s.data, Float64Array>>();
  const t = L.logSumExp([[1, 2]]);
  check<Equal<typeof t.data, Float32Array>>();
  // Tensor-likes of other libraries type-check as arguments.
  const duck = L.sigmoid({ data: f32, shape: [4] });
  const onnx = L.sigmoid({ data: new BigInt64Array(1), dims: [1], type: 'int64' });
  const tfLike = L.sigmoid({ dataSync: () => f32, shape: [4] });
  assert.equal(duck.size + onnx.size + tfLike.size, 9);
  assert.throws(() =>
    // @ts-expect-error a Map is not a tensor
    L.sigmoid(new Map()),
  );
});
