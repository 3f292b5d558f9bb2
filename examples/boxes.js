// Detector box regression (the tutorial's use of smooth L1): a linear model predicts box offsets
// (dx, dy, dw, dh) relative to an anchor from features; 4% of the training labels are wrong.
// Smooth L1 against MSE, same data and steps; mean IoU of the decoded boxes on a clean test set.
import { mseLoss, smoothL1Loss, tensor } from 'losskit';
import { lossCurves, writeChart } from './lib/chart.js';
import { iou } from './lib/metrics.js';
import { generator } from './lib/random.js';

const FEATURES = 6;
const EPOCHS = 800;
const LEARNING_RATE = 0.1;

/** Anchor (cx, cy, w, h) and offsets → box [x1, y1, x2, y2], the usual R-CNN parametrisation. */
function decode(anchor, t) {
  const [cx, cy, w, h] = anchor;
  const x = cx + t[0] * w;
  const y = cy + t[1] * h;
  const bw = w * Math.exp(t[2]);
  const bh = h * Math.exp(t[3]);
  return [x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2];
}

function boxData(rng, n, M, mislabelled) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const f = Array.from({ length: FEATURES }, () => rng.normal());
    const anchor = [rng.uniform() * 100, rng.uniform() * 100, 10 + rng.uniform() * 40, 10 + rng.uniform() * 40];
    const t = M.map((row) => row.reduce((s, m, j) => s + m * f[j], 0) + 0.02 * rng.normal());
    const label = mislabelled && rng.uniform() < 0.04 ? t.map(() => 4 * rng.normal()) : t;
    samples.push({ f, anchor, t, label });
  }
  return samples;
}

function train(loss, options, samples) {
  const W = Array.from({ length: 4 }, () => new Float64Array(FEATURES));
  const b = new Float64Array(4);
  const predict = (s) => W.map((row, k) => b[k] + row.reduce((acc, w, j) => acc + w * s.f[j], 0));
  const labels = tensor(Float64Array.from(samples.flatMap((s) => s.label)), { shape: [samples.length, 4] });
  const history = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const predictions = tensor(Float64Array.from(samples.flatMap(predict)), { shape: [samples.length, 4] });
    const { loss: value, grad } = loss.withGrad(predictions, labels, { ...options, argnums: [0] }); // the labels need no gradient
    history.push(value.item());
    samples.forEach((s, i) => {
      for (let k = 0; k < 4; k++) {
        const g = grad.data[i * 4 + k];
        b[k] -= LEARNING_RATE * g;
        for (let j = 0; j < FEATURES; j++) W[k][j] -= LEARNING_RATE * g * s.f[j];
      }
    });
  }
  return { predict, history };
}

export async function run({ seed = 7, out = 'losskit-examples', print = console.log } = {}) {
  const rng = generator(seed);
  const M = Array.from({ length: 4 }, () => Array.from({ length: FEATURES }, () => 0.15 * rng.normal()));
  const trainSet = boxData(rng, 500, M, true);
  const testSet = boxData(rng, 500, M, false);
  const wrong = trainSet.filter((s) => s.label !== s.t).length;
  print(`500 training boxes (${wrong} with wrong labels), 500 clean test boxes; linear offset regression, ${EPOCHS} epochs`);
  const results = {};
  /** @type {[string, typeof mseLoss, object][]} */
  const losses = [['MSE', mseLoss, {}], ['smooth L1 (beta 1/9)', smoothL1Loss, { beta: 1 / 9 }]];
  for (const [name, loss, options] of losses) {
    const { predict, history } = train(loss, options, trainSet);
    const ious = testSet.map((s) => iou(decode(s.anchor, predict(s)), decode(s.anchor, s.t)));
    results[name] = { meanIou: ious.reduce((a, v) => a + v, 0) / ious.length, history };
    print(`${name.padEnd(22)} mean IoU on the test boxes ${results[name].meanIou.toFixed(4)}`);
  }
  print('The wrong labels pull MSE (quadratic in the error); smooth L1 gives each of them a bounded gradient, so the boxes stay tight.');
  const file = await writeChart(out, 'boxes-loss.svg', lossCurves('Boxes: training loss per epoch', Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.history]))));
  print(`wrote ${file}`);
  return { results, files: [file] };
}
