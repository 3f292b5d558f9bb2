import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { integers, uniform } from '../../test/support/random.js';
import { compensatedSum } from '../core/reduction.js';
import { crossEntropy, logSoftmax, nllLoss, Tensor } from '../index.js';

goldenTests('nllLoss', nllLoss);

test('nllLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([2, 4, 3], -3, 0, 240);
  const t = integers([2, 3], 4, 241);
  for (const options of [{}, { weight: uniform([4], 0.2, 2, 242), reduction: 'none' }]) {
    assert.ok(checkFiniteDifferences(nllLoss, [x, t], options, 'nllLoss') > 0);
  }
});

test('nllLoss of logSoftmax is crossEntropy', () => {
  const x = uniform([5, 4], -3, 3, 243);
  const t = integers([5], 4, 244);
  const w = uniform([4], 0.5, 2, 245);
  const a = nllLoss(logSoftmax(x, { dim: 1 }), t, { weight: w }).item();
  const b = crossEntropy(x, t, { weight: w }).item();
  assert.ok(Math.abs(a - b) < 1e-14, `${a} vs ${b}`);
});

test('nllLoss: bad input', () => {
  assert.throws(() => nllLoss([[-1, -2]], [2]), /^Error: nllLoss: target 2 is out of range for 2 classes \(at index 0\)$/);
  assert.throws(() => nllLoss([[-1, -2]], [[0, 1]]), /nllLoss: target shape \[1, 2\] does not match the input: expected class indices of shape \[1\]$/);
});

test('nllLoss: a bad target anywhere throws before gradInto is written, in every layout', () => {
  const x = uniform([2, 3, 4], -3, 0, 246);
  for (const [bad, message] of [[3, /target 3 is out of range for 3 classes \(at index 6\)/], [0.5, /target 0.5 at index 6 is not an integer/]] as const) {
    const t = new Tensor(Float64Array.from([0, 1, 2, 0, 1, 2, bad, 0]), [2, 4]);
    const into = new Float64Array(24).fill(7);
    assert.throws(() => nllLoss.withGrad(x, t, { gradInto: into }), message);
    assert.ok(into.every((v) => v === 7));
  }
});

test('nllLoss: every forward loop (rows, strided, weighted, none) checks targets the same way and sums the same bits', () => {
  for (const shape of [[6, 5], [2, 5, 3]]) {
    const x = uniform(shape, -30, 0, 251);
    const itemShape = shape.filter((_, d) => d !== 1);
    const t = integers(itemShape, 5, 252);
    t.data[1] = -100;
    const ones = new Tensor(new Float64Array(5).fill(1), [5]);
    const plain = nllLoss(x, t, { reduction: 'sum' }).item();
    assert.equal(nllLoss(x, t, { reduction: 'sum', weight: ones }).item(), plain);
    assert.equal(compensatedSum(nllLoss(x, t, { reduction: 'none' }).data), plain);
    assert.equal(nllLoss(x, t).item(), plain / (t.size - 1));
    for (const options of [{}, { weight: ones }, { reduction: 'none' as const }]) {
      for (const bad of [-1, 5, NaN, Infinity, -Infinity, 0.5, 2 ** 31, 2 ** 32, -(2 ** 31), 1e300]) {
        const u = new Tensor(Float64Array.from(t.data), t.shape);
        u.data[3] = bad;
        assert.throws(() => nllLoss(x, u, options), new RegExp(`^Error: nllLoss: target ${String(bad).replace('+', '\\+')} (is out of range for 5 classes \\(at index 3\\)|at index 3 is not an integer class index)$`), `${shape} ${JSON.stringify(options)} ${bad}`);
      }
      const negativeZero = new Tensor(Float64Array.from(t.data), t.shape);
      negativeZero.data[3] = -0;
      const zero = new Tensor(Float64Array.from(t.data), t.shape);
      zero.data[3] = 0;
      assert.deepEqual(nllLoss(x, negativeZero, options).data, nllLoss(x, zero, options).data);
    }
  }
});

test("nllLoss: 'sum' and 'mean' are the compensated sum of the 'none' losses, ignored and weighted items included", () => {
  const x = uniform([3, 5, 7], -30, 0, 247);
  const t = integers([3, 7], 5, 248);
  t.data[4] = -100;
  const weight = uniform([5], 0.2, 2, 249);
  const items = nllLoss(x, t, { weight, reduction: 'none' }).data;
  let weights = 0;
  t.data.forEach((c) => (weights += c === -100 ? 0 : weight.data[c]));
  assert.equal(nllLoss(x, t, { weight, reduction: 'sum' }).item(), compensatedSum(items));
  assert.equal(nllLoss(x, t, { weight }).item(), compensatedSum(items) / weights);
});

test('nllLoss: more items than a forward loop takes per call (chunks starting mid-block), every path, sums as one pass', () => {
  // [3, 5, 1000]: 3000 items in blocks of 1000; the forward loops take 2048 items a call, so the
  // second call starts 48 items into the third block. Targets ignored here and there, one class weighted.
  const x = uniform([3, 5, 1000], -4, 0, 250);
  const t = integers([3, 1000], 5, 251);
  for (const i of [5, 2047, 2048, 2999]) t.data[i] = -100;
  const picked = (i: number) => {
    const [n, s] = [Math.floor(i / 1000), i % 1000];
    return x.data[n * 5000 + t.data[i] * 1000 + s];
  };
  const kept = [...t.data.keys()].filter((i) => t.data[i] !== -100);
  const none = nllLoss(x, t, { reduction: 'none' });
  assert.deepEqual([...none.data], [...t.data].map((c, i) => (c === -100 ? 0 : -picked(i))));
  assert.equal(nllLoss(x, t, { reduction: 'sum' }).item(), compensatedSum(kept.map((i) => -picked(i))));
  assert.equal(nllLoss(x, t).item(), compensatedSum(kept.map((i) => -picked(i))) / kept.length);
  const weight = [1, 1, 2, 1, 1];
  const weighted = compensatedSum(kept.map((i) => -weight[t.data[i]] * picked(i))) / compensatedSum(kept.map((i) => weight[t.data[i]]));
  assert.ok(Math.abs(nllLoss(x, t, { weight }).item() - weighted) <= 4 * Number.EPSILON * Math.abs(weighted));
  // A bad target in a later chunk is named by its own index.
  const bad = new Tensor(Float64Array.from(t.data), t.shape);
  bad.data[2500] = 7;
  for (const options of [{}, { reduction: 'none' as const }]) {
    assert.throws(() => nllLoss(x, bad, options), /^Error: nllLoss: target 7 is out of range for 5 classes \(at index 2500\)$/);
  }
});
