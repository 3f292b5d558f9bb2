import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { tensor, tripletMarginLoss, tripletMarginWithDistanceLoss, type DistanceFunction, type Tensor } from '../index.js';

/** The fixtures' user distance (scripts/generate_fixtures.py: squared_euclidean), with its gradient. */
const squaredEuclidean: DistanceFunction = {
  value(x, y) {
    const D = x.shape[x.shape.length - 1];
    const out = new Float64Array(x.size / D);
    for (let i = 0; i < x.size; i++) out[Math.floor(i / D)] += (x.data[i] - y.data[i]) ** 2;
    return tensor(out, { shape: x.shape.slice(0, -1) });
  },
  grad(x, y, u) {
    const D = x.shape[x.shape.length - 1];
    const gx = Float64Array.from(x.data, (v, i) => 2 * u.data[Math.floor(i / D)] * (v - y.data[i]));
    return [tensor(gx, { shape: x.shape }), tensor(gx.map((g) => -g), { shape: y.shape })];
  },
};

/** The loss with the fixtures' name of the user distance replaced by the function itself. */
type Call = (a: unknown, p: unknown, n: unknown, options?: Record<string, unknown>) => unknown;
const withUserDistance = (f: Call) => (a: unknown, p: unknown, n: unknown, options: Record<string, unknown> = {}) =>
  f(a, p, n, options.distance === 'squaredEuclidean' ? { ...options, distance: squaredEuclidean } : options);
const loss = Object.assign(withUserDistance(tripletMarginWithDistanceLoss as Call), {
  withGrad: withUserDistance(tripletMarginWithDistanceLoss.withGrad as Call),
});

goldenTests('tripletMarginWithDistanceLoss', tripletMarginWithDistanceLoss, { through: loss });

test('tripletMarginWithDistanceLoss: analytic gradients match finite differences (float64)', () => {
  const args = [uniform([3, 4], -1, 1, 161), uniform([3, 4], -1, 1, 162), uniform([3, 4], -1, 1, 163)];
  for (const distance of ['pairwise', 'cosine', squaredEuclidean] as const) {
    for (const options of [{ margin: 2 }, { margin: 2, swap: true }, { margin: 0.5, reduction: 'none' as const }]) {
      assert.ok(checkFiniteDifferences(tripletMarginWithDistanceLoss, args, { ...options, distance }, `tripletMarginWithDistanceLoss ${String(distance)}`) > 0);
    }
  }
});

test("tripletMarginWithDistanceLoss: the default distance is tripletMarginLoss's (p = 2)", () => {
  const args = [uniform([5, 3], -1, 1, 171), uniform([5, 3], -1, 1, 172), uniform([5, 3], -1, 1, 173)] as const;
  for (const swap of [false, true]) {
    const a = tripletMarginWithDistanceLoss.withGrad(...args, { swap, margin: 1.5 });
    const b = tripletMarginLoss.withGrad(...args, { swap, margin: 1.5 });
    assert.equal(a.loss.item(), b.loss.item());
    // the same terms, summed in another order: equal to the last bits
    a.grads.forEach((g, k) => g!.data.forEach((v, i) => assert.ok(Math.abs(v - b.grads[k]!.data[i]) <= 1e-15, `grads[${k}][${i}]`)));
  }
});

test('tripletMarginWithDistanceLoss: bad input', () => {
  const fn = tripletMarginWithDistanceLoss;
  const rows = [[1, 2]];
  assert.throws(() => fn(rows, rows, rows, { distance: 'euclid' as never }), /^Error: tripletMarginWithDistanceLoss: distance must be 'pairwise', 'cosine' or an object \{ value\(x, y\), grad\(x, y, upstream\) \}, got the string 'euclid'$/);
  assert.throws(() => fn(rows, rows, rows, { margin: 0 }), /^Error: tripletMarginWithDistanceLoss: margin must be greater than 0, got 0$/);
  assert.throws(() => fn(rows, rows, [[1]]), /tripletMarginWithDistanceLoss: negative shape \[1, 1\] does not match anchor shape \[1, 2\]/);
  const noGrad: DistanceFunction = { value: (x) => new Float64Array(x.shape[0]) };
  assert.equal(fn(rows, rows, rows, { distance: noGrad }).item(), 1);
  assert.throws(() => fn.withGrad(rows, rows, rows, { distance: noGrad }), /^Error: tripletMarginWithDistanceLoss: withGrad needs distance.grad\(x, y, upstream\), the distance's vector-Jacobian product; got undefined$/);
  const wrongShape: DistanceFunction = { value: (x: Tensor) => new Float64Array(x.size) };
  assert.throws(() => fn(rows, rows, rows, { distance: wrongShape }), /^Error: tripletMarginWithDistanceLoss: distance.value\(x, y\) must return the distances of the rows, shape \[1\], got shape \[2\]$/);
  const badGrad: DistanceFunction = { value: (x) => new Float64Array(x.shape[0]), grad: () => [[1], [2, 3]] };
  assert.throws(() => fn.withGrad(rows, rows, rows, { distance: badGrad }), /^Error: tripletMarginWithDistanceLoss: distance.grad\(x, y, upstream\)\[0\] must have the shape of its argument, \[1, 2\], got shape \[1\]$/);
  // flat results of the right sizes are read in the arguments' shapes
  const flat: DistanceFunction = { value: (x) => new Float64Array(x.shape[0]), grad: (x) => [new Float64Array(x.size), new Float64Array(x.size)] };
  assert.deepEqual(fn.withGrad(rows, rows, rows, { distance: flat }).grad!.shape, [1, 2]);
});
