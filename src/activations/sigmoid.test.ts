import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activationGoldenTests } from '../../test/support/activation-golden.js';
import { activationGradChecks, activationGradGoldenTests } from '../../test/support/activation-grad-golden.js';
import { logSigmoid, sigmoid, softplus, tensor } from '../index.js';

for (const backend of ['ts', 'wasm'] as const) {
  activationGradGoldenTests('sigmoid', sigmoid.withGrad, backend);
  activationGradGoldenTests('logSigmoid', logSigmoid.withGrad, backend);
  activationGradGoldenTests('softplus', softplus.withGrad, backend);
}
activationGradChecks('sigmoid', sigmoid, [{}]);
activationGradChecks('logSigmoid', logSigmoid, [{}]);
activationGradChecks('softplus', softplus, [{}, { beta: 2, threshold: 3 }]);


for (const backend of ['ts', 'wasm'] as const) {
  activationGoldenTests('sigmoid', sigmoid, backend);
  activationGoldenTests('logSigmoid', logSigmoid, backend);
  activationGoldenTests('softplus', softplus, backend);
}

test('sigmoid, logSigmoid, softplus: extreme inputs', () => {
  const x = tensor([-Number.MAX_VALUE, -745, 0, 745, Number.MAX_VALUE], { dtype: 'float64' });
  assert.deepEqual(Array.from(sigmoid(x).data), [0, 5e-324, 0.5, 1, 1]); // e^-745 is the smallest subnormal
  assert.deepEqual(Array.from(logSigmoid(x).data).slice(0, 2), [-Number.MAX_VALUE, -745]);
  assert.equal(softplus(x).data[4], Number.MAX_VALUE);
  assert.ok(Number.isNaN(sigmoid([NaN]).item()));
});

test('softplus: bad input', () => {
  assert.throws(() => softplus([1], { beta: 'a' as never }), /^Error: softplus: beta must be a number, got a$/);
});
