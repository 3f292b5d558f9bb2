import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { categoricalFocalCrossEntropy, softmax, Tensor } from '../index.js';

goldenTests('categoricalFocalCrossEntropy', categoricalFocalCrossEntropy);

test('categoricalFocalCrossEntropy: analytic gradients match finite differences (float64), both arguments', () => {
  const logits = uniform([2, 3, 4], -2, 2, 91);
  const probs = uniform([2, 3, 4], 0.05, 1, 92);
  const y = softmax(uniform([2, 3, 4], -2, 2, 93), { dim: 1 });
  const grid = [
    {},
    { fromLogits: true, reduction: 'none' },
    { fromLogits: true, gamma: 0.5, alpha: new Tensor(Float64Array.of(0.2, 0.5, 1, 2), [4]), labelSmoothing: 0.2 },
    { gamma: 1.5, axis: 1, reduction: 'sum' },
    { gamma: 0, alpha: 1, fromLogits: true, axis: 0 },
  ];
  for (const options of grid) {
    const x = 'fromLogits' in options ? logits : probs;
    assert.equal(checkFiniteDifferences(categoricalFocalCrossEntropy, [x, y], options, 'categoricalFocalCrossEntropy'), 48);
  }
});

test('categoricalFocalCrossEntropy: gamma 0 and alpha 1 is the cross-entropy; confident rows are down-weighted', () => {
  const ce = categoricalFocalCrossEntropy(Float64Array.of(0.2, 0.5, 0.3), Float64Array.of(0, 1, 0), { gamma: 0, alpha: 1 }).item();
  assert.ok(Math.abs(ce + Math.log(0.5)) < 1e-15);
  const easy = categoricalFocalCrossEntropy([0.05, 0.9, 0.05], [0, 1, 0], { gamma: 2, alpha: 1 }).item();
  assert.ok(Math.abs(easy / (0.01 * -Math.log(0.9)) - 1) < 1e-6);
});

test('categoricalFocalCrossEntropy: the clip saturates confident wrong logits, as Keras (zero gradient)', () => {
  const { loss, grad } = categoricalFocalCrossEntropy.withGrad(Float64Array.of(0, 1000), Float64Array.of(1, 0), { fromLogits: true, gamma: 0, alpha: 1 });
  assert.ok(Math.abs(loss.item() + Math.log(1e-7)) < 1e-12);
  assert.deepEqual([...grad!.data], [0, 0]);
});

test('categoricalFocalCrossEntropy: the classes of target 0 (no log taken) give exactly what the full form gives', () => {
  // Differentiating the target too takes the full form at every class (the target's gradient needs
  // log o there): the input's loss and gradient must be the same bits, signs of zero included.
  const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
  const same = (a: ArrayLike<number>, b: ArrayLike<number>, label: string) =>
    Array.from(a).forEach((v, i) => assert.ok(Object.is(v, b[i]), `${label}[${i}]: ${show(v)} vs ${show(b[i])}`));
  const rows = 37, C = 11;
  const oneHot = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) oneHot[r * C + ((r * 5) % C)] = 1;
  oneHot[3 * C + 2] = -0; // a negative zero target
  const logits = uniform([rows, C], -4, 4, 94);
  // rows far past the clip (o = 0 exactly, and o rounding to 1)
  for (let c = 0; c < C; c++) (logits.data as Float64Array)[5 * C + c] = c === 0 ? 200 : -200;
  const probs = softmax(uniform([rows, C], -3, 3, 95));
  // a row without a target, one class at 0.9: its gradient is all zeros, whose signs a negative gamma decides
  oneHot.fill(0, 7 * C, 8 * C);
  for (let c = 0; c < C; c++) (probs.data as Float64Array)[7 * C + c] = c === 4 ? 0.9 : 0.01;
  const y = new Tensor(oneHot, [rows, C]);
  const upstream = new Tensor(Float64Array.from({ length: rows }, (_, r) => (r % 3) - 1), [rows]);
  for (const [x, options] of [
    [probs, {}], [logits, { fromLogits: true }], [logits, { fromLogits: true, gamma: 0, alpha: 1, reduction: 'sum' }],
    [probs, { gamma: 3.5, alpha: new Tensor(Float64Array.from({ length: C }, (_, c) => c - 3), [C]) }],
    [logits, { fromLogits: true, axis: 0, gamma: 0.5 }], [probs, { reduction: 'none', gradOutput: upstream }], [probs, { gamma: -1.5 }], [logits, { fromLogits: true, gamma: -3 }],
  ] as const) {
    const label = JSON.stringify(options);
    const full = categoricalFocalCrossEntropy.withGrad(x, y, options as never);
    const skipping = categoricalFocalCrossEntropy.withGrad(x, y, { ...options, argnums: [0] } as never);
    same(skipping.loss.data, full.loss.data, `${label} loss`);
    same(skipping.grads[0]!.data, full.grads[0]!.data, `${label} grad`);
    const { gradOutput: _, ...forward } = options as { gradOutput?: unknown };
    same(categoricalFocalCrossEntropy(x, y, forward as never).data, full.loss.data, `${label} forward`);
  }
  // An infinite alpha at a class of target 0 is NaN there (∞ · 0), as Keras: the full form.
  const alpha = new Tensor(Float64Array.of(1, Infinity, 1), [3]);
  assert.ok(Number.isNaN(categoricalFocalCrossEntropy([0.2, 0.5, 0.3], [1, 0, 0], { alpha }).item()));
  assert.ok(Number.isNaN(categoricalFocalCrossEntropy([NaN, 0.5, 0.3], [0, 1, 0]).item()));
});

test('categoricalFocalCrossEntropy: bad input', () => {
  const f = categoricalFocalCrossEntropy;
  assert.throws(() => f([0.5, 0.5], [1, 0], { labelSmoothing: 1.5 }), /^Error: categoricalFocalCrossEntropy: labelSmoothing must be in \[0, 1\], got 1.5$/);
  assert.throws(() => f([0.5, 0.5], [1, 0], { fromLogits: 1 as never }), /^Error: categoricalFocalCrossEntropy: fromLogits must be true or false, got 1$/);
  assert.throws(() => f([0.5, 0.5], [1, 0], { gamma: 'two' as never }), /categoricalFocalCrossEntropy: gamma must be a number, got two/);
  assert.throws(() => f([[0.5, 0.5]], [[1, 0]], { alpha: [1, 2, 3] }), /^Error: categoricalFocalCrossEntropy: alpha shape \[3\] cannot be broadcast to shape \[1, 2\]$/);
  assert.throws(() => f([[0.5, 0.5]], [[1, 0]], { axis: -3 }), /categoricalFocalCrossEntropy: axis must be an integer .* \(-2 to 1\), got -3/);
  assert.throws(() => f([0.5, 0.5], [[1, 0]]), /^Error: categoricalFocalCrossEntropy: target shape \[1, 2\] does not match input shape \[2\]$/);
  assert.throws(() => f([0.5, 0.5], [1, 0], { from_logits: true } as never), /unknown option 'from_logits' \(did you mean 'fromLogits'\?\)/);
});
