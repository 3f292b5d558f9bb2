// What losskit/tfjs costs on top of losskit itself, on TF.js's cpu and wasm backends (the readback
// proxy for webgl/webgpu, which this machine cannot run): one cross-entropy forward + gradient
// with class indices, four ways, interleaved, medians of repeated rounds.
//   losskit        crossEntropy.withGrad on the same Float32Arrays, no TF.js
//   adapter        tf.grad of tfjsLoss(crossEntropy): dataSync of yTrue/yPred, withGrad, dataSync of dy,
//                  tf.tensor of the gradient
//   copies         the adapter's TF.js traffic alone: dataSync of yPred, yTrue and dy, tf.tensor of a
//                  gradient array
//   TF.js          tf.grad of tf.losses.softmaxCrossEntropy on one-hot labels (TF.js's own kernels)
// Run: npm run build && node scripts/tfjs-readback.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers TF.js's op gradients, as @tensorflow/tfjs does
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { crossEntropy, Tensor } from 'losskit';
import { tfjsLoss } from 'losskit/tfjs';

const require = createRequire(import.meta.url);
setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** Medians of `reps` rounds; each round runs every function once (interleaved: load hits all alike). */
function time(fns, reps) {
  for (const fn of fns) fn();
  const ts = fns.map(() => []);
  for (let i = 0; i < reps; i++) {
    fns.forEach((fn, k) => {
      const t0 = process.hrtime.bigint();
      fn();
      ts[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  return ts.map(median);
}

const loss = tfjsLoss(crossEntropy);
const rows = [];
for (const backend of ['cpu', 'wasm']) {
  await tf.setBackend(backend);
  for (const [N, C, reps] of [[256, 10, 101], [4096, 1000, 7]]) {
    let s = 1;
    const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const logits = Float32Array.from({ length: N * C }, () => 4 * rand() - 2);
    const labels = Float32Array.from({ length: N }, () => Math.floor(rand() * C));
    const yPred = tf.tensor2d(logits, [N, C]);
    const yTrue = tf.tensor1d(labels);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
    const grad = new Float32Array(N * C);
    const input = new Tensor(logits, [N, C]);
    const target = new Tensor(Int32Array.from(labels), [N]);
    const [lk, ad, cp, tfjs] = time([
      () => crossEntropy.withGrad(input, target, { argnums: [0] }),
      // Each tidy returns nothing: a returned typed array would be walked element by element as a tensor container.
      () => tf.tidy(() => {
        tf.grad((p) => loss(yTrue, p))(yPred).dataSync();
      }),
      () => tf.tidy(() => {
        yPred.dataSync();
        yTrue.dataSync();
        tf.scalar(1).dataSync();
        tf.tensor(grad, [N, C]).dataSync();
      }),
      () => tf.tidy(() => {
        tf.grad((p) => tf.losses.softmaxCrossEntropy(oneHot, p))(yPred).dataSync();
      }),
    ], reps);
    rows.push({ backend, shape: `[${N}, ${C}]`, losskit: lk, adapter: ad, copies: cp, tfjs });
    console.error(JSON.stringify(rows.at(-1)));
    tf.dispose([yPred, yTrue, oneHot]);
  }
}
console.log('| backend | logits | losskit withGrad | losskit/tfjs (tf.grad) | its TF.js copies alone | TF.js softmaxCrossEntropy (tf.grad) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.backend} | ${r.shape} | ${r.losskit.toFixed(3)} ms | ${r.adapter.toFixed(3)} ms | ${r.copies.toFixed(3)} ms | ${r.tfjs.toFixed(3)} ms |`);
