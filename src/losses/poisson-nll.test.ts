import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { decode } from '../../test/support/fixtures.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { poissonNllLoss, tensor, type Tensor } from '../index.js';

// Documented departure: with `full`, PyTorch's target gradient at a target of exactly 0 is NaN
// (autograd multiplies the masked-out Stirling term's zero gradient by log 0). That term is
// identically 0 for targets <= 1, so losskit's target gradient there is the plain one, -input
// (logInput) or -log(input + eps), times the upstream gradient.
goldenTests('poissonNllLoss', poissonNllLoss, (c, args, k, expected) => {
  if (k !== 1 || c.options.full !== true) return expected;
  const [input, target] = args as Tensor[];
  const eps = (c.options.eps as number | undefined) ?? 1e-8;
  const g = c.gradOutput ? decode(c.gradOutput).data : [1];
  const upstream = (i: number) => (c.reduction === 'none' ? g[i] : c.reduction === 'mean' ? g[0] / input.size : g[0]);
  const plain = (x: number) => (c.options.logInput === false ? -Math.log(x + eps) : -x);
  const data = Float64Array.from(expected.data, (v, i) =>
    target.data[i] === 0 && Number.isNaN(v) ? plain(input.data[i]) * upstream(i) : v,
  );
  return tensor(c.dtype === 'float32' ? Float32Array.from(data) : data, { shape: expected.shape });
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
