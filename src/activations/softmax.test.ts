import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activationGoldenTests } from '../../test/support/activation-golden.js';
import { activationGradChecks, activationGradGoldenTests } from '../../test/support/activation-grad-golden.js';
import { logSoftmax, softmax, tensor } from '../index.js';

activationGradGoldenTests('softmax', softmax.withGrad);
activationGradGoldenTests('softmax', softmax.withGrad, 'wasm');
activationGradGoldenTests('logSoftmax', logSoftmax.withGrad);
activationGradGoldenTests('logSoftmax', logSoftmax.withGrad, 'wasm');
activationGradChecks('softmax', softmax, [{ dim: -1 }, { dim: 0 }, { dim: 1 }]);
activationGradChecks('logSoftmax', logSoftmax, [{ dim: -1 }, { dim: 0 }, { dim: 1 }]);


activationGoldenTests('softmax', softmax);
activationGoldenTests('softmax', softmax, 'wasm');
activationGoldenTests('logSoftmax', logSoftmax);
activationGoldenTests('logSoftmax', logSoftmax, 'wasm');

test('softmax: rows sum to 1 and logits of 1000 do not overflow', () => {
  const p = softmax(tensor([[1000, 1001, 1002], [-1000, 0, 1000]], { dtype: 'float64' }));
  assert.ok(Math.abs(p.data[0] + p.data[1] + p.data[2] - 1) < 1e-15);
  assert.deepEqual(Array.from(p.data.slice(3)), [0, 0, 1]);
});

test('logSoftmax: exact where log(softmax) underflows to -inf', () => {
  assert.equal(logSoftmax(tensor([0, 1000], { dtype: 'float64' })).data[0], -1000);
});

test('softmax: keeps dtype and shape; a 0-d input is 1', () => {
  const x = tensor([[1, 2]], { dtype: 'float64' });
  assert.equal(softmax(x).dtype, 'float64');
  assert.equal(softmax(3).item(), 1);
});

test('softmax: bad input', () => {
  assert.throws(() => softmax([1, 2], { dim: 1 }), /^Error: softmax: dim 1 is out of range for a tensor of 1 dimensions \(expected -1 to 0\)$/);
  assert.throws(() => logSoftmax([1, 2], { axis: 0 } as never), /logSoftmax: unknown option 'axis'/);
});
