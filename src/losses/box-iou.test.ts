// The three box-IoU losses share src/core/box-iou.ts: one test file runs each against torchvision.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { completeBoxIouLoss, distanceBoxIouLoss, generalizedBoxIouLoss, tensor, type Tensor } from '../index.js';

const LOSSES = { generalizedBoxIouLoss, distanceBoxIouLoss, completeBoxIouLoss };

/** Boxes with x1 < x2, y1 < y2 and no ties between the two sets (where max/min are not smooth). */
function boxes(seed: number, n: number): Tensor {
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const data = new Float64Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = 10 * next();
    const y = 10 * next();
    data.set([x, y, x + 1 + 4 * next(), y + 1 + 4 * next()], 4 * i);
  }
  return tensor(data, { shape: [n, 4] });
}

/**
 * The aspect-ratio weight α and term v of the complete IoU loss per box pair, written out here
 * independently: `v = (4/π²)(atan(w₂/h₂) − atan(w₁/h₁))²`, `α = v / (1 − iou + v + eps)`.
 */
function aspect(b1: Tensor, b2: Tensor, eps: number): { alpha: number[]; v: number[] } {
  const alpha: number[] = [];
  const v: number[] = [];
  for (let n = 0; n < b1.size / 4; n++) {
    const [x1, y1, x2, y2] = b1.data.subarray(4 * n, 4 * n + 4);
    const [X1, Y1, X2, Y2] = b2.data.subarray(4 * n, 4 * n + 4);
    const iw = Math.max(0, Math.min(x2, X2) - Math.max(x1, X1));
    const ih = Math.max(0, Math.min(y2, Y2) - Math.max(y1, Y1));
    const inter = iw * ih;
    const iou = inter / ((x2 - x1) * (y2 - y1) + (X2 - X1) * (Y2 - Y1) - inter + 1e-7);
    const value = (4 / Math.PI ** 2) * (Math.atan((X2 - X1) / (Y2 - Y1)) - Math.atan((x2 - x1) / (y2 - y1))) ** 2;
    v.push(value);
    alpha.push(value / (1 - iou + value + eps));
  }
  return { alpha, v };
}

/** completeBoxIouLoss with α frozen at its value on (b1, b2): loss − α(x) v(x) + α(b1, b2) v(x). */
function frozenAlpha(b1: Tensor, b2: Tensor): unknown {
  const value = (x1: Tensor, x2: Tensor, options: { reduction?: 'none' | 'sum' | 'mean'; eps?: number }) => {
    const eps = options.eps ?? 1e-7;
    const fixed = aspect(b1, b2, eps).alpha;
    const { alpha, v } = aspect(x1, x2, eps);
    const full = completeBoxIouLoss(x1, x2, { ...options, reduction: 'none' });
    const per = Float64Array.from(full.data, (l, n) => l - alpha[n] * v[n] + fixed[n] * v[n]);
    if (options.reduction === 'none') return tensor(per);
    const sum = per.reduce((a, b) => a + b, 0);
    return tensor(Float64Array.of(options.reduction === 'sum' ? sum : sum / per.length), { shape: [] });
  };
  return Object.assign(value, { withGrad: completeBoxIouLoss.withGrad });
}

for (const [name, loss] of Object.entries(LOSSES)) {
  goldenTests(name, loss);

  test(`${name}: analytic gradients match finite differences (float64)`, () => {
    const b1 = boxes(3, 6);
    const b2 = boxes(7, 6);
    // torchvision's complete IoU loss computes its α under no_grad: its gradient is that of the
    // loss with α held at its value, so the differences are taken of that function.
    const checked = name === 'completeBoxIouLoss' ? frozenAlpha(b1, b2) : loss;
    for (const options of [{}, { reduction: 'none' }, { reduction: 'sum', eps: 1e-3 }]) {
      assert.equal(checkFiniteDifferences(checked, [b1, b2], options, name), 48);
    }
  });

  test(`${name}: symmetric in its two arguments, 0 over zero boxes, inputs not mutated`, () => {
    const b1 = boxes(11, 4);
    const b2 = boxes(13, 4);
    const copy = Float64Array.from(b1.data);
    assert.deepEqual([...loss(b1, b2, { reduction: 'none' }).data], [...loss(b2, b1, { reduction: 'none' }).data]);
    assert.deepEqual([...b1.data], [...copy]);
    for (const reduction of ['mean', 'sum'] as const) {
      const { loss: value, grads } = loss.withGrad(tensor([], { shape: [0, 4] }), tensor([], { shape: [0, 4] }), { reduction });
      assert.equal(value.item(), 0);
      assert.deepEqual(grads.map((g) => g!.shape), [[0, 4], [0, 4]]);
    }
  });

  test(`${name}: float32 gradients are the float64 ones rounded once, written into gradInto; argnums [0] leaves boxes2's out`, () => {
    const [b1, b2] = [boxes(17, 5), boxes(19, 5)].map((b) => tensor(Float32Array.from(b.data), { shape: b.shape }));
    const wide = loss.withGrad(tensor(Float64Array.from(b1.data), { shape: b1.shape }), tensor(Float64Array.from(b2.data), { shape: b2.shape }));
    const into = new Float32Array(20);
    const { grads } = loss.withGrad(b1, b2, { argnums: [0], gradInto: into });
    assert.equal(grads[0]!.data, into);
    assert.deepEqual([...into], [...Float32Array.from(wide.grads[0]!.data)]);
    assert.equal(grads[1], null);
    const both = loss.withGrad(b1, b2);
    assert.deepEqual(both.grads.map((g) => [g!.dtype, [...g!.data]]), wide.grads.map((g) => ['float32', [...Float32Array.from(g!.data)]]));
  });

  test(`${name}: bad input`, () => {
    assert.throws(() => loss([[0, 0, 1]], [[0, 0, 1]]), new RegExp(`^Error: ${name}: boxes1 must be \\[N, 4\\] or \\[4\\] boxes \\(x1, y1, x2, y2\\), got shape \\[1, 3\\]$`));
    assert.throws(() => loss([[0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 1, 1]]), new RegExp(`^Error: ${name}: boxes2 shape \\[2, 4\\] does not match boxes1 shape \\[1, 4\\]`));
    assert.throws(() => loss([0, 0, 1, 1], [0, 0, 1, 1], { reduction: 'batchmean' as never }), new RegExp(`^Error: ${name}: reduction 'batchmean' is not valid \\(valid: 'none', 'mean', 'sum'\\)$`));
    assert.throws(() => loss([0, 0, 1, 1], [0, 0, 1, 1], { eps: 'small' } as never), new RegExp(`^Error: ${name}: eps`));
  });
}
