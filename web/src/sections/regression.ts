// Tutorial §4: MAE (L1), MSE, smooth L1 and Huber against the error, with their gradients. The
// error is dragged on either chart (mouse, touch) or set by its slider (keyboard); the x-range
// stays put while dragging. Smooth L1's quadratic zone is shaded at ±beta; the y-axis is fitted to
// the robust losses (MSE leaves the chart) unless asked otherwise; Huber's slope delta against
// smooth L1's slope 1 is read off at an outlier.
import { huberLoss, l1Loss, mseLoss, smoothL1Loss } from 'losskit';
import { button, checkbox, el, format, readout, scroll, select, slider } from '../dom.js';
import { Chart, STYLES } from '../chart.js';
import { formula } from '../math.js';
import { codePanel, section } from '../section.js';
import type { Store } from '../store.js';
import { lossEntry } from '../catalog.js';
import { optionControl } from '../option-control.js';

/** The tutorial's differences (target 0) at which it lists values and gradients. */
export const TUTORIAL_POINTS = [-3, -1, -0.5, 0, 0.5, 1, 3];
const SAMPLES = 401;
const KEYS = ['l1', 'mse', 'smoothL1', 'huber'] as const;
type Key = (typeof KEYS)[number];
const LABEL: Record<Key, string> = { l1: 'MAE (L1)', mse: 'MSE', smoothL1: 'smooth L1', huber: 'Huber' };
const STYLE: Record<Key, number> = { l1: 0, mse: 1, smoothL1: 2, huber: 3 };

type Curve = { loss: Float64Array; grad: Float64Array };
/** Value and gradient (w.r.t. the prediction, target 0) of one loss at each x, from losskit. */
function evaluate(key: Key, xs: Float64Array, beta: number, delta: number): Curve {
  const zeros = new Float64Array(xs.length);
  const none = { reduction: 'none' as const };
  const r =
    key === 'l1' ? l1Loss.withGrad(xs, zeros, none) : key === 'mse' ? mseLoss.withGrad(xs, zeros, none) : key === 'smoothL1' ? smoothL1Loss.withGrad(xs, zeros, { ...none, beta }) : huberLoss.withGrad(xs, zeros, { ...none, delta });
  return { loss: r.loss.data as Float64Array, grad: r.grad!.data as Float64Array };
}

export function regressionSection(store: Store): HTMLElement {
  const s = section('regression', '4. Regression: MAE, MSE, smooth L1 and Huber', 'Drag on a chart (or use the error slider) to move the error; each loss is read off there. Watch the gradients: that is what training follows.');
  // Their controls from the catalogue's options. Delta starts at 1.5 (the outliers example's), not
  // the catalogue's 1: at delta = beta = 1 Huber and smooth L1 are one curve, one hidden under the other.
  const beta = optionControl(lossEntry('smoothL1Loss'), 'beta', store, { key: 'beta', id: 'beta', label: 'smooth L1 beta' })!;
  const delta = optionControl(lossEntry('huberLoss'), 'delta', store, { key: 'delta', id: 'delta', label: 'Huber delta', fallback: 1.5 })!;
  store.define('e', 0.5);
  store.define('xr', '4', ['4', '25']);
  store.define('scale', 'robust', ['robust', 'all']);
  store.define('show', [1, 1, 1, 1]);
  const urlProblems = ['beta', 'delta', 'e', 'xr', 'scale', 'show'].flatMap((k) => (store.problems.has(k) ? [store.problems.get(k)!] : []));

  const error = slider('error', 'error', { min: -4, max: 4, step: 0.01, value: store.get('e'), onInput: (v) => store.set({ e: v }) });
  const range = select('xr', 'x-range', [['4', '−4 … 4'], ['25', '−25 … 25']], store.get('xr'), (xr) => store.set({ xr, e: Math.max(-Number(xr), Math.min(Number(xr), store.get<number>('e'))) }));
  const scale = select('scale', 'y-axis fitted to', [['robust', 'MAE, smooth L1, Huber'], ['all', 'all, MSE too']], store.get('scale'), (v) => store.set({ scale: v }));
  // The show checkboxes are the figure's one legend: each carries its curve's colour and dash.
  const shows = KEYS.map((k, i) => {
    const c = checkbox(`show-${k}`, LABEL[k], store.get<number[]>('show')[i] === 1, (on) => store.set({ show: store.get<number[]>('show').map((v, j) => (j === i ? (on ? 1 : 0) : v)) }));
    const st = STYLES[STYLE[k]];
    c.root.prepend(swatch(st.color, st.dash));
    return c;
  });
  const drag = (x: number) => store.set({ e: Math.round(x * 100) / 100 });
  const lossChart = new Chart({ title: 'Loss against the error.', xLabel: 'error = prediction − target', yLabel: 'loss', xDomain: [-4, 4], onDrag: drag });
  const gradChart = new Chart({ title: 'Gradient d loss / d prediction.', xLabel: 'error = prediction − target', yLabel: 'gradient', xDomain: [-4, 4], onDrag: drag });
  lossChart.svg.dataset.test = 'regression-loss-chart';
  gradChart.svg.dataset.test = 'regression-grad-chart';

  const at = Object.fromEntries(KEYS.map((k) => [k, { loss: readout(`reg-loss-${k}`, 'td'), grad: readout(`reg-grad-${k}`, 'td') }])) as Record<Key, { loss: ReturnType<typeof readout>; grad: ReturnType<typeof readout> }>;
  const errorHead = el('th', { scope: 'col' });
  const atTable = el(
    'table',
    {},
    el('caption', {}, 'Each loss at the error'),
    el('tr', {}, el('th', { scope: 'col' }, 'loss'), errorHead, el('th', { scope: 'col' }, 'gradient')),
    ...KEYS.map((k) => el('tr', {}, el('th', { scope: 'row' }, LABEL[k]), at[k].loss, at[k].grad)),
  );
  const errorsLine = el('p', { class: 'error', role: 'alert', 'data-test': 'regression-curve-errors', hidden: '' });
  const slopes = { huber: readout('slope-huber', 'output'), smoothL1: readout('slope-smoothL1', 'output'), ratio: readout('huber-over-smoothL1', 'output') };
  const slopeNote = el('p', { class: 'callout', 'aria-live': 'polite' }, 'Outside its zone Huber rises with slope delta = ', slopes.huber, ', smooth L1 with slope 1 = ', slopes.smoothL1, ' (both read off at error 20). Huber with delta is delta × smooth L1 with beta = delta: at error 2, Huber / smooth L1 = ', slopes.ratio, '. Set delta = beta = 1 and the two curves coincide.');
  const zoneNote = el('p', { class: 'note', 'data-test': 'zone-note' });
  const tutorial = tutorialTable();
  const code = codePanel('regression-code');
  s.root.append(
    el('div', { class: 'formulas' },
      formula(String.raw`\text{MAE} = |e|,\quad \text{MSE} = e^2`),
      formula(String.raw`\text{smooth L1}_\beta = \begin{cases} 0.5\,e^2/\beta & |e| < \beta \\ |e| - 0.5\,\beta & \text{otherwise}\end{cases}`),
      formula(String.raw`\text{Huber}_\delta = \begin{cases} 0.5\,e^2 & |e| < \delta \\ \delta\,(|e| - 0.5\,\delta) & \text{otherwise}\end{cases}`),
    ),
    el('div', { class: 'controls' }, beta.root, delta.root, error.root, range.root, scale.root, button('outlier', 'Outlier: error 20', () => store.set({ xr: '25', e: 20 })), button('regression-reset', 'Reset', () => store.reset(['beta', 'delta', 'e', 'xr', 'scale', 'show']))),
    el('div', { class: 'legend', role: 'group', 'aria-label': 'curves shown (legend)' }, ...shows.map((c) => c.root)),
    errorsLine,
    el('div', { class: 'charts' }, lossChart.figure, gradChart.figure),
    zoneNote,
    scroll(atTable, 'values at the error'),
    slopeNote,
    tutorial.root,
    code.root,
  );
  if (urlProblems.length) s.error.set(urlProblems.join(' '));

  // Curves: each loss recomputed only when its own option or the x-range changes.
  const curves = {} as Record<Key, Curve | Error>;
  let xs = new Float64Array();
  const compute = (k: Key) => {
    try {
      curves[k] = evaluate(k, xs, store.get('beta'), store.get('delta'));
    } catch (e) {
      curves[k] = e as Error;
    }
  };
  store.watch(['xr'], () => {
    const r = Number(store.get('xr'));
    range.set(store.get('xr'));
    xs = Float64Array.from({ length: SAMPLES }, (_, i) => -r + (2 * r * i) / (SAMPLES - 1));
    const input = error.root.querySelector('input[type=range]') as HTMLInputElement;
    input.min = String(-r);
    input.max = String(r);
    KEYS.forEach(compute);
  });
  store.watch(['beta'], () => (beta.sync(), compute('smoothL1')));
  store.watch(['delta'], () => (delta.sync(), compute('huber')));

  store.watch(['beta', 'delta', 'xr', 'scale', 'show', 'e'], () => {
    const e = store.get<number>('e');
    const b = store.get<number>('beta');
    const d = store.get<number>('delta');
    const show = store.get<number[]>('show');
    error.set(e);
    scale.set(store.get('scale'));
    shows.forEach((c, i) => c.set(show[i] === 1));
    const visible = KEYS.filter((k, i) => show[i] === 1 && !(curves[k] instanceof Error));
    const problems = KEYS.flatMap((k) => (curves[k] instanceof Error ? [(curves[k] as Error).message] : []));
    errorsLine.textContent = problems.join(' ');
    errorsLine.hidden = problems.length === 0;
    const series = (what: 'loss' | 'grad') => visible.map((k) => ({ id: k, label: LABEL[k], style: STYLE[k], xs, ys: (curves[k] as Curve)[what] }));
    const values = Object.fromEntries(KEYS.map((k) => [k, curves[k] instanceof Error ? null : evaluate(k, new Float64Array([e]), b, d)])) as Record<Key, Curve | null>;
    for (const k of KEYS) {
      at[k].loss.set(values[k]?.loss[0] ?? NaN, values[k] ? undefined : 'error');
      at[k].grad.set(values[k]?.grad[0] ?? NaN, values[k] ? undefined : 'error');
    }
    errorHead.textContent = `value at error ${format(e)}`;
    const fit = store.get('scale') === 'robust' ? visible.filter((k) => k !== 'mse') : undefined;
    const zones = visible.includes('smoothL1') && b > 0 ? [{ x0: -b, x1: b, label: `|e| < beta` }] : [];
    const summary = (what: 'loss' | 'grad') => `At error ${format(e)}: ${visible.map((k) => `${LABEL[k]} ${format(values[k]![what][0])}`).join(', ')}.`;
    lossChart.update({ series: series('loss'), fit: fit?.length ? fit : undefined, xDomain: [xs[0], xs[xs.length - 1]], zones, marker: { x: e, ys: visible.map((k) => ({ style: STYLE[k], y: values[k]!.loss[0] })) }, description: summary('loss') });
    gradChart.update({ series: series('grad'), fit: fit?.length ? fit : undefined, xDomain: [xs[0], xs[xs.length - 1]], zones, marker: { x: e, ys: visible.map((k) => ({ style: STYLE[k], y: values[k]!.grad[0] })) }, description: summary('grad') });
    zoneNote.textContent = b > 0 ? `Shaded: smooth L1's quadratic zone, |e| < beta = ${format(b)}: inside it the loss is 0.5 e² / beta and the gradient e / beta, a straight line through 0; outside, the gradient is ±1.` : 'beta = 0: smooth L1 is exactly MAE (no quadratic zone).';
    code.set(
      [
        `import { huberLoss, l1Loss, mseLoss, smoothL1Loss } from 'losskit';`,
        `const e = [${e}], zero = [0]; // error = prediction − target`,
        `for (const [loss, options] of [[l1Loss, {}], [mseLoss, {}], [smoothL1Loss, { beta: ${b} }], [huberLoss, { delta: ${d} }]]) {`,
        `  const { loss: value, grad } = loss.withGrad(e, zero, options);`,
        `  console.log(value.item(), grad.item());`,
        `}`,
      ].join('\n'),
    );
  });
  store.watch(['beta', 'delta'], () => {
    try {
      slopes.huber.set(huberLoss.withGrad([20], [0], { delta: store.get<number>('delta') }).grad!.item());
      slopes.ratio.set(huberLoss([2], [0], { delta: store.get<number>('delta') }).item() / smoothL1Loss([2], [0], { beta: store.get<number>('delta') }).item());
    } catch {
      slopes.huber.set(NaN, '—');
      slopes.ratio.set(NaN, '—');
    }
    try {
      slopes.smoothL1.set(smoothL1Loss.withGrad([20], [0], { beta: store.get<number>('beta') }).grad!.item());
    } catch {
      slopes.smoothL1.set(NaN, '—');
    }
  });
  return s.root;
}

function swatch(color: string, dash: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const s = document.createElementNS(ns, 'svg');
  s.setAttribute('width', '30');
  s.setAttribute('height', '12');
  s.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS(ns, 'line');
  for (const [k, v] of Object.entries({ x1: '1', x2: '29', y1: '6', y2: '6', stroke: color, 'stroke-width': '3', ...(dash ? { 'stroke-dasharray': dash } : {}) })) line.setAttribute(k, v);
  s.append(line);
  return s;
}

/** The tutorial's table: values and gradients at its differences, beta = 1, computed by losskit. */
function tutorialTable(): { root: HTMLElement } {
  const xs = new Float64Array(TUTORIAL_POINTS);
  const table = el('table', { class: 'tutorial-points' }, el('caption', {}, "The tutorial's points (target 0, beta = 1): value / gradient"));
  table.append(el('tr', {}, el('th', { scope: 'col' }, 'difference'), ...TUTORIAL_POINTS.map((x) => el('th', { scope: 'col' }, format(x)))));
  for (const k of ['l1', 'mse', 'smoothL1'] as const) {
    const c = evaluate(k, xs, 1, 1);
    for (const what of ['loss', 'grad'] as const) {
      table.append(el('tr', {}, el('th', { scope: 'row' }, `${LABEL[k]} ${what === 'loss' ? 'value' : 'gradient'}`), ...Array.from(c[what], (v, i) => {
        const cell = readout(`tut-${k}-${what}-${i}`, 'td');
        cell.set(v);
        return cell;
      })));
    }
  }
  const note = el('p', { class: 'note' }, 'MAE: the gradient jumps from −1 to +1 at 0 (it is 0 exactly at 0, as in PyTorch), so a fixed step can hop over the minimum. MSE: the gradient 2e grows with the error: one outlier dominates. Smooth L1: quadratic inside [−beta, beta], linear outside: smooth at 0 and bounded for outliers (object detection uses it for box regression).');
  return { root: el('div', {}, scroll(table, "tutorial's points"), note) };
}
