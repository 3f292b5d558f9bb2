// Property tests (fast-check) of the whole loss family.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { crossEntropy, nllLoss, logSoftmax, tensor, type Tensor } from '../src/index.js';
import { ALL_LOSSES } from './support/all-losses.js';
import { uniform } from './support/random.js';

const seed = fc.integer({ min: 1, max: 1_000_000 });
const batch = fc.integer({ min: 1, max: 6 });
const RUNS = { numRuns: 40 };

function near(a: number, b: number, rtol = 1e-12): boolean {
  return Math.abs(a - b) <= rtol * Math.max(1, Math.abs(a), Math.abs(b));
}

function sum(t: Tensor): number {
  let s = 0;
  for (const v of t.data) s += v;
  return s;
}

describe('properties of every loss', () => {
  for (const entry of ALL_LOSSES) {
    test(`${entry.name}: 'sum' equals the sum of 'none', 'mean' is 'sum' over the count`, () => {
      fc.assert(
        fc.property(batch, seed, (n, s) => {
          const args = entry.args(n, s);
          const none = entry.fn(...args, { ...entry.options, reduction: 'none' });
          const total = entry.fn(...args, { ...entry.options, reduction: 'sum' }).item();
          return near(total, sum(none));
        }),
        RUNS,
      );
    });

    test(`${entry.name}: inputs are never mutated (plain call and withGrad)`, () => {
      fc.assert(
        fc.property(batch, seed, (n, s) => {
          const args = entry.args(n, s);
          const copies = args.map((a) => Float64Array.from(a.data));
          entry.fn(...args, entry.options);
          entry.fn.withGrad(...args, { ...entry.options, reduction: 'none', gradOutput: uniform(entry.fn(...args, { ...entry.options, reduction: 'none' }).shape, -1, 1, s) });
          return args.every((a, k) => a.data.every((v, i) => Object.is(v, copies[k][i])));
        }),
        RUNS,
      );
    });

    test(`${entry.name}: argnums [k] returns the k-th gradient alone, as the full withGrad computes it`, () => {
      const args = entry.args(3, 5);
      const full = entry.fn.withGrad(...args, entry.options);
      args.forEach((_, k) => {
        const only = entry.fn.withGrad(...args, { ...entry.options, argnums: [k] });
        assert.equal(only.loss.item(), full.loss.item());
        only.grads.forEach((g, j) => {
          if (j !== k || full.grads[j] === null) assert.equal(g, null, `grads[${j}] with argnums [${k}]`);
          else assert.deepEqual(g!.data, full.grads[j]!.data);
        });
      });
    });

    test(`${entry.name}: the gradient is linear in gradOutput`, () => {
      fc.assert(
        fc.property(batch, seed, fc.double({ min: -4, max: 4, noNaN: true }), (n, s, g) => {
          const args = entry.args(n, s);
          const one = entry.fn.withGrad(...args, entry.options);
          const scaled = entry.fn.withGrad(...args, { ...entry.options, gradOutput: g });
          return one.grads.every((grad, k) => grad === null ? scaled.grads[k] === null : grad.data.every((v, i) => near(scaled.grads[k]!.data[i], g * v, 1e-12)));
        }),
        RUNS,
      );
    });

    if (entry.weightShape) {
      const shape = entry.weightShape;
      test(`${entry.name}: weights of ones equal no weights`, () => {
        fc.assert(
          fc.property(batch, seed, (n, s) => {
            const args = entry.args(n, s);
            const ones = tensor(new Float64Array(shape(n).reduce((a, d) => a * d, 1)).fill(1), { shape: shape(n) });
            const plain = entry.fn.withGrad(...args, entry.options);
            const weighted = entry.fn.withGrad(...args, { ...entry.options, weight: ones });
            return near(plain.loss.item(), weighted.loss.item()) && plain.grad!.data.every((v, i) => near(v, weighted.grad!.data[i]));
          }),
          RUNS,
        );
      });
    }
  }
});

describe('properties of cross-entropy', () => {
  test('adding a constant to a row of logits changes neither the loss nor its gradient', () => {
    fc.assert(
      fc.property(batch, seed, fc.double({ min: -1e3, max: 1e3, noNaN: true }), (n, s, shift) => {
        const x = uniform([n, 5], -3, 3, s);
        const target = tensor(Float64Array.from({ length: n }, (_, i) => (i * 3 + s) % 5));
        const shifted = tensor(x.data.map((v) => v + shift), { shape: x.shape });
        const a = crossEntropy.withGrad(x, target, { labelSmoothing: 0.1 });
        const b = crossEntropy.withGrad(shifted, target, { labelSmoothing: 0.1 });
        return near(a.loss.item(), b.loss.item(), 1e-9) && a.grad!.data.every((v, i) => Math.abs(v - b.grad!.data[i]) < 1e-9);
      }),
      RUNS,
    );
  });

  test('one-hot probability targets equal class-index targets (values and input gradients)', () => {
    fc.assert(
      fc.property(batch, seed, fc.constantFrom('none', 'sum', 'mean'), (n, s, reduction) => {
        const x = uniform([n, 4], -3, 3, s);
        const indices = Array.from({ length: n }, (_, i) => (i + s) % 4);
        const oneHot = indices.map((t) => [0, 1, 2, 3].map((c) => (c === t ? 1 : 0)));
        const options = { reduction: reduction as 'none' };
        const a = crossEntropy.withGrad(x, tensor(Float64Array.from(indices)), options);
        const b = crossEntropy.withGrad(x, tensor(oneHot, { dtype: 'float64' }), options);
        return a.loss.data.every((v, i) => near(v, b.loss.data[i])) && a.grad!.data.every((v, i) => near(v, b.grad!.data[i]));
      }),
      RUNS,
    );
  });

  test('crossEntropy equals nllLoss of logSoftmax for any K-dimensional layout', () => {
    fc.assert(
      fc.property(batch, seed, fc.integer({ min: 1, max: 3 }), (n, s, d) => {
        const x = uniform([n, 3, d], -3, 3, s);
        const t = tensor(Float64Array.from({ length: n * d }, (_, i) => (i + s) % 3), { shape: [n, d] });
        return near(crossEntropy(x, t).item(), nllLoss(logSoftmax(x, { dim: 1 }), t).item());
      }),
      RUNS,
    );
  });
});

test('every loss rejects an unknown option and an unknown reduction, naming itself', () => {
  for (const entry of ALL_LOSSES) {
    const args = entry.args(2, 1);
    const name = entry.name.split(' ')[0];
    assert.throws(() => entry.fn(...args, { ...entry.options, reducton: 'sum' }), new RegExp(`^Error: ${name}: unknown option 'reducton' \\(did you mean 'reduction'\\?\\)`));
    assert.throws(() => entry.fn(...args, { ...entry.options, reduction: 'avg' }), new RegExp(`^Error: ${name}: reduction 'avg' is not valid \\(valid: `));
    assert.throws(() => entry.fn(...args, 'sum'), new RegExp(`^Error: ${name}: options must be an object`));
  }
});
