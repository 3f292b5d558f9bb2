// `losskit tour` (= `npm start`): the loss-function tutorial losskit grew from, step by step. Each
// step shows the hand-written computation beside the library call, printed exactly as PyTorch and
// scikit-learn print it, and the regression step writes the plots that explain the losses.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import {
  binaryCrossEntropy,
  catalog,
  crossEntropy,
  huberLoss,
  l1Loss,
  logLoss,
  mseLoss,
  smoothL1Loss,
  softmax,
  tensor,
  type Tensor,
} from 'losskit';
import { renderPlot } from './plot.js';

export interface TourOptions {
  out: string;
  color: boolean;
}

export async function tour(options: TourOptions, print: (line: string) => void = (l) => console.log(l)): Promise<string[]> {
  const c = pc.createColors(options.color);
  const heading = (text: string) => print(`\n${c.bold(c.cyan(text))}`);
  const note = (text: string) => print(c.dim(text));
  const code = (text: string) => c.yellow(text);
  const f = Math.fround;

  print(c.bold('losskit — a guided tour of loss functions'));
  note('Every value below is computed by losskit and printed as PyTorch (float32) and scikit-learn print it.');

  heading('1. Softmax: by hand and from the library');
  const demo = [[1, 4, 8, 6], [5, 2, -1, 3]];
  // The tutorial's torch.exp(x) / torch.sum(torch.exp(x), dim=1, keepdim=True), in float32.
  const byHand = (x: number[][]): Tensor =>
    tensor(x.map((row) => row.map((v) => f(f(Math.exp(v)) / row.reduce((s, u) => f(s + f(Math.exp(u))), 0)))));
  print(`demo = ${JSON.stringify(demo)}`);
  print(`by hand   ${code('exp(x) / sum(exp(x), dim=1)')}:`);
  print(byHand(demo).toString());
  print(`library   ${code('softmax(demo, { dim: 1 })')}:`);
  print(softmax(demo, { dim: 1 }).toString());
  note('dim 1 normalises each sample over its classes; dim 0 normalises each class over the samples:');
  print(`library   ${code('softmax(demo, { dim: 0 })')}:`);
  print(softmax(demo, { dim: 0 }).toString());
  note('At logits of 1000, exp overflows to Infinity and the hand-written softmax gives NaN;');
  note('the library subtracts the maximum first (softmax is unchanged by a shift), so nothing overflows:');
  const big = [[1000, 1001, 1002]];
  print(`by hand   ${byHand(big)}`);
  print(`library   ${softmax(big, { dim: 1 })}`);

  heading('2. Multi-class cross-entropy, three ways');
  const yPred = [[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
  const yTrue1 = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]];
  const yTrue2 = [1, 0, 3];
  print(`logits y_pred = ${JSON.stringify(yPred)}`);
  print(`one-hot y_true1 = ${JSON.stringify(yTrue1)}, class indices y_true2 = ${JSON.stringify(yTrue2)}`);
  const argmax = yTrue1.map((row) => row.indexOf(Math.max(...row)));
  print(`1. ${code('crossEntropy(y_pred, argmax(y_true1))')}  ${crossEntropy(yPred, argmax)}`);
  print(`2. ${code('crossEntropy(y_pred, y_true2)')}          ${crossEntropy(yPred, yTrue2)}`);
  const p = softmax(yPred, { dim: 1 }).toArray() as number[][];
  const perSample = yTrue1.map((row, i) => f(-row.reduce((s, y, k) => f(s + f(y * f(Math.log(p[i][k])))), 0)));
  const byHandMean = perSample.reduce((s, v) => f(s + v), 0) / perSample.length;
  print(`3. by hand ${code('mean(-sum(y_true1 * log(softmax(y_pred)), dim=1))')}  ${tensor(byHandMean)}`);
  print(`per sample ${code("{ reduction: 'none' }")}: ${crossEntropy(yPred, yTrue2, { reduction: 'none' })}`);
  note('The library never takes log(softmax): it computes x - logSumExp(x), exact for any logits.');

  heading('3. Binary cross-entropy');
  const bTrue = [0, 1, 1, 0];
  const bPred = [0.1, 0.9, 0.8, 0.3];
  print(`y_true = ${JSON.stringify(bTrue)}, y_pred = ${JSON.stringify(bPred)} (probabilities)`);
  print(`library (as scikit-learn's log_loss)  Binary Log Loss: ${logLoss(bTrue, bPred)}`);
  const clipped = bPred.map((v) => Math.min(Math.max(v, 1e-15), 1 - 1e-15));
  const terms = bTrue.map((y, i) => y * Math.log(clipped[i]) + (1 - y) * Math.log(1 - clipped[i]));
  print(`by hand, clipped to [1e-15, 1 - 1e-15]  Binary Cross-Entropy Loss: ${-(terms.reduce((s, v) => s + v, 0) / terms.length)}`);
  print(`library ${code('binaryCrossEntropy(y_pred, y_true)')} (float32, as PyTorch)  ${binaryCrossEntropy(bPred, bTrue)}`);

  heading('4. Regression losses and their gradients');
  const differences = [-3, -1, -0.5, 0, 0.5, 1, 3];
  const zeros = differences.map(() => 0);
  print(`errors (prediction − target) ${JSON.stringify(differences)}`);
  // Named as on the command line (the catalogue's cliName), the name `losskit plot` takes.
  const losses = [l1Loss, mseLoss, smoothL1Loss, huberLoss].map((fn) => [catalog[fn.name].cliName, fn, {}] as const);
  for (const [name, loss, extra] of losses) {
    const { loss: values, grad } = loss.withGrad(differences, zeros, { ...extra, reduction: 'none' });
    print(`${name.padEnd(10)} ${JSON.stringify(Array.from(values.data)).padEnd(38)} grad ${JSON.stringify(Array.from(grad!.data))}`);
  }
  note('MAE (l1): the gradient jumps from -1 to +1 at 0 (PyTorch takes 0 exactly at 0), so steps do not shrink near the minimum.');
  note('MSE: the gradient grows with the error, so a large error (an outlier) dominates every step.');
  note('smooth L1 (beta = 1): 0.5 x² inside [-1, 1], |x| - 0.5 outside; Huber(delta) = delta · smooth L1(beta = delta).');

  const predictions = [2.1, 2.9, 4.2, 5.0, 25];
  const targets = [2, 3, 4, 5, 6];
  print(`\nWith an outlier: predictions ${JSON.stringify(predictions)}, targets ${JSON.stringify(targets)} (the last error is 19)`);
  const onOutlier: Record<string, number> = {};
  for (const [name, loss, extra] of losses) {
    const { loss: value, grad } = loss.withGrad(predictions, targets, extra);
    const g = Array.from(grad!.data, (v) => Number(v.toFixed(4)));
    onOutlier[name] = g[4];
    print(`${name.padEnd(10)} mean loss ${value.item().toFixed(4).padStart(8)}  gradient ${JSON.stringify(g)}`);
  }
  const robust = Math.max(onOutlier.l1, onOutlier['smooth-l1'], onOutlier.huber);
  note(`MSE's gradient on the outlier is ${onOutlier.mse}, ${(onOutlier.mse / robust).toFixed(0)}× that of L1, smooth L1 or Huber (${robust} = 1/N, bounded):`);
  note('one bad label steers an MSE fit; the robust losses give it no more pull than any other large error.');

  heading('Plots');
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  const plots: [string, string[], Record<string, number>][] = [
    ['regression-losses.svg', ['l1', 'mse', 'smooth-l1', 'huber'], { delta: 2 }],
    ['smooth-l1-beta-0.5.svg', ['smooth-l1'], { beta: 0.5 }],
  ];
  for (const [file, names, extra] of plots) {
    const path = join(out, file);
    await writeFile(path, await renderPlot(names, [-3, 3], extra));
    written.push(path);
    print(`wrote ${path}`);
  }
  note('Draw any loss with `losskit plot`, evaluate one on your files with `losskit eval` (see `losskit --help`).');
  return written;
}
