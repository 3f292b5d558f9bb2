import assert from 'node:assert/strict';
import { test } from 'node:test';
import { laneLogSumExp, log1pExp, logSigmoidScalar, sigmoidScalar } from './stable.js';

test('log1pExp: exact at both ends', () => {
  assert.equal(log1pExp(1000), 1000);
  assert.equal(log1pExp(-1000), 0);
  assert.equal(log1pExp(Number.MAX_VALUE), Number.MAX_VALUE);
  assert.equal(log1pExp(0), Math.LN2);
  assert.equal(log1pExp(-40), Math.exp(-40));
});

test('logSigmoidScalar and sigmoidScalar never overflow', () => {
  assert.equal(logSigmoidScalar(-1000), -1000);
  assert.equal(logSigmoidScalar(Infinity), 0);
  assert.equal(sigmoidScalar(-Infinity), 0);
  assert.equal(sigmoidScalar(Infinity), 1);
});

test('laneLogSumExp: strided lanes, infinities, empty', () => {
  assert.equal(laneLogSumExp([1e308, 0, 1e308, 0], 0, 2, 2), 1e308 + Math.LN2);
  assert.equal(laneLogSumExp([-Infinity, -Infinity], 0, 1, 2), -Infinity);
  assert.equal(laneLogSumExp([Infinity, 0], 0, 1, 2), Infinity);
  assert.equal(laneLogSumExp([], 0, 1, 0), -Infinity);
});
