import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFiniteDifferences } from '../../test/support/finite-difference.js';
import { goldenTests } from '../../test/support/golden.js';
import { uniform } from '../../test/support/random.js';
import { klDiv, logSoftmax, softmax } from '../index.js';

goldenTests('klDiv', klDiv);

test('klDiv: analytic gradients match finite differences (float64)', () => {
  const x = logSoftmax(uniform([3, 4], -2, 2, 61));
  const y = softmax(uniform([3, 4], -2, 2, 62));
  for (const options of [{}, { reduction: 'batchmean' }, { logTarget: true, reduction: 'none' }]) {
    const target = options.logTarget ? logSoftmax(y) : y;
    assert.ok(checkFiniteDifferences(klDiv, [x, target], options, 'klDiv') > 0);
  }
});

test("klDiv: 'batchmean' divides by the batch size, 'mean' by the element count", () => {
  const x = logSoftmax(uniform([2, 5], -2, 2, 63));
  const y = softmax(uniform([2, 5], -2, 2, 64));
  const sum = klDiv(x, y, { reduction: 'sum' }).item();
  assert.equal(klDiv(x, y, { reduction: 'batchmean' }).item(), sum / 2);
  assert.ok(Math.abs(klDiv(x, y).item() - sum / 10) < 1e-16);
});

test('klDiv: a zero target contributes 0 (0 log 0 = 0)', () => {
  assert.equal(klDiv([-1, -2], [0, 0], { reduction: 'sum' }).item(), 0);
});

test('klDiv: bad input', () => {
  assert.throws(() => klDiv([1], [1], { reduction: 'batchMean' as never }), /klDiv: reduction 'batchMean' is not valid \(valid: 'none', 'batchmean', 'sum', 'mean'\)/);
});
