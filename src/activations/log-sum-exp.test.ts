import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activationGoldenTests } from '../../test/support/activation-golden.js';
import { activationGradChecks, activationGradGoldenTests } from '../../test/support/activation-grad-golden.js';
import { logSumExp, tensor } from '../index.js';

activationGradGoldenTests('logSumExp', logSumExp.withGrad);
activationGradGoldenTests('logSumExp', logSumExp.withGrad, 'wasm');
activationGradChecks('logSumExp', logSumExp, [{ dim: -1 }, { dim: 0, keepdim: true }, { dim: 1 }]);


activationGoldenTests('logSumExp', logSumExp);
activationGoldenTests('logSumExp', logSumExp, 'wasm');

test('logSumExp: extreme inputs', () => {
  const x = tensor([Number.MAX_VALUE, Number.MAX_VALUE], { dtype: 'float64' });
  assert.equal(logSumExp(x).item(), Number.MAX_VALUE);
  assert.equal(logSumExp(tensor([-Infinity, -Infinity])).item(), -Infinity);
  assert.equal(logSumExp(tensor([Infinity, 1])).item(), Infinity);
  assert.equal(logSumExp(tensor(new Float32Array(0))).item(), -Infinity);
});

test('logSumExp: keepdim keeps a dimension of size 1', () => {
  assert.deepEqual(logSumExp([[1, 2], [3, 4], [5, 6]], { dim: 0, keepdim: true }).shape, [1, 2]);
  assert.deepEqual(logSumExp([[1, 2], [3, 4], [5, 6]], { dim: 0 }).shape, [2]);
});
