import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstNonBinary } from './scan.js';

test('firstNonBinary: the first value neither 0 nor 1, at every position around the chunk edges', () => {
  const n = 3 * 4096 + 7;
  assert.equal(firstNonBinary(new Float32Array(n).fill(1)), -1);
  assert.equal(firstNonBinary(new Float64Array(0)), -1);
  for (const at of [0, 1, 4095, 4096, 4097, 8191, 8192, n - 1]) {
    for (const bad of [0.5, -1, 2, NaN, Infinity, -Infinity, 1e-45, 5e-324, -5e-324, 1 + 2 ** -52, 1 - 2 ** -53, Number.MAX_VALUE, -Number.MAX_VALUE]) {
      const data = Float64Array.from({ length: n }, (_, i) => i % 2);
      data[at] = bad;
      assert.equal(firstNonBinary(data), at, `${bad} at ${at}`);
      // Two bad values: the first is found; from skips what is known good.
      if (at + 5000 < n) {
        data[at + 5000] = 3;
        assert.equal(firstNonBinary(data), at);
        assert.equal(firstNonBinary(data, at + 1), at + 5000);
      }
    }
  }
  // −0 is 0.
  assert.equal(firstNonBinary([-0, 1, 0]), -1);
});
