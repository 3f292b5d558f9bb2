import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closeTo } from '../../test/support/close.js';
import { decodeNumber, loadFixture } from '../../test/support/fixtures.js';
import { logLoss, tensor, type Label, type LogLossOptions } from '../index.js';

interface LogLossCase {
  yTrue: Label[];
  yPred: { dtype: string; shape: number[]; data: number[] };
  options: LogLossOptions;
  expected: number | string;
}

describe('logLoss matches scikit-learn (golden fixtures)', () => {
  const fixture = loadFixture<LogLossCase>('log-loss.json');
  test(`scikit-learn ${fixture.references['scikit-learn']}: ${fixture.cases.length} cases`, () => {
    fixture.cases.forEach((c, i) => {
      const pred =
        c.yPred.dtype === 'float32'
          ? tensor(Float32Array.from(c.yPred.data), { shape: c.yPred.shape })
          : tensor(Float64Array.from(c.yPred.data), { shape: c.yPred.shape });
      const expected = decodeNumber(c.expected);
      const actual = logLoss(c.yTrue, pred, c.options);
      const rtol = c.yPred.dtype === 'float32' ? 2e-5 : 1e-12;
      assert.ok(closeTo(actual, expected, rtol, 0), `case ${i}: ${actual}, expected ${expected}`);
    });
  });
  // numpy's summation order is reproduced, so the only differences left are the last-bit
  // differences between V8's Math.log and the C library's log: a few ulps at most.
  test('float64 without weights: within 4 ulps (numpy pairwise sums)', () => {
    fixture.cases
      .filter((c) => c.yPred.dtype === 'float64' && c.options.sampleWeight === undefined)
      .forEach((c, i) => {
        const actual = logLoss(c.yTrue, tensor(Float64Array.from(c.yPred.data), { shape: c.yPred.shape }), c.options);
        const expected = decodeNumber(c.expected);
        assert.ok(closeTo(actual, expected, 4 * Number.EPSILON, 0), `case ${i}: ${actual}, expected ${expected}`);
      });
  });
});

test('logLoss: plain arrays are float64, as numpy', () => {
  assert.equal(String(logLoss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])), '0.19763488164214868');
});

test('logLoss: bad input', () => {
  assert.throws(() => logLoss([0, 1], [0.5, 1.5]), /^Error: logLoss: yPred contains values greater than 1: 1.5 \(at index 1\)$/);
  assert.throws(() => logLoss([0, 1], [-0.5, 0.5]), /logLoss: yPred contains values lower than 0: -0.5/);
  assert.throws(() => logLoss([1, 1], [0.5, 0.5]), /logLoss: yTrue contains only one label \(1\); pass all expected class labels with the labels option/);
  assert.throws(() => logLoss([0, 1, 2], [0.5, 0.5, 0.5]), /logLoss: yTrue has 3 classes but yPred has 2 columns/);
  assert.throws(() => logLoss([0, 3], [0.5, 0.5], { labels: [0, 1] }), /logLoss: yTrue contains labels 3 not in labels \[0, 1\]/);
  assert.throws(() => logLoss([0, 1], [0.5, 0.5, 0.5]), /logLoss: yTrue has 2 labels but yPred has 3 rows/);
  assert.throws(() => logLoss([0, 1], [0.5, 0.5], { sampleWeight: [1] }), /logLoss: sampleWeight has 1 elements but yPred has 2 rows/);
});
