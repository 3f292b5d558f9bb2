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
