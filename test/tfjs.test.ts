// losskit/tfjs against TF.js itself: real model.fit runs on the cpu and wasm backends whose loss
// trajectories must equal TF.js's own losses, fits with what TF.js lacks against a reference loop on
// losskit's withGrad, every loss's gradient against finite differences, and memory.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import ts from 'typescript';
import * as L from '../src/index.js';
import * as adapter from '../src/tfjs/index.js';
import { losses, NOT_TFJS, tfjsLoss, type TfjsLoss } from '../src/tfjs/index.js';
import { random } from './support/random.js';

const require = createRequire(import.meta.url);
// The wasm backend's .wasm files ship in its npm package, beside its main file (dist/).
setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
await tf.setBackend('cpu');

const BACKENDS = ['cpu', 'wasm'] as const;
const N = 32; // items per batch (one batch per epoch: each epoch is one SGD step)
const F = 5; // features
const C = 4; // outputs (classes)
const EPOCHS = 20;

function uniform(n: number, low: number, high: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => low + (high - low) * next());
}

function classes(n: number, k: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => Math.floor(next() * k));
}

/** The starting weights of every model: seeded, so that every run starts at the same point. */
const W0 = uniform(F * C, -0.5, 0.5, 11);
const B0 = uniform(C, -0.1, 0.1, 12);
const X = uniform(N * F, -1, 1, 13);

/** A one-layer tfjs-layers model (dense, linear) with the seeded weights. */
function linearModel(loss: TfjsLoss | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor), lr: number): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [F], units: C })] });
  model.setWeights([tf.tensor2d(W0, [F, C]), tf.tensor1d(B0)]);
  model.compile({ optimizer: tf.train.sgd(lr), loss });
  return model;
}

async function fit(loss: TfjsLoss | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor), y: tf.Tensor, lr = 0.5): Promise<{ history: number[]; weights: Float32Array }> {
  const model = linearModel(loss, lr);
  const x = tf.tensor2d(X, [N, F]);
  const h = await model.fit(x, y, { epochs: EPOCHS, batchSize: N, shuffle: false, verbose: 0 });
  const weights = model.getWeights()[0].dataSync() as Float32Array;
  x.dispose();
  model.dispose();
  return { history: h.history.loss as number[], weights: Float32Array.from(weights) };
}

/** Max relative difference, with an absolute floor. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  if (process.env.LOSSKIT_TFJS_REPORT) {
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-3));
    console.log(`# ${tf.getBackend()} ${what}: max relative difference ${worst.toExponential(2)}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const tol = rtol * Math.max(Math.abs(expected[i]), 1e-3);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what} [${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
  }
}

/** A loss that must actually have been trained down (so a comparison of two trajectories is not of two flat lines). */
function assertDecreases(history: number[], what: string): void {
  assert.ok(history[history.length - 1] < 0.97 * history[0], `${what}: loss ${history[0]} → ${history[history.length - 1]} did not decrease`);
}

// Tolerance of a trajectory: TF.js computes its loss and gradient in float32 (rounding at each op,
// ~10 ops: about 1e-6 relative), losskit in float64 rounded once; 20 SGD steps through a float32
// dense layer carry those differences forward. Measured: at most 4e-7 relative on both backends
// (see the README); 1e-5 leaves a margin of 25 while a wrong convention (reduction, smoothing) is
// off by 1e-2 or more.
const RTOL = 1e-5;

for (const backend of BACKENDS) {
  describe(`losskit/tfjs model.fit on the ${backend} backend equals TF.js's own losses`, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend), `backend ${backend} did not initialise`);
      assert.equal(tf.getBackend(), backend);
    });

    test('crossEntropy (probabilities, labelSmoothing 0.1) = tf.losses.softmaxCrossEntropy(labelSmoothing 0.1)', async () => {
      const oneHot = tf.cast(tf.oneHot(tf.tensor1d(classes(N, C, 14), 'int32'), C), 'float32');
      const ours = await fit(tfjsLoss(L.crossEntropy, { labelSmoothing: 0.1 }), oneHot);
      // TF.js smooths one-hot labels as onehot·(1 − ls) + ls/C, PyTorch's convention; MEAN over rows.
      const theirs = await fit((yt, yp) => tf.losses.softmaxCrossEntropy(yt, yp, undefined, 0.1, tf.Reduction.MEAN), oneHot);
      assertDecreases(theirs.history, 'softmaxCrossEntropy');
      assertClose(ours.history, theirs.history, RTOL, 'loss trajectory');
      assertClose(ours.weights, theirs.weights, RTOL, 'final kernel');
      oneHot.dispose();
    });

    test('binaryCrossEntropyWithLogits = tf.losses.sigmoidCrossEntropy', async () => {
      const labels = tf.tensor2d(classes(N * C, 2, 15), [N, C]);
      const ours = await fit(losses.binaryCrossEntropyWithLogits, labels);
      // No label smoothing: TF.js smooths sigmoid labels towards 0.5, which PyTorch has no option for.
      const theirs = await fit((yt, yp) => tf.losses.sigmoidCrossEntropy(yt, yp, undefined, 0, tf.Reduction.MEAN), labels);
      assertDecreases(theirs.history, 'sigmoidCrossEntropy');
      assertClose(ours.history, theirs.history, RTOL, 'loss trajectory');
      assertClose(ours.weights, theirs.weights, RTOL, 'final kernel');
      labels.dispose();
    });

    test('mseLoss = tf.losses.meanSquaredError', async () => {
      const targets = tf.tensor2d(uniform(N * C, -2, 2, 16), [N, C]);
      const ours = await fit(losses.mseLoss, targets, 0.1);
      const theirs = await fit((yt, yp) => tf.losses.meanSquaredError(yt, yp, undefined, tf.Reduction.MEAN), targets, 0.1);
      assertDecreases(theirs.history, 'meanSquaredError');
      assertClose(ours.history, theirs.history, RTOL, 'loss trajectory');
      assertClose(ours.weights, theirs.weights, RTOL, 'final kernel');
      targets.dispose();
    });

    test('huberLoss (delta 0.5) = tf.losses.huberLoss (delta 0.5)', async () => {
      const targets = tf.tensor2d(uniform(N * C, -3, 3, 17), [N, C]);
      const ours = await fit(tfjsLoss(L.huberLoss, { delta: 0.5 }), targets);
      const theirs = await fit((yt, yp) => tf.losses.huberLoss(yt, yp, undefined, 0.5, tf.Reduction.MEAN), targets);
      assertDecreases(theirs.history, 'huberLoss');
      assertClose(ours.history, theirs.history, RTOL, 'loss trajectory');
      assertClose(ours.weights, theirs.weights, RTOL, 'final kernel');
      targets.dispose();
    });
  });

  describe(`losskit/tfjs trains what TF.js lacks on the ${backend} backend`, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
    });

    /**
     * The same dense layer trained by hand in float64 on losskit's withGrad: logits = X·W + b,
     * ∂W = Xᵀ·G, ∂b = Σ_rows G; the loss trajectory TF.js's fit must reproduce.
     */
    function referenceTrajectory(gradOf: (logits: Float64Array) => { loss: number; grad: ArrayLike<number> }, lr: number): number[] {
      const W = Float64Array.from(W0);
      const b = Float64Array.from(B0);
      const out: number[] = [];
      for (let step = 0; step < EPOCHS; step++) {
        const logits = new Float64Array(N * C);
        for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
          let s = b[c];
          for (let f = 0; f < F; f++) s += X[n * F + f] * W[f * C + c];
          logits[n * C + c] = s;
        }
        const { loss, grad } = gradOf(logits);
        out.push(loss);
        for (let f = 0; f < F; f++) for (let c = 0; c < C; c++) {
          let g = 0;
          for (let n = 0; n < N; n++) g += X[n * F + f] * grad[n * C + c];
          W[f * C + c] -= lr * g;
        }
        for (let c = 0; c < C; c++) {
          let g = 0;
          for (let n = 0; n < N; n++) g += grad[n * C + c];
          b[c] -= lr * g;
        }
      }
      return out;
    }

    test('crossEntropy with class indices, labelSmoothing and ignoreIndex through model.fitDataset', async () => {
      // Class indices with every fourth item ignored; float labels, as a TF.js dataset gives them.
      const labels = classes(N, C, 18).map((v, i) => (i % 4 === 3 ? -100 : v));
      const options = { labelSmoothing: 0.2, ignoreIndex: -100 };
      const model = linearModel(tfjsLoss(L.crossEntropy, options), 0.5);
      // model.fit checks targets against the output's shape ([N, C]) for every loss but its own
      // sparseCategoricalCrossentropy; fitDataset takes the batches as they are.
      const dataset = {
        size: 1,
        iterator: async () => {
          let done = false;
          return {
            next: async () => {
              if (done) return { done: true, value: null };
              done = true;
              return { done: false, value: { xs: tf.tensor2d(X, [N, F]), ys: tf.tensor1d(labels) } };
            },
          };
        },
      };
      const h = await model.fitDataset(dataset as unknown as Parameters<typeof model.fitDataset>[0], { epochs: EPOCHS, verbose: 0 });
      model.dispose();
      const expected = referenceTrajectory((logits) => {
        const r = L.crossEntropy.withGrad(new L.Tensor(logits, [N, C]), labels, options);
        return { loss: r.loss.item(), grad: r.grad!.data };
      }, 0.5);
      assertDecreases(expected, 'reference');
      assertClose(h.history.loss as number[], expected, RTOL, 'loss trajectory');
    });

    test('sigmoidFocalLoss through model.fit', async () => {
      const targets = classes(N * C, 2, 19);
      const y = tf.tensor2d(targets, [N, C]);
      const ours = await fit(tfjsLoss(L.sigmoidFocalLoss, { alpha: 0.25, gamma: 2 }), y, 2);
      y.dispose();
      const expected = referenceTrajectory((logits) => {
        const r = L.sigmoidFocalLoss.withGrad(new L.Tensor(logits, [N, C]), new L.Tensor(Float64Array.from(targets), [N, C]), { alpha: 0.25, gamma: 2 });
        return { loss: r.loss.item(), grad: r.grad!.data };
      }, 2);
      assertDecreases(expected, 'reference');
      assertClose(ours.history, expected, RTOL, 'loss trajectory');
    });

    test('ctcLoss in a custom loop (tf.variableGrads through tf.logSoftmax)', () => {
      // A per-frame linear layer on [N, T, F] → log-softmax [N, T, C]; targets padded with -1.
      const n = 3, T = 6, K = 5;
      const frames = uniform(n * T * F, -1, 1, 20);
      const targets = [1, 2, -1, 3, 3, 1, 4, -1, -1];
      const lengths = [2, 3, 1];
      const W = tf.variable(tf.tensor2d(uniform(F * K, -0.5, 0.5, 21), [F, K]));
      const x = tf.tensor2d(frames, [n * T, F]);
      const y = tf.tensor2d(targets, [n, 3]);
      const loss = tfjsLoss(L.ctcLoss, { reduction: 'mean' });
      const optimizer = tf.train.sgd(0.5);
      const history: number[] = [];
      const Wref = Float64Array.from(W.dataSync());
      const expected: number[] = [];
      for (let step = 0; step < 10; step++) {
        const { value, grads } = tf.variableGrads(() => loss(y, tf.reshape(tf.logSoftmax(tf.matMul(x, W)), [n, T, K])) as tf.Scalar);
        history.push(value.dataSync()[0]);
        optimizer.applyGradients(grads);
        tf.dispose([value, grads]);
        // Reference: losskit's gradient with respect to the logits (PyTorch's convention for CTC), by hand.
        const logits = new Float64Array(n * T * K);
        for (let r = 0; r < n * T; r++) for (let k = 0; k < K; k++) {
          let s = 0;
          for (let f = 0; f < F; f++) s += frames[r * F + f] * Wref[f * K + k];
          logits[r * K + k] = s;
        }
        // [N, T, K] → [T, N, K] as ctcLoss takes it.
        const lp = L.logSoftmax(new L.Tensor(logits, [n, T, K])).data;
        const tnk = new Float64Array(n * T * K);
        for (let b = 0; b < n; b++) for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) tnk[(t * n + b) * K + k] = lp[(b * T + t) * K + k];
        const r = L.ctcLoss.withGrad(new L.Tensor(tnk, [T, n, K]), L.tensor([[1, 2, 0], [3, 3, 1], [4, 0, 0]]), [T, T, T], lengths, { reduction: 'mean' });
        expected.push(r.loss.item());
        const g = r.grad!.data;
        for (let f = 0; f < F; f++) for (let k = 0; k < K; k++) {
          let s = 0;
          for (let b = 0; b < n; b++) for (let t = 0; t < T; t++) s += frames[(b * T + t) * F + f] * g[(t * n + b) * K + k];
          Wref[f * K + k] -= 0.5 * s;
        }
      }
      tf.dispose([W, x, y]);
      optimizer.dispose();
      assertDecreases(expected, 'reference');
      assertClose(history, expected, RTOL, 'loss trajectory');
    });
  });
}

describe('losskit/tfjs', () => {
  before(async () => {
    assert.ok(await tf.setBackend('cpu'));
  });

  test('no leak: tf.memory().numTensors is constant over 100 training steps (tf.variableGrads + optimizer)', () => {
    const W = tf.variable(tf.tensor2d(W0, [F, C]));
    const b = tf.variable(tf.tensor1d(B0));
    const x = tf.tensor2d(X, [N, F]);
    const y = tf.tensor1d(classes(N, C, 22));
    const loss = tfjsLoss(L.crossEntropy, { labelSmoothing: 0.1 });
    const optimizer = tf.train.adam(0.01);
    const counts: number[] = [];
    for (let step = 0; step < 100; step++) {
      const { value, grads } = tf.variableGrads(() => loss(y, tf.add(tf.matMul(x, W), b)));
      optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      tf.dispose([value, grads]);
      counts.push(tf.memory().numTensors);
    }
    // Adam creates its moment variables in the first step; from then on nothing may accumulate.
    assert.deepEqual(new Set(counts.slice(1)).size, 1, `numTensors over the steps: ${[...new Set(counts)].join(', ')}`);
    tf.dispose([W, b, x, y]);
    optimizer.dispose();
  });

  test('no leak in model.fit: numTensors after 100 epochs equals numTensors after 1', async () => {
    const model = linearModel(losses.mseLoss, 0.01);
    const x = tf.tensor2d(X, [N, F]);
    const y = tf.tensor2d(uniform(N * C, -1, 1, 23), [N, C]);
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const after1 = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 100, batchSize: 8, verbose: 0 });
    assert.equal(tf.memory().numTensors, after1);
    tf.dispose([x, y]);
    model.dispose();
  });

  test("why the gradient is kept as arrays: a tensor made in customGrad's forward pass is disposed before backward", () => {
    let kept: tf.Tensor | undefined;
    const naive = tf.customGrad(((x: tf.Tensor) => {
      kept = tf.onesLike(x); // the obvious version: the gradient as a tensor, made in the forward pass
      return { value: tf.sum(x), gradFunc: (dy: tf.Tensor) => [tf.mul(dy, kept!)] };
    }) as unknown as Parameters<typeof tf.customGrad<tf.Scalar>>[0]);
    const x = tf.tensor1d([1, 2]);
    // customGrad runs the forward pass in a tidy: the tensor is gone before backward runs, which
    // fails ("Tensor is disposed" when read; in tf.mul on cpu, the backend lookup of its data).
    assert.throws(() => tf.grad((v) => naive(v))(x), /Tensor is disposed|reading 'backend'/);
    assert.equal(kept!.isDisposed, true);
    x.dispose();
  });

  test('every differentiable losskit export has a ready-made TF.js loss, and nothing else', async () => {
    // The activations have withGrad too (a vector–Jacobian product, not a loss).
    const activations = new Set(
      (await Promise.all(['softmax', 'log-sum-exp', 'sigmoid'].map((m) => import(`../src/activations/${m}.js`)))).flatMap((m: object) => Object.values(m)),
    );
    const exported = Object.entries(L).filter(([k, v]) => typeof v === 'function' && 'withGrad' in v && !activations.has(v) && !(NOT_TFJS as readonly string[]).includes(k)).map(([k]) => k).sort();
    assert.deepEqual(Object.keys(losses).sort(), exported);
    assert.ok(exported.length >= 20);
  });

  /** A case per loss: yTrue, yPred and options (yPred is where the finite differences are taken). */
  const t = (values: number[], shape: number[]) => ({ values, shape });
  const u = (shape: number[], low: number, high: number, seed: number) => t([...uniform(shape.reduce((a, b) => a * b, 1), low, high, seed)], shape);
  const k = (shape: number[], n: number, seed: number) => t([...classes(shape.reduce((a, b) => a * b, 1), n, seed)], shape);
  const pm = (shape: number[], seed: number) => t(k(shape, 2, seed).values.map((v) => 2 * v - 1), shape);
  type Case = { yTrue: ReturnType<typeof t>; yPred: ReturnType<typeof t>; options?: Record<string, unknown>; logSoftmax?: boolean };
  const CASES: Record<keyof typeof losses, Case> = {
    crossEntropy: { yTrue: t([1, -100, 0, 2, 3, 1], [2, 3]), yPred: u([2, 3, 4], -2, 2, 1), options: { labelSmoothing: 0.1, weight: tf.tensor1d([1, 2, 0.5, 1]) } },
    nllLoss: { yTrue: t([1, 0, 3], [3, 1]), yPred: u([3, 4], -3, -0.1, 2) },
    multiMarginLoss: { yTrue: k([3], 4, 3), yPred: u([3, 4], -1, 1, 3), options: { p: 2 } },
    multilabelMarginLoss: { yTrue: t([0, 2, -1, 0, 3, -1, 0, 0], [2, 4]), yPred: u([2, 4], -1, 1, 4) },
    binaryCrossEntropy: { yTrue: u([3, 4], 0, 1, 5), yPred: u([3, 4], 0.05, 0.95, 5) },
    binaryCrossEntropyWithLogits: { yTrue: k([3, 4], 2, 6), yPred: u([3, 4], -3, 3, 6), options: { posWeight: [1, 2, 0.5, 3] } },
    // |x| has a kink at 0: predictions kept 0.1 or more away from the targets.
    l1Loss: { yTrue: u([3, 4], -1, 1, 7), yPred: u([3, 4], 1.1, 2, 8) },
    mae: { yTrue: u([3, 4], -1, 1, 7), yPred: u([3, 4], -2, -1.1, 8), options: { reduction: 'sum' } },
    mseLoss: { yTrue: u([3, 4], -1, 1, 9), yPred: u([3, 4], -1, 1, 10) },
    mse: { yTrue: u([3, 4], -1, 1, 9), yPred: u([3, 4], -1, 1, 10) },
    smoothL1Loss: { yTrue: u([3, 4], -2, 2, 11), yPred: u([3, 4], -2, 2, 12), options: { beta: 0.7 } },
    huberLoss: { yTrue: u([3, 4], -2, 2, 13), yPred: u([3, 4], -2, 2, 14), options: { delta: 1.3 } },
    klDiv: { yTrue: u([3, 4], 0.1, 0.9, 15), yPred: u([3, 4], -3, -0.1, 16), options: { reduction: 'batchmean' } },
    poissonNllLoss: { yTrue: k([3, 4], 5, 17), yPred: u([3, 4], -1, 1.5, 17), options: { full: true } },
    hingeEmbeddingLoss: { yTrue: pm([3, 4], 18), yPred: u([3, 4], 0, 2, 18) },
    softMarginLoss: { yTrue: pm([3, 4], 19), yPred: u([3, 4], -3, 3, 19) },
    multilabelSoftMarginLoss: { yTrue: k([3, 4], 2, 20), yPred: u([3, 4], -3, 3, 20) },
    sigmoidFocalLoss: { yTrue: k([3, 4], 2, 21), yPred: u([3, 4], -3, 3, 21) },
    gaussianNllLoss: { yTrue: u([3, 4], -1, 1, 22), yPred: t(u([3, 4, 2], 0.3, 1.5, 23).values.map((v, i) => (i % 2 === 0 ? v - 0.9 : v)), [3, 4, 2]) },
    marginRankingLoss: { yTrue: pm([5], 24), yPred: u([5, 2], -2, 2, 24), options: { margin: 0.3 } },
    cosineEmbeddingLoss: { yTrue: pm([3], 25), yPred: u([3, 2, 4], -1, 1, 25), options: { margin: -0.2 } },
    tripletMarginLoss: { yTrue: t([0, 0, 0], [3]), yPred: u([3, 3, 4], -1, 1, 26), options: { margin: 1.5, swap: true } },
    ctcLoss: { yTrue: t([1, 2, -1, 3, 3, 1], [2, 3]), yPred: u([2, 6, 5], -2, 2, 27), logSoftmax: true },
    // boxes with x1 < x2, y1 < y2, overlapping (yPred [2, 4], yTrue [2, 4])
    generalizedBoxIouLoss: { yTrue: t([0, 0, 2, 3, 1, 1, 4, 2], [2, 4]), yPred: t([0.5, 0.2, 2.5, 2.6, 1.2, 0.7, 3.5, 2.9], [2, 4]) },
    distanceBoxIouLoss: { yTrue: t([0, 0, 2, 3, 1, 1, 4, 2], [2, 4]), yPred: t([0.5, 0.2, 2.5, 2.6, 1.2, 0.7, 3.5, 2.9], [2, 4]) },
    // equal aspect ratios: v = 0, where torchvision's α (held constant) does not change the gradient
    completeBoxIouLoss: { yTrue: t([0, 0, 2, 3, 1, 1, 4, 2], [2, 4]), yPred: t([0.5, 0.2, 2.5, 3.2, 1.2, 0.7, 4.2, 1.7], [2, 4]), options: { reduction: 'sum' } },
    tripletMarginWithDistanceLoss: { yTrue: t([0, 0, 0], [3]), yPred: u([3, 3, 4], -1, 1, 28), options: { margin: 1.5, distance: 'cosine' } },
    diceLoss: { yTrue: k([3, 4], 2, 28), yPred: u([3, 4], 0, 1, 28), options: { axis: 1 } },
    tverskyLoss: { yTrue: k([3, 4], 2, 29), yPred: u([3, 4], 0, 1, 29), options: { alpha: 0.7, beta: 0.3 } },
    logCoshLoss: { yTrue: u([3, 4], -2, 2, 30), yPred: u([3, 4], -2, 2, 31) },
    // predictions kept away from the kink at y x = 1
    squaredHingeLoss: { yTrue: pm([3, 4], 32), yPred: u([3, 4], -0.8, 0.8, 32) },
    categoricalHingeLoss: { yTrue: u([3, 4], 0, 1, 33), yPred: u([3, 4], 0, 1, 34) },
    cosineSimilarityLoss: { yTrue: u([3, 4], -1, 1, 35), yPred: u([3, 4], -1, 1, 36) },
    categoricalFocalCrossEntropy: { yTrue: u([3, 4], 0, 1, 37), yPred: u([3, 4], -2, 2, 38), options: { fromLogits: true, labelSmoothing: 0.1 } },
    // logits kept away from the pieces' joints at ±1
    sparsemaxLoss: { yTrue: k([3, 4], 2, 39), yPred: u([3, 4], -0.9, 0.9, 39) },
    polyLossCrossEntropy: { yTrue: u([3, 4], 0, 0.5, 40), yPred: u([3, 4], -2, 2, 40), options: { epsilon: -1 } },
    ntxentLoss: { yTrue: t([0, 0, 1, 1], [4]), yPred: u([4, 3], -1, 1, 41), options: { temperature: 0.5 } },
  };

  for (const [name, c] of Object.entries(CASES) as [keyof typeof losses, Case][]) {
    test(`${name}: tf.grad equals central differences of the wrapped loss (checks the yTrue/yPred layout end to end)`, () => {
      const loss = c.options ? tfjsLoss(L[name], c.options as never) : losses[name];
      const yTrue = tf.tensor(c.yTrue.values, c.yTrue.shape);
      // CTC's gradient is with respect to the logits of a log-softmax (PyTorch's convention): differentiate those.
      const f = (p: tf.Tensor): tf.Scalar => loss(yTrue, c.logSoftmax ? tf.logSoftmax(p) : p);
      const yPred = tf.tensor(c.yPred.values, c.yPred.shape);
      const before = tf.memory().numTensors;
      const grad = tf.grad(f)(yPred);
      const analytic = grad.dataSync();
      grad.dispose();
      // float32 central differences with h = 1e-2 (error ~ h² f''' + ε/h ≈ 1e-4·|f|); hinges have kinks, so
      // the tolerance is loose; a wrong layout (transposed, wrong slice, a lost yTrue) is off by O(1).
      const h = 1e-2;
      const x = Float64Array.from(c.yPred.values);
      for (let i = 0; i < x.length; i++) {
        const at = (v: number) => {
          const xs = Float32Array.from(x);
          xs[i] = v;
          return tf.tidy(() => f(tf.tensor(xs, c.yPred.shape)).dataSync()[0]);
        };
        const numeric = (at(x[i] + h) - at(x[i] - h)) / (2 * h);
        assert.ok(Math.abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * Math.abs(numeric), `${name} ∂/∂yPred[${i}]: analytic ${analytic[i]}, numeric ${numeric}`);
      }
      assert.equal(tf.memory().numTensors, before, 'tensors left behind by tf.grad');
      tf.dispose([yTrue, yPred]);
    });
  }

  test('the value equals the losskit call on the mapped arguments (class indices on the last axis, stacked inputs)', () => {
    const logits = uniform(2 * 3 * 4, -2, 2, 30);
    const labels = [1, -100, 0, 2, 3, 1];
    const value = tfjsLoss(L.crossEntropy, { labelSmoothing: 0.1 })(tf.tensor2d(labels, [2, 3]), tf.tensor3d(logits, [2, 3, 4]));
    assert.equal(value.dataSync()[0], L.crossEntropy(new L.Tensor(logits, [6, 4]), labels, { labelSmoothing: 0.1 }).item());
    // Probabilities [2, 3, 4]: classes on the last axis too (PyTorch would take axis 1).
    const probs = L.softmax(new L.Tensor(uniform(24, -2, 2, 33), [6, 4])).data as Float32Array;
    const soft = losses.crossEntropy(tf.tensor3d(probs, [2, 3, 4]), tf.tensor3d(logits, [2, 3, 4]));
    assert.equal(soft.dataSync()[0], L.crossEntropy(new L.Tensor(logits, [6, 4]), new L.Tensor(probs, [6, 4])).item());
    const pair = uniform(10, -2, 2, 31);
    const signs = [1, -1, 1, 1, -1];
    const mr = losses.marginRankingLoss(tf.tensor1d(signs), tf.tensor2d(pair, [5, 2]));
    assert.equal(mr.dataSync()[0], L.marginRankingLoss(pair.filter((_, i) => i % 2 === 0), pair.filter((_, i) => i % 2 === 1), signs).item());
    const mv = uniform(8, 0.5, 1.5, 32);
    const gv = losses.gaussianNllLoss(tf.tensor1d([0, 1, 2, 3]), tf.tensor2d(mv, [4, 2]));
    assert.equal(gv.dataSync()[0], L.gaussianNllLoss(mv.filter((_, i) => i % 2 === 0), [0, 1, 2, 3], mv.filter((_, i) => i % 2 === 1)).item());
    tf.dispose([value, soft, mr, gv]);
  });

  test('the upstream gradient dy scales the saved gradient (tf.grad through tf.mul(loss, 3))', () => {
    const yTrue = tf.tensor2d(uniform(12, -1, 1, 40), [3, 4]);
    const yPred = tf.tensor2d(uniform(12, -1, 1, 41), [3, 4]);
    const once = tf.grad((p) => losses.huberLoss(yTrue, p))(yPred);
    const thrice = tf.grad((p) => tf.mul(losses.huberLoss(yTrue, p), 3))(yPred);
    const expected = L.huberLoss.withGrad(new L.Tensor(yPred.dataSync() as Float32Array, [3, 4]), new L.Tensor(yTrue.dataSync() as Float32Array, [3, 4]), { gradOutput: 3 }).grad!.data;
    // losskit rounds 3·g once from float64; the adapter multiplies the float32 gradient by 3: within an ulp.
    assertClose(thrice.dataSync(), expected, 2.4e-7, 'gradient with dy = 3');
    assert.notDeepEqual([...thrice.dataSync()], [...once.dataSync()]);
    tf.dispose([yTrue, yPred, once, thrice]);
  });

  test('bad input: clear errors naming losskit/tfjs, the loss and the argument', () => {
    const ce = losses.crossEntropy;
    const logits = tf.tensor2d([[1, 2], [3, 4]]);
    assert.throws(() => ce(tf.tensor1d([0.5, 1]), logits), /^Error: losskit\/tfjs crossEntropy: yTrue must hold integer class indices, got 0.5 at flat index 0$/);
    assert.throws(() => ce(tf.tensor1d([0, 1, 1]), logits), /losskit\/tfjs crossEntropy: yTrue of class indices must be shaped like yPred without its last \(class\) axis/);
    assert.throws(() => ce(tf.tensor1d([0, 2]), logits), /crossEntropy: target 2 is out of range for 2 classes/);
    assert.throws(() => ce(tf.tensor1d([0, 1]), tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32')), /losskit\/tfjs crossEntropy: yPred must be a float32 tf.Tensor, got int32/);
    assert.throws(() => tfjsLoss(L.mseLoss, { reduction: 'none' }), /losskit\/tfjs mseLoss: reduction "none" is not valid for a TF.js loss, which returns a scalar/);
    assert.throws(() => tfjsLoss(L.mseLoss, { gradInto: new Float32Array(4) } as never), /losskit\/tfjs mseLoss: option 'gradInto' is set by losskit\/tfjs/);
    assert.throws(() => tfjsLoss(L.logLoss as never), /^Error: tfjsLoss: loss must be a differentiable losskit loss \(one of .*crossEntropy/);
    assert.throws(() => (ce as (a: unknown, b: unknown) => unknown)([0, 1], logits), /yTrue and yPred must be tf.Tensors \(TF.js's order: yTrue first\)/);
    assert.throws(() => losses.marginRankingLoss(tf.tensor1d([1, -1]), tf.tensor2d([[1, 2, 3]])), /marginRankingLoss: yPred must stack its 2 inputs along axis -1 \(size 2\)/);
    assert.throws(() => tfjsLoss(L.mseLoss, { reducton: 'sum' } as never)(logits, logits), /mseLoss: unknown option 'reducton' \(did you mean 'reduction'\?\)/);
    logits.dispose();
  });

  test("require('losskit/tfjs') works too (the CommonJS build), sharing TF.js's engine", () => {
    const code =
      "const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu'); const { losses } = require('losskit/tfjs');" +
      "tf.setBackend('cpu').then(() => console.log(losses.mseLoss(tf.tensor1d([0, 0]), tf.tensor1d([1, 3])).dataSync()[0]));";
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: new URL('../..', import.meta.url) });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^5$/m);
  });

  test("import 'losskit' never loads TF.js (and losskit/tfjs does: the check can fail)", () => {
    // A resolve hook that refuses every @tensorflow module: importing the library must still work.
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('TF.js was loaded: ' + s); return next(s, c); }",
    )}`;
    const run = (entry: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `import { register } from 'node:module'; register(${JSON.stringify(hook)}); await import(${JSON.stringify(entry)}); console.log('ok');`], {
        encoding: 'utf8',
        cwd: new URL('../..', import.meta.url),
      });
    const main = run('losskit');
    assert.equal(main.status, 0, main.stderr);
    assert.match(main.stdout, /^ok$/m);
    const sub = run('losskit/tfjs');
    assert.notEqual(sub.status, 0);
    assert.match(sub.stderr, /TF\.js was loaded: @tensorflow\/tfjs-core/);
  });
});

describe('losskit/tfjs TSDoc examples print what they say', () => {
  // They are fenced `typescript` (test/doc-examples.test.ts runs the `ts` ones, without TF.js):
  // imports dropped, types stripped by TypeScript, run with TF.js as `tf` (core + layers, what
  // `@tensorflow/tfjs` gathers), losskit and losskit/tfjs in scope.
  const source = readFileSync(new URL('../../src/tfjs/index.ts', import.meta.url), 'utf8');
  const found = [...source.matchAll(/@example\s*\n\s*\* ```typescript\n([\s\S]*?)\n\s*\* ```/g)].map((m) => m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')));
  const exported = Object.keys(adapter).length + 4; // the functions and constants, and the four exported types
  test('every export has an example', () => assert.equal(found.length, exported));
  const tfjs = { ...tf, sequential: tfl.sequential, layers: tfl.layers };
  const scope: Record<string, unknown> = { ...L, ...adapter, tf: tfjs };
  for (const lines of found) {
    const code = lines.filter((l) => !l.startsWith('//') && !l.startsWith('import ')).join('\n');
    test(code.split('\n').find((l) => l.trim() !== '')!.slice(0, 70), async () => {
      await tf.setBackend('cpu');
      const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
      const printed: string[] = [];
      const console = { log: (...values: unknown[]) => printed.push(values.map(String).join(' ')) };
      const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
      const names = Object.keys(scope);
      await new AsyncFunction(...names, 'console', js)(...names.map((n) => scope[n]), console);
      assert.deepEqual(printed, lines.filter((l) => l.startsWith('// ')).map((l) => l.slice(3)));
    });
  }
});
