// Fit y = a x + b by gradient descent on data with 10% gross outliers, once with each of L1, MSE,
// smooth L1 and Huber: same data, same initial point, same learning rate, same number of steps.
// The gradients are losskit's `withGrad` gradients with respect to the predictions; the chain rule
// to (a, b) is two sums.
import { huberLoss, l1Loss, mseLoss, smoothL1Loss, tensor } from 'losskit';
import { lossCurves, writeChart } from './lib/chart.js';
import { outlierData, TRUE_LINE } from './lib/outlier-data.js';

export { TRUE_LINE, outlierData };

const STEPS = 2000;
const LEARNING_RATE = 0.05;

/** @type {[string, typeof l1Loss, object][]} */
const LOSSES = [
  ['L1', l1Loss, {}],
  ['MSE', mseLoss, {}],
  ['smooth L1 (beta 1)', smoothL1Loss, { beta: 1 }],
  ['Huber (delta 1.5)', huberLoss, { delta: 1.5 }],
];

function fit(loss, options, x, y) {
  let a = 0;
  let b = 0;
  const history = [];
  const path = [];
  const target = tensor(y);
  for (let step = 0; step < STEPS; step++) {
    const prediction = tensor(x.map((v) => a * v + b));
    const { loss: value, grad } = loss.withGrad(prediction, target, { ...options, argnums: [0] }); // the targets need no gradient
    let da = 0;
    let db = 0;
    for (let i = 0; i < x.length; i++) {
      da += grad.data[i] * x[i];
      db += grad.data[i];
    }
    a -= LEARNING_RATE * da;
    b -= LEARNING_RATE * db;
    history.push(value.item());
    path.push([a, b]);
  }
  // How far the last 100 steps still move the parameters, and when they last moved by more than 1e-3.
  const moves = path.slice(1).map(([p, q], i) => Math.abs(p - path[i][0]) + Math.abs(q - path[i][1]));
  const finalStep = moves.slice(-100).reduce((s, v) => s + v, 0) / 100;
  let settled = moves.length;
  while (settled > 0 && moves[settled - 1] < 1e-3) settled--;
  return { a, b, history, finalStep, settledAfter: settled };
}

export async function run({ seed = 7, out = 'losskit-examples', print = console.log } = {}) {
  const { x, y } = outlierData(seed);
  const results = {};
  print(`y = ${TRUE_LINE.a}x + ${TRUE_LINE.b}, 200 points, 20 gross outliers among the rightmost 40; ${STEPS} steps of gradient descent, learning rate ${LEARNING_RATE}`);
  print(`${'loss'.padEnd(19)} ${'a'.padStart(8)} ${'b'.padStart(8)} ${'|a - 2|'.padStart(9)} ${'|b - 1|'.padStart(9)} ${'last steps'.padStart(11)} ${'settled at'.padStart(11)}`);
  for (const [name, loss, options] of LOSSES) {
    const r = fit(loss, options, x, y);
    results[name] = { ...r, slopeError: Math.abs(r.a - TRUE_LINE.a), interceptError: Math.abs(r.b - TRUE_LINE.b) };
    const settled = r.settledAfter >= STEPS - 1 ? 'never' : `step ${r.settledAfter}`;
    print(`${name.padEnd(19)} ${r.a.toFixed(4).padStart(8)} ${r.b.toFixed(4).padStart(8)} ${results[name].slopeError.toFixed(4).padStart(9)} ${results[name].interceptError.toFixed(4).padStart(9)} ${r.finalStep.toExponential(1).padStart(11)} ${settled.padStart(11)}`);
  }
  print("MSE is dragged by the outliers (its gradient grows with the error); L1 ignores them but its constant-size gradient keeps it jittering ('last steps': mean parameter change over the last 100 steps); smooth L1 and Huber are robust and settle.");

  const fits = LOSSES.map(([name]) => name);
  const lines = fits.flatMap((name) => [-3, 3].map((xv) => ({ x: xv, y: results[name].a * xv + results[name].b, fit: name })));
  const files = [
    await writeChart(out, 'outliers-fits.svg', {
      title: 'Fitted lines on data with 10% outliers',
      width: 480,
      height: 320,
      layer: [
        { data: { values: Array.from(x, (v, i) => ({ x: v, y: y[i] })) }, mark: { type: 'point', opacity: 0.5, color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
        { data: { values: lines }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: { field: 'fit', type: 'nominal', title: 'loss', sort: null } } },
      ],
    }),
    await writeChart(out, 'outliers-loss.svg', lossCurves('Loss per step (each loss on its own scale)', Object.fromEntries(fits.map((name) => [name, results[name].history])))),
  ];
  for (const file of files) print(`wrote ${file}`);
  return { results, files };
}
