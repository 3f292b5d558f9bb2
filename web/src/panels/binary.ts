// Panel 3: binary cross-entropy against the probability (with PyTorch's -100 log clamp at p = 0
// and 1) and against the logit (with pos weight), and the sigmoid focal loss.
import * as Plot from '@observablehq/plot';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, sigmoidFocalLoss, tensor } from 'losskit';
import { el, readout, scroll, slider } from '../dom.js';
import type { State } from '../state.js';

const curve = (values: number[], f: (x: ReturnType<typeof tensor>, y: ReturnType<typeof tensor>) => ReturnType<typeof tensor>, y: number) =>
  Array.from(f(tensor(Float64Array.from(values)), tensor(new Float64Array(values.length).fill(y))).data);

export function renderBinary(root: HTMLElement, state: State, update: (change: Partial<State>) => void): void {
  const ps = Array.from({ length: 201 }, (_, i) => i / 200); // includes p = 0 and p = 1 exactly
  const logits = Array.from({ length: 241 }, (_, i) => -6 + i * 0.05);
  const none = { reduction: 'none' as const };
  const bceRows = [1, 0].flatMap((y) => curve(ps, (a, b) => binaryCrossEntropy(a, b, none), y).map((loss, i) => ({ p: ps[i], loss, y: `y = ${y}` })));
  const logitRows = [1, 0].flatMap((y) => [
    ...curve(logits, (a, b) => binaryCrossEntropyWithLogits(a, b, { ...none, posWeight: [state.posWeight] }), y).map((loss, i) => ({ x: logits[i], loss, curve: `BCE with logits, y = ${y}` })),
    ...curve(logits, (a, b) => sigmoidFocalLoss(a, b, { ...none, alpha: state.alpha, gamma: state.gamma }), y).map((loss, i) => ({ x: logits[i], loss, curve: `focal, y = ${y}` })),
  ]);
  const clamp = binaryCrossEntropy([0, 1], [1, 0], none);
  const atZero = binaryCrossEntropyWithLogits([0], [1], { posWeight: [state.posWeight] }).item();
  const focalAtTwo = sigmoidFocalLoss([2], [1], { alpha: state.alpha, gamma: state.gamma }).item();

  root.replaceChildren(
    el('h2', { id: 'binary-title' }, '3. Binary: BCE, BCE with logits, focal loss'),
    el(
      'div',
      { class: 'controls' },
      slider('pos-weight', 'pos weight', 0.1, 10, 0.1, state.posWeight, (posWeight) => update({ posWeight })),
      slider('alpha', 'focal alpha', 0, 1, 0.05, state.alpha, (alpha) => update({ alpha })),
      slider('gamma', 'focal gamma', 0, 5, 0.1, state.gamma, (gamma) => update({ gamma })),
    ),
    el(
      'div',
      { class: 'charts' },
      el(
        'figure',
        {},
        Plot.plot({
          width: 500,
          height: 260,
          x: { label: 'p (predicted probability)', domain: [0, 1] },
          y: { label: 'BCE', grid: true },
          color: { legend: true },
          marks: [Plot.line(bceRows, { x: 'p', y: 'loss', stroke: 'y' })],
        }),
      ),
      el(
        'figure',
        {},
        Plot.plot({
          width: 500,
          height: 260,
          x: { label: 'logit', domain: [-6, 6] },
          y: { label: 'loss', grid: true },
          color: { legend: true },
          marks: [Plot.line(logitRows, { x: 'x', y: 'loss', stroke: 'curve' })],
        }),
      ),
    ),
    scroll(el(
      'table',
      { 'aria-label': 'binary readouts' },
      el('tr', {}, el('th', {}, 'BCE at p = 0, y = 1 (log clamped at −100)'), readout('bce-clamp', clamp.data[0])),
      el('tr', {}, el('th', {}, 'BCE with logits at logit 0, y = 1 (pos weight)'), readout('bce-logit-zero', atZero)),
      el('tr', {}, el('th', {}, 'focal loss at logit 2, y = 1'), readout('focal-two', focalAtTwo)),
    )),
    el('p', { class: 'note' }, 'PyTorch clamps each log at −100, so a probability of exactly 0 or 1 gives a loss of 100, not Infinity: the flat ends of the left chart. On logits there is nothing to clamp: the stable formula is exact everywhere. The focal loss down-weights easy examples (large |logit| on the right side) by (1 − p_t)^gamma.'),
  );
}
