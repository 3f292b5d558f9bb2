// The tutorial's examples (shared/seed-examples.md), computed by losskit and printed as PyTorch
// and scikit-learn print them. `npm start` runs this until the guided tour (`losskit tour`) lands.
// Uses only the public API.
import {
  binaryCrossEntropy,
  crossEntropy,
  l1Loss,
  logLoss,
  mseLoss,
  smoothL1Loss,
  softmax,
  tensor,
} from 'losskit';

const section = (title) => console.log(`\n== ${title} ==`);
const rows = (t) => t.toArray();

section('1. Softmax: by hand and from the library');
const demo = [[1, 4, 8, 6], [5, 2, -1, 3]];
// By hand in float32, as the tutorial's torch.exp(x) / torch.sum(torch.exp(x), dim=1, keepdim=True).
const byHand = (x) => tensor(x.map((row) => row.map((v) => Math.exp(v) / row.reduce((s, u) => s + Math.exp(u), 0))));
console.log('by hand, exp(x) / sum(exp(x), dim=1):');
console.log(byHand(demo).toString());
console.log('softmax(demo, { dim: 1 }) — each sample normalised over its classes:');
console.log(softmax(demo, { dim: 1 }).toString());
console.log('softmax(demo, { dim: 0 }) — each class normalised over the samples:');
console.log(softmax(demo, { dim: 0 }).toString());
const big = [[1000, 1001, 1002]];
console.log('logits [[1000, 1001, 1002]]: exp overflows by hand, the stable softmax subtracts the max first:');
console.log(`by hand: ${byHand(big)}`);
console.log(`softmax: ${softmax(big, { dim: 1 })}`);

section('2. Multi-class cross-entropy, three ways');
const yPred = [[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
const yTrue1 = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]];
const yTrue2 = [1, 0, 3];
const argmax = yTrue1.map((row) => row.indexOf(Math.max(...row)));
console.log(`crossEntropy(yPred, argmax(yTrue1)) = ${crossEntropy(yPred, argmax)}`);
console.log(`crossEntropy(yPred, yTrue2)         = ${crossEntropy(yPred, yTrue2)}`);
const p = rows(softmax(yPred, { dim: 1 }));
// By hand in float32: mean(-sum(yTrue1 * log(p), dim=1)).
const f = Math.fround;
const perSample = yTrue1.map((row, i) => f(-row.reduce((s, y, c) => f(s + f(y * f(Math.log(p[i][c])))), 0)));
console.log(`by hand, mean(-sum(y * log(softmax)))  = ${tensor(perSample.reduce((s, v) => f(s + v), 0) / perSample.length)}`);
console.log(`per sample (reduction 'none'): ${crossEntropy(yPred, yTrue2, { reduction: 'none' })}`);

section('3. Binary cross-entropy');
const bTrue = [0, 1, 1, 0];
const bPred = [0.1, 0.9, 0.8, 0.3];
console.log(`Binary Log Loss: ${logLoss(bTrue, bPred)}`);
const clipped = bPred.map((v) => Math.min(Math.max(v, 1e-15), 1 - 1e-15));
const terms = bTrue.map((y, i) => y * Math.log(clipped[i]) + (1 - y) * Math.log(1 - clipped[i]));
console.log(`Binary Cross-Entropy Loss: ${-(terms.reduce((s, v) => s + v, 0) / terms.length)}`);
console.log(`binaryCrossEntropy (float32): ${binaryCrossEntropy(bPred, bTrue)}`);

section('4. Regression losses: values and gradients at differences (target 0)');
const differences = [-3, -1, -0.5, 0, 0.5, 1, 3];
const zeros = differences.map(() => 0);
for (const [name, loss] of [['l1', l1Loss], ['mse', mseLoss], ['smooth_l1', smoothL1Loss]]) {
  const { loss: values, grad } = loss.withGrad(differences, zeros, { reduction: 'none' });
  console.log(`${name.padEnd(10)} ${JSON.stringify(Array.from(values.data))}  grad ${JSON.stringify(Array.from(grad.data))}`);
}
console.log('MAE: the gradient jumps from -1 to +1 at 0 (0 exactly at 0, as PyTorch).');
console.log('MSE: the gradient grows with the error, so outliers dominate.');
console.log('smooth L1 (beta = 1): quadratic inside [-1, 1], linear outside — smooth at 0, bounded for outliers.');
