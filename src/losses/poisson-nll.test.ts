import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { decode } from '../../test/support/fixtures.js';
import { poissonFullTargetGradient } from '../../test/support/departures.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { poissonNllLoss, tensor, type Tensor } from '../index.js';

// Documented departure (test/support/departures.ts): with `full`, PyTorch's target gradient at a
// target of exactly 0 is NaN; losskit's is the plain gradient.
goldenTests('poissonNllLoss', poissonNllLoss, (c, args, k, expected) => {
  if (k !== 1) return expected;
  const [input, target] = args as Tensor[];
  return poissonFullTargetGradient({ ...c.options, reduction: c.reduction }, input, target, c.gradOutput ? decode(c.gradOutput) : null, expected);
});

// Targets avoid exactly 1, where the Stirling term switches on and the loss jumps.
test('poissonNllLoss: analytic gradients match finite differences (float64)', () => {
  const x = uniform([3, 4], 0.1, 3, 71);
  const counts = tensor(Float64Array.from({ length: 12 }, (_, i) => [0, 0.5, 2, 5, 9, 3][i % 6]), { shape: [3, 4] });
  for (const options of [{}, { full: true }, { logInput: false }, { logInput: false, full: true, eps: 1e-3 }]) {
    assert.ok(checkFiniteDifferences(poissonNllLoss, [x, counts], options, 'poissonNllLoss') > 0);
  }
});

test('poissonNllLoss: bad input', () => {
  assert.throws(() => poissonNllLoss([1], [1], { logInput: 'yes' as never }), /^Error: poissonNllLoss: logInput must be true or false, got yes$/);
});
