// Softmax regression on the Iris flowers, trained with crossEntropy.withGrad, with and without
// label smoothing: accuracy, and calibration measured as the mean probability of the predicted class.
import { readFileSync } from 'node:fs';
import { crossEntropy, softmax, tensor } from 'losskit';
import { lossCurves, writeChart } from './lib/chart.js';
import { generator } from './lib/random.js';

const EPOCHS = 400;
const LEARNING_RATE = 1.0;
const SPECIES = ['setosa', 'versicolor', 'virginica'];

export function loadIris() {
  const text = readFileSync(new URL('./data/iris.csv', import.meta.url), 'utf8');
  const rows = text.trim().split('\n').slice(1).map((line) => line.split(','));
  return { features: rows.map((r) => r.slice(0, 4).map(Number)), labels: rows.map((r) => SPECIES.indexOf(r[4])) };
}

/** 40 training and 10 test flowers of each species, shuffled by the seed. */
function split(labels, seed) {
  const rng = generator(seed);
  const train = [];
  const test = [];
  for (let k = 0; k < 3; k++) {
    const members = labels.flatMap((l, i) => (l === k ? [i] : []));
    rng.permutation(members.length).forEach((p, j) => (j < 40 ? train : test).push(members[p]));
  }
  return { train, test };
}

function train(X, y, smoothing) {
  const [n, d] = [y.length, X[0].length];
  const W = new Float64Array(d * 3);
  const b = new Float64Array(3);
  const targets = tensor(Float64Array.from(y));
  const logitsOf = (rows) => tensor(Float64Array.from(rows.flatMap((x) => [0, 1, 2].map((k) => b[k] + x.reduce((s, v, j) => s + v * W[j * 3 + k], 0)))), { shape: [rows.length, 3] });
  const history = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const { loss, grad } = crossEntropy.withGrad(logitsOf(X), targets, { labelSmoothing: smoothing });
    history.push(loss.item());
    // d loss / d W = Xᵀ · d loss / d logits
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) {
        const g = grad.data[i * 3 + k];
        b[k] -= LEARNING_RATE * g;
        for (let j = 0; j < d; j++) W[j * 3 + k] -= LEARNING_RATE * g * X[i][j];
      }
    }
  }
  return { logitsOf, history };
}

function evaluate(logitsOf, X, y) {
  const p = /** @type {number[][]} */ (softmax(logitsOf(X)).toArray());
  let correct = 0;
  let confidence = 0;
  p.forEach((row, i) => {
    const best = row.indexOf(Math.max(...row));
    if (best === y[i]) correct++;
    confidence += row[best];
  });
  return { accuracy: correct / y.length, meanMaxProbability: confidence / y.length, loss: crossEntropy(logitsOf(X), Float64Array.from(y)).item() };
}

export async function run({ seed = 7, out = 'losskit-examples', print = console.log } = {}) {
  const { features, labels } = loadIris();
  const { train: trainIdx, test: testIdx } = split(labels, seed);
  // Standardise with the training set's statistics.
  const mean = [0, 1, 2, 3].map((j) => trainIdx.reduce((s, i) => s + features[i][j], 0) / trainIdx.length);
  const std = [0, 1, 2, 3].map((j) => Math.sqrt(trainIdx.reduce((s, i) => s + (features[i][j] - mean[j]) ** 2, 0) / trainIdx.length));
  const scale = (i) => features[i].map((v, j) => (v - mean[j]) / std[j]);
  const [Xtr, ytr, Xte, yte] = [trainIdx.map(scale), trainIdx.map((i) => labels[i]), testIdx.map(scale), testIdx.map((i) => labels[i])];
  const results = {};
  print(`Iris: 120 training and 30 test flowers, softmax regression, ${EPOCHS} epochs of gradient descent (learning rate ${LEARNING_RATE})`);
  print(`${'training'.padEnd(22)} ${'train acc'.padStart(9)} ${'test acc'.padStart(9)} ${'test loss'.padStart(9)} ${'mean max p (test)'.padStart(18)}`);
  for (const smoothing of [0, 0.1]) {
    const name = smoothing ? `labelSmoothing ${smoothing}` : 'no label smoothing';
    const { logitsOf, history } = train(Xtr, ytr, smoothing);
    const trainMetrics = evaluate(logitsOf, Xtr, ytr);
    const testMetrics = evaluate(logitsOf, Xte, yte);
    results[name] = { train: trainMetrics, test: testMetrics, history };
    print(`${name.padEnd(22)} ${trainMetrics.accuracy.toFixed(3).padStart(9)} ${testMetrics.accuracy.toFixed(3).padStart(9)} ${testMetrics.loss.toFixed(4).padStart(9)} ${testMetrics.meanMaxProbability.toFixed(4).padStart(18)}`);
  }
  const [plain, smooth] = Object.values(results).map((r) => r.test);
  const gap = (m) => `${m.meanMaxProbability > m.accuracy ? '+' : ''}${(m.meanMaxProbability - m.accuracy).toFixed(3)}`;
  print(
    `Label smoothing cannot push a target probability to 1, so it caps the confidence: mean max probability ${plain.meanMaxProbability.toFixed(3)} → ${smooth.meanMaxProbability.toFixed(3)}, ` +
      `test accuracy ${plain.accuracy.toFixed(3)} → ${smooth.accuracy.toFixed(3)}. Confidence minus accuracy: ${gap(plain)} without, ${gap(smooth)} with ` +
      (plain.meanMaxProbability > plain.accuracy
        ? '(smoothing counters the over-confidence of the plain model).'
        : '(this small linear model is not over-confident to begin with, so smoothing only makes it more cautious).'),
  );
  const file = await writeChart(out, 'iris-loss.svg', lossCurves('Iris: training loss per epoch', Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.history]))));
  print(`wrote ${file}`);
  return { results, files: [file] };
}
