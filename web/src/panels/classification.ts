// Panel 2: logits → softmax → cross-entropy → gradient, with class indices or probabilities as
// targets, label smoothing, class weights and the ignore index; and the hand-written softmax
// overflowing at large logits beside the stable one.
import * as Plot from '@observablehq/plot';
import { crossEntropy, softmax, tensor } from 'losskit';
import { checkbox, el, numberInput, readout, scroll, slider } from '../dom.js';
import type { State } from '../state.js';

export const SAMPLES = 3;
export const CLASSES = 4;

/** The losskit call this panel shows: its arguments (also used by the code panel). */
export function classificationCall(state: State) {
  const target = state.mode === 'indices' ? state.indices : state.probabilities;
  const options: Record<string, unknown> = {};
  if (state.smoothing !== 0) options.labelSmoothing = state.smoothing;
  if (state.weights.some((w) => w !== 1)) options.weight = state.weights;
  if (state.ignoreIndex !== -100) options.ignoreIndex = state.ignoreIndex;
  return { logits: state.logits, target, options };
}

/** The textbook softmax, exp(x) / sum(exp(x)), in float32 like the tutorial's: NaN once exp overflows. */
function naiveSoftmax(row: number[]): number[] {
  const f = Math.fround;
  const e = row.map((v) => f(Math.exp(v)));
  const sum = e.reduce((a, b) => f(a + b), 0);
  return e.map((v) => f(v / sum));
}

export function renderClassification(root: HTMLElement, state: State, update: (change: Partial<State>) => void): void {
  const { logits, target, options } = classificationCall(state);
  let result: ReturnType<typeof crossEntropy.withGrad> | null = null;
  let perSample: number[] = [];
  let problem = '';
  try {
    result = crossEntropy.withGrad(logits, target, options);
    perSample = Array.from(crossEntropy(logits, target, { ...options, reduction: 'none' }).data);
  } catch (e) {
    problem = (e as Error).message;
  }
  const probabilities = softmax(logits).toArray() as number[][];

  const logitTable = el(
    'table',
    { 'aria-label': 'logits and targets' },
    el('tr', {}, el('th', {}, 'sample'), ...Array.from({ length: CLASSES }, (_, c) => el('th', {}, `logit ${c}`)), el('th', {}, state.mode === 'indices' ? 'target class' : 'target probabilities')),
    ...logits.map((row, i) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, String(i)),
        ...row.map((v, c) =>
          el('td', {}, numberInput(`logit-${i}-${c}`, `logit of sample ${i}, class ${c}`, v, 0.1, (x) => update({ logits: logits.map((r, k) => (k === i ? r.map((u, j) => (j === c ? x : u)) : r)) }))),
        ),
        el('td', {}, state.mode === 'indices' ? targetSelect(state, i, update) : probabilityInputs(state, i, update)),
      ),
    ),
  );

  const weights = el(
    'span',
    {},
    'class weights ',
    ...state.weights.map((w, c) => numberInput(`weight-${c}`, `weight of class ${c}`, w, 0.1, (x) => update({ weights: state.weights.map((u, k) => (k === c ? x : u)) }))),
  );
  const modes = el(
    'fieldset',
    {},
    el('legend', {}, 'targets'),
    ...(['indices', 'probabilities'] as const).map((mode) => {
      const input = el('input', { type: 'radio', name: 'mode', id: `mode-${mode}`, value: mode });
      input.checked = state.mode === mode;
      input.addEventListener('change', () => update({ mode }));
      return el('label', { for: `mode-${mode}` }, input, mode === 'indices' ? ' class indices ' : ' probability rows ');
    }),
  );

  const bars = Plot.plot({
    width: 500,
    height: 200,
    marginLeft: 40,
    fx: { label: 'sample' },
    x: { label: null, axis: null },
    y: { label: 'softmax probability', domain: [0, 1], grid: true },
    color: { legend: true, label: 'class', type: 'ordinal' },
    marks: [Plot.barY(probabilities.flatMap((row, i) => row.map((p, c) => ({ sample: i, c, p }))), { fx: 'sample', x: 'c', y: 'p', fill: 'c' })],
  });
  const gradient = result ? (result.grad!.toArray() as number[][]) : [];
  const heatmap = Plot.plot({
    width: 500,
    height: 200,
    marginLeft: 60,
    x: { label: 'class' },
    y: { label: 'sample' },
    color: { type: 'diverging', scheme: 'RdBu', pivot: 0, legend: true, label: 'd loss / d logit' },
    marks: [
      Plot.cell(gradient.flatMap((row, i) => row.map((g, c) => ({ sample: i, c, g }))), { x: 'c', y: 'sample', fill: 'g' }),
      Plot.text(gradient.flatMap((row, i) => row.map((g, c) => ({ sample: i, c, g: g.toFixed(3), dark: Math.abs(g) > 0.15 }))), {
        x: 'c',
        y: 'sample',
        text: 'g',
        fill: (d: { dark: boolean }) => (d.dark ? 'white' : 'black'),
      }),
    ],
  });

  const outputs = el(
    'table',
    { 'aria-label': 'cross-entropy' },
    el('tr', {}, el('th', {}, 'sample'), ...perSample.map((_, i) => el('th', {}, String(i))), el('th', {}, 'mean')),
    el('tr', {}, el('th', { scope: 'row' }, 'cross-entropy'), ...perSample.map((v, i) => readout(`ce-sample-${i}`, v)), ...(result ? [readout('ce-mean', result.loss.item())] : [])),
  );
  const gradientTable = el(
    'table',
    { 'aria-label': 'gradient with respect to the logits' },
    ...gradient.map((row, i) => el('tr', {}, el('th', { scope: 'row' }, `sample ${i}`), ...row.map((g, c) => readout(`ce-grad-${i}-${c}`, g)))),
  );

  const scaled = logits.map((row) => row.map((v) => v * 1000));
  const large = state.large
    ? el(
        'div',
        {},
        el('p', {}, 'Logits × 1000: the hand-written softmax overflows (exp(1000) = Infinity, Infinity / Infinity = NaN); losskit subtracts the maximum first.'),
        el('pre', { 'data-test': 'naive-softmax' }, `by hand: ${tensor(scaled.map(naiveSoftmax))}`),
        el('pre', { 'data-test': 'stable-softmax' }, `softmax: ${softmax(scaled)}`),
      )
    : el('span');

  root.replaceChildren(
    el('h2', { id: 'classification-title' }, '2. Classification: softmax and cross-entropy'),
    el(
      'div',
      { class: 'controls' },
      modes,
      slider('smoothing', 'label smoothing', 0, 1, 0.01, state.smoothing, (smoothing) => update({ smoothing })),
      weights,
      el('label', { for: 'ignore-index' }, 'ignore index ', numberInput('ignore-index', 'ignore index', state.ignoreIndex, 1, (ignoreIndex) => update({ ignoreIndex }))),
      checkbox('large', 'show logits × 1000 (overflow)', state.large, (on) => update({ large: on })),
    ),
    scroll(logitTable),
    problem ? el('p', { class: 'error', role: 'alert', 'data-test': 'ce-error' }, problem) : scroll(outputs),
    el('div', { class: 'charts' }, el('figure', {}, bars), el('figure', {}, heatmap)),
    scroll(gradientTable),
    large,
    el('p', { class: 'note' }, "The gradient of the mean cross-entropy is (softmax − target) / N in the plain case: each row sums to 0. Label smoothing mixes labelSmoothing / C of the uniform distribution into the target; class weights scale each sample by its target class's weight, and the mean divides by the sum of those weights."),
  );
}

function targetSelect(state: State, i: number, update: (change: Partial<State>) => void): HTMLSelectElement {
  const select = el('select', { id: `target-${i}`, 'aria-label': `target class of sample ${i}` });
  const values = [...Array.from({ length: CLASSES }, (_, c) => c), ...(state.ignoreIndex < 0 || state.ignoreIndex >= CLASSES ? [state.ignoreIndex] : [])];
  for (const v of values) {
    const option = el('option', { value: String(v) }, v === state.ignoreIndex ? `${v} (ignored)` : String(v));
    option.selected = v === state.indices[i];
    select.append(option);
  }
  select.addEventListener('change', () => update({ indices: state.indices.map((t, k) => (k === i ? Number(select.value) : t)) }));
  return select;
}

function probabilityInputs(state: State, i: number, update: (change: Partial<State>) => void): HTMLSpanElement {
  return el(
    'span',
    {},
    ...state.probabilities[i].map((p, c) =>
      numberInput(`prob-${i}-${c}`, `target probability of sample ${i}, class ${c}`, p, 0.05, (x) =>
        update({ probabilities: state.probabilities.map((r, k) => (k === i ? r.map((u, j) => (j === c ? x : u)) : r)) }),
      ),
    ),
  );
}
