import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkReduction, compensatedSum, Reducer } from './reduction.js';

test('checkReduction lists the valid values', () => {
  assert.equal(checkReduction('f', undefined, ['none', 'mean', 'sum'], 'mean'), 'mean');
  assert.throws(() => checkReduction('f', 'avg', ['none', 'mean', 'sum'], 'mean'), /^Error: f: reduction 'avg' is not valid \(valid: 'none', 'mean', 'sum'\)$/);
});

test('compensatedSum is exact where a naive sum loses everything', () => {
  assert.equal(compensatedSum([1e16, 1, -1e16]), 1);
  assert.equal(compensatedSum([Infinity, 1]), Infinity);
  assert.ok(Number.isNaN(compensatedSum([Infinity, -Infinity])));
  assert.equal(compensatedSum([]), 0);
});

test('Reducer: upstream gradients for none, sum and mean', () => {
  const items = new Float64Array([1, 2, 3, 4]);
  const mean = new Reducer('f', 'mean', [4], 'float64');
  assert.equal(mean.reduce(items).item(), 2.5);
  mean.setGradOutput(2);
  assert.equal(mean.upstream(3), 0.5);
  const weighted = new Reducer('f', 'mean', [4], 'float64', 8);
  assert.equal(weighted.reduce(items).item(), 1.25);
  const none = new Reducer('f', 'none', [2, 2], 'float32');
  assert.deepEqual(none.reduce(items).shape, [2, 2]);
  none.setGradOutput([[1, 2], [3, 4]]);
  assert.equal(none.upstream(2), 3);
  assert.throws(() => none.setGradOutput([1, 2]), /f: gradOutput shape \[2\] does not match the loss shape \[2, 2\]/);
  assert.throws(() => mean.setGradOutput([1, 2]), /f: gradOutput must be a single number for reduction 'mean'/);
});
