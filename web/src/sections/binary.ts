// Tutorial §3: binary cross-entropy by hand (clipping to [1e-15, 1 − 1e-15], float64), scikit-learn's
// log_loss (losskit's logLoss) and PyTorch's binary cross-entropy (each log clamped at −100), side
// by side on the tutorial's data; what each gives as one prediction goes to 0, on a log axis where
// each one's floor is visible; and the loss and gradient against p.
import { binaryCrossEntropy, logLoss, tensor } from 'losskit';
import { button, el, readout, slider } from '../dom.js';
import { Chart, legend } from '../chart.js';
import { formula } from '../math.js';
import { codePanel, section } from '../section.js';
import type { Store } from '../store.js';

export const BCE_TRUE = [0, 1, 1, 0];
export const BCE_PRED = [0.1, 0.9, 0.8, 0.3];
/** The sample whose prediction the slider moves (its label is 1: at p = 0 it is as wrong as can be). */
const MOVED = 1;
export const CLIP = 1e-15;

/** The tutorial's by-hand binary cross-entropy: clip to [1e-15, 1 − 1e-15], then −mean(y log p + (1 − y) log(1 − p)). */
export function bceByHand(y: readonly number[], p: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i], CLIP), 1 - CLIP);
    sum += y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
  }
  return -sum / y.length;
}

export function binarySection(store: Store): HTMLElement {
  const s = section('binary', '3. Binary cross-entropy: by hand, scikit-learn, PyTorch', 'Three implementations of −mean(y log p + (1 − y) log(1 − p)) agree on ordinary predictions; they part ways only where a log would be −∞, each with its own guard.');
  store.define('bp', BCE_PRED[MOVED]);
  if (store.problems.has('bp')) s.error.set(store.problems.get('bp')!);
  const p = slider('bp', `prediction of sample ${MOVED} (label 1)`, { min: 0, max: 1, step: 0.01, value: store.get('bp'), onInput: (bp) => store.set({ bp }) });
  const data = el('pre', { 'data-test': 'bce-data' });
  const card = (test: string, title: string, call: string) => {
    const value = readout(test, 'output');
    const zero = readout(`${test}-zero`, 'output');
    const box = el('div', { class: 'way' }, el('h3', {}, title), el('code', { class: 'call' }, call), el('p', { class: 'big' }, value), el('p', {}, 'at p = 0: ', zero));
    return { box, value, zero };
  };
  const hand = card('bce-hand', 'by hand, clipped to [1e-15, 1 − 1e-15]', '−mean(y·log p + (1−y)·log(1−p))');
  const sk = card('bce-sklearn', "scikit-learn's log_loss", 'logLoss(yTrue, yPred)');
  const torch = card('bce-torch', "PyTorch's binary_cross_entropy (float32)", 'binaryCrossEntropy(yPred, yTrue)');
  const floorNote = el('p', { class: 'callout', 'data-test': 'bce-floor-note' });
  const floors = new Chart({ title: 'Loss of one sample with label 1 as p → 0 (log axis).', xLabel: 'p (log scale)', yLabel: 'loss', xDomain: [1e-50, 1], logX: true, height: 240 });
  const lossChart = new Chart({ title: "PyTorch's BCE against p.", xLabel: 'p (predicted probability)', yLabel: 'loss (0–5 shown)', xDomain: [0, 1] });
  const gradChart = new Chart({ title: 'Its gradient d loss / d p.', xLabel: 'p (predicted probability)', yLabel: 'd loss / d p (±20 shown)', xDomain: [0, 1] });
  const code = codePanel('bce-code');
  s.root.append(
    formula(String.raw`\ell = -\frac{1}{N}\sum_{n} \big[\, y_n \log p_n + (1 - y_n)\log(1 - p_n) \,\big]`),
    el('div', { class: 'controls' }, p.root, button('bce-zero', 'p = 0', () => store.set({ bp: 0 })), button('bce-reset', 'reset', () => store.reset(['bp']))),
    data,
    el('div', { class: 'ways', 'aria-live': 'polite' }, hand.box, sk.box, torch.box),
    floorNote,
    legend([{ label: 'by hand (clip 1e-15)', style: 0 }, { label: 'scikit-learn log_loss (clip at float64 epsilon)', style: 1 }, { label: 'PyTorch (log clamped at −100), label 1', style: 2 }, { label: 'PyTorch, label 0', style: 3 }], 'legend of the binary charts'),
    el('div', { class: 'charts' }, floors.figure, lossChart.figure, gradChart.figure),
    code.root,
  );

  // The floors chart and the curves against p do not depend on the slider: drawn once.
  const ps = Float64Array.from({ length: 201 }, (_, i) => 10 ** (-50 + (50 * i) / 200));
  const perSample = (q: number) => logLoss([1], [q], { labels: [0, 1] });
  floors.update({
    series: [
      { id: 'hand', label: 'by hand', style: 0, xs: ps, ys: ps.map((q) => bceByHand([1], [q])) },
      { id: 'sklearn', label: 'log_loss', style: 1, xs: ps, ys: ps.map(perSample) },
      { id: 'torch', label: 'PyTorch', style: 2, xs: ps, ys: binaryCrossEntropy(ps, new Float64Array(ps.length).fill(1), { reduction: 'none' }).data },
    ],
    yDomain: [0, 110],
    description: `As p falls below each guard the loss stops growing: by hand at −log(1e-15) = ${bceByHand([1], [0]).toFixed(2)}, scikit-learn at −log(2.2e-16) = ${perSample(0).toFixed(2)}, PyTorch at ${binaryCrossEntropy([0], [1]).item()} (its log is clamped at −100, reached at p = e^−100 ≈ ${Math.exp(-100).toPrecision(2)}).`,
  });
  const lin = Float64Array.from({ length: 201 }, (_, i) => i / 200);
  const curves = [1, 0].map((y) => binaryCrossEntropy.withGrad(lin, new Float64Array(lin.length).fill(y), { reduction: 'none' }));
  lossChart.update({
    series: curves.map((r, k) => ({ id: `y${1 - k}`, label: `label ${1 - k}`, style: k ? 3 : 2, xs: lin, ys: r.loss.data })),
    yDomain: [0, 5],
    description: 'For label 1 the loss −log p falls from 100 (clamped) at p = 0 to 0 at p = 1; for label 0 it mirrors, −log(1 − p).',
  });
  gradChart.update({
    series: curves.map((r, k) => ({ id: `y${1 - k}`, label: `label ${1 - k}`, style: k ? 3 : 2, xs: lin, ys: r.grad!.data })),
    yDomain: [-20, 20],
    description: `The gradient −1/p (label 1) and 1/(1 − p) (label 0) grows without bound at the wrong end; at exactly p = 0 PyTorch's is ${curves[0].grad!.data[0].toExponential(3)} (it divides by max(p(1 − p), 1e-12)).`,
  });

  store.watch(['bp'], () => {
    const moved = store.get<number>('bp');
    p.set(moved);
    const pred = BCE_PRED.map((v, i) => (i === MOVED ? moved : v));
    const zero = BCE_PRED.map((v, i) => (i === MOVED ? 0 : v));
    data.textContent = `yTrue = ${JSON.stringify(BCE_TRUE)}\nyPred = ${JSON.stringify(pred)}`;
    const h = bceByHand(BCE_TRUE, pred);
    hand.value.set(h, `Binary Cross-Entropy Loss: ${h}`);
    hand.zero.set(bceByHand(BCE_TRUE, zero), String(bceByHand(BCE_TRUE, zero)));
    for (const [c, f] of [[sk, (q: number[]) => logLoss(BCE_TRUE, q)]] as const) {
      const v = f(pred);
      c.value.set(v, `Binary Log Loss: ${v}`);
      c.zero.set(f(zero), String(f(zero)));
    }
    const t = binaryCrossEntropy(tensor(pred), BCE_TRUE);
    torch.value.set(t.item(), t.toString());
    const tz = binaryCrossEntropy(tensor(zero), BCE_TRUE);
    torch.zero.set(tz.item(), tz.toString());
    const [fh, fs, ft] = [bceByHand([1], [0]), logLoss([1], [0], { labels: [0, 1] }), binaryCrossEntropy([0], [1]).item()].map((v) => v.toFixed(1));
    floorNote.textContent = `At p = 0 the true log is −∞. By hand the clip makes the sample's loss −log(1e-15) = ${fh}; scikit-learn clips at the float64 epsilon, −log(2.2e-16) = ${fs}; PyTorch clamps each log at −100, so ${ft}. One certain mistake among ${BCE_TRUE.length} samples adds ${fh}, ${fs} or ${ft} over ${BCE_TRUE.length} to the mean.`;
    code.set(
      [
        `import { binaryCrossEntropy, logLoss } from 'losskit';`,
        `const yTrue = ${JSON.stringify(BCE_TRUE)};`,
        `const yPred = ${JSON.stringify(pred)};`,
        `console.log(\`Binary Log Loss: \${logLoss(yTrue, yPred)}\`);`,
        `const clip = (p) => Math.min(Math.max(p, 1e-15), 1 - 1e-15);`,
        `const byHand = -yTrue.reduce((s, y, i) => s + y * Math.log(clip(yPred[i])) + (1 - y) * Math.log(1 - clip(yPred[i])), 0) / yTrue.length;`,
        `console.log(\`Binary Cross-Entropy Loss: \${byHand}\`);`,
        `console.log(binaryCrossEntropy(yPred, yTrue).toString());`,
      ].join('\n'),
    );
  });
  return s.root;
}
