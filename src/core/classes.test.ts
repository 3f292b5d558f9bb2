import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkClassCount, isClassIndex, MAX_CLASSES } from './classes.js';

test('isClassIndex: integers in [0, classes), for every class count up to MAX_CLASSES', () => {
  for (const classes of [1, 5, MAX_CLASSES]) {
    assert.ok(isClassIndex(0, classes) && isClassIndex(-0, classes) && isClassIndex(classes - 1, classes));
    for (const t of [-1, classes, classes + 0.5, 0.5, -0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, -(2 ** 31), Number.MAX_VALUE, Number.MIN_VALUE]) {
      assert.equal(isClassIndex(t, classes), false, `${t} among ${classes}`);
    }
  }
});

test('checkClassCount: more classes than int32 indices address is an error naming the function', () => {
  assert.equal(checkClassCount('nllLoss', MAX_CLASSES), MAX_CLASSES);
  assert.throws(() => checkClassCount('nllLoss', MAX_CLASSES + 1), /^Error: nllLoss: 2147483648 classes are more than the 2147483647 \(2\^31 - 1\) that class indices can address$/);
});
