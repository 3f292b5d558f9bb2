// The tutorial's examples (shared/seed-examples.md): the library reproduces what PyTorch and
// scikit-learn print. (That `npm start`, the tour, prints them is tested in cli/test/tour.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binaryCrossEntropy, crossEntropy, l1Loss, logLoss, mseLoss, smoothL1Loss, softmax } from '../src/index.js';
import { decode, loadFixture, type EncodedTensor } from './support/fixtures.js';

interface Seed {
  inputs: {
    demo: number[][];
    big: number[][];
    yPred: number[][];
    yTrue1: number[][];
    yTrue2: number[];
    binaryTrue: number[];
    binaryPred: number[];
    differences: number[];
  };
  printed: Record<string, string>;
  curves: Record<'l1' | 'mse' | 'smoothL1', { loss: EncodedTensor; grad: EncodedTensor }>;
}

const seed = loadFixture('seed.json') as unknown as Seed;
const { inputs, printed } = seed;

describe('seed examples: the library prints what the references print', () => {
  test('1. softmax over dim 1 and dim 0; the stable softmax at logits of 1000', () => {
    assert.equal(softmax(inputs.demo, { dim: 1 }).toString(), printed.softmaxDim1);
    assert.equal(softmax(inputs.demo, { dim: 0 }).toString(), printed.softmaxDim0);
    assert.equal(softmax(inputs.big, { dim: 1 }).toString(), printed.softmaxStable);
  });

  test('2. cross-entropy from one-hot rows (argmax), from indices, per sample', () => {
    const argmax = inputs.yTrue1.map((row) => row.indexOf(Math.max(...row)));
    assert.equal(crossEntropy(inputs.yPred, argmax).toString(), printed.crossEntropyOneHotArgmax);
    assert.equal(crossEntropy(inputs.yPred, inputs.yTrue2).toString(), printed.crossEntropyIndices);
    assert.equal(crossEntropy(inputs.yPred, inputs.yTrue1).toString(), printed.crossEntropyByHand);
    assert.equal(crossEntropy(inputs.yPred, inputs.yTrue2, { reduction: 'none' }).toString(), printed.crossEntropyNone);
  });

  test("3. binary cross-entropy: scikit-learn's log_loss digit for digit, PyTorch's BCE", () => {
    assert.equal(`Binary Log Loss: ${logLoss(inputs.binaryTrue, inputs.binaryPred)}`, printed.binaryLogLoss);
    assert.equal(binaryCrossEntropy(inputs.binaryPred, inputs.binaryTrue).toString(), printed.binaryTorch);
  });

  test('4. regression losses: per-element values and gradients at the tutorial differences', () => {
    const zeros = inputs.differences.map(() => 0);
    for (const [key, loss] of [['l1', l1Loss], ['mse', mseLoss], ['smoothL1', smoothL1Loss]] as const) {
      const { loss: values, grad } = loss.withGrad(inputs.differences, zeros, { reduction: 'none' });
      assert.deepEqual(Array.from(values.data), Array.from(decode(seed.curves[key].loss).data), `${key} values`);
      assert.deepEqual(Array.from(grad!.data, (v) => v + 0), Array.from(decode(seed.curves[key].grad).data, (v) => v + 0), `${key} gradients`);
    }
  });
});
