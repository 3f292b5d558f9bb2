// Train mode: gradient descent on the outliers example's data (y = 2x + 1, 20 gross outliers among
// the 40 rightmost points), one line per loss, step by step or playing. The gradients are losskit's
// withGrad gradients with respect to the predictions; the chain rule to (a, b) is two sums.
import { huberLoss, l1Loss, mseLoss, smoothL1Loss, tensor } from 'losskit';
import { outlierData, TRUE_LINE } from '../../../examples/lib/outlier-data.js';
import { button, el, format, readout, scroll, slider } from '../dom.js';
import { Chart, legend } from '../chart.js';
import { codePanel, section } from '../section.js';
import type { Store } from '../store.js';

const SEED = 7; // the example's default seed
type Fn = typeof l1Loss;
export const FITS: { id: string; label: string; fn: Fn; options: Record<string, number> }[] = [
  { id: 'l1', label: 'MAE (L1)', fn: l1Loss, options: {} },
  { id: 'mse', label: 'MSE', fn: mseLoss, options: {} },
  { id: 'smoothL1', label: 'smooth L1 (beta 1)', fn: smoothL1Loss as unknown as Fn, options: { beta: 1 } },
  { id: 'huber', label: 'Huber (delta 1.5)', fn: huberLoss as unknown as Fn, options: { delta: 1.5 } },
];

export function trainSection(store: Store): HTMLElement {
  const s = section('train', '5. Train: fitting a line with each loss', "Gradient descent on 200 points of y = 2x + 1 where 20 of the 40 rightmost are pushed up by 15–30 (the outliers example's data). Same start, same step size: MSE is pulled by the outliers, MAE keeps jittering, smooth L1 and Huber settle near the true line.");
  store.define('lr', 0.05);
  if (store.problems.has('lr')) s.error.set(store.problems.get('lr')!);
  const { x, y } = outlierData(SEED);
  const target = tensor(y);
  let params = FITS.map(() => ({ a: 0, b: 0 }));
  /** |Δa| + |Δb| of each fit's last step: MAE's stays at the size its constant gradient gives, the others' shrink. */
  let moved = FITS.map(() => 0);
  let history: number[][] = FITS.map(() => []);
  let step = 0;
  let playing = false;

  const lr = slider('lr', 'learning rate', { min: 0.005, max: 0.2, step: 0.005, value: store.get('lr'), onInput: (v) => store.set({ lr: v }) });
  const stepButton = button('train-step', 'Step', () => (advance(1), draw()));
  const play = button('train-play', 'Play', () => toggle());
  play.setAttribute('aria-pressed', 'false');
  const reset = button('train-reset', 'Reset', () => (restart(), draw()));
  const stepCount = readout('train-steps', 'output');
  const fitChart = new Chart({ title: 'The data and the line each loss has fitted so far.', xLabel: 'x', yLabel: 'y', xDomain: [-3, 3], height: 260 });
  const lossChart = new Chart({ title: 'Loss per step, each relative to its value at step 0.', xLabel: 'step', yLabel: 'loss / loss at step 0', xDomain: [0, 1], height: 260 });
  const rows = FITS.map((f) => ({ a: readout(`train-a-${f.id}`, 'td'), b: readout(`train-b-${f.id}`, 'td'), err: readout(`train-slope-error-${f.id}`, 'td'), loss: readout(`train-loss-${f.id}`, 'td'), moved: readout(`train-moved-${f.id}`, 'td') }));
  const table = el(
    'table',
    { 'aria-live': 'off' },
    el('caption', {}, `Fitted y = a x + b (true: a = ${TRUE_LINE.a}, b = ${TRUE_LINE.b})`),
    el('tr', {}, ...['loss', 'a', 'b', '|a − 2|', 'loss value', 'last step |Δa| + |Δb|'].map((h) => el('th', { scope: 'col' }, h))),
    ...FITS.map((f, i) => el('tr', {}, el('th', { scope: 'row' }, f.label), rows[i].a, rows[i].b, rows[i].err, rows[i].loss, rows[i].moved)),
  );
  const status = el('p', { class: 'note', role: 'status', 'data-test': 'train-status' });
  const code = codePanel('train-code');
  s.root.append(
    el('div', { class: 'controls' }, lr.root, stepButton, play, reset, el('span', {}, 'step ', stepCount)),
    legend([...FITS.map((f, i) => ({ label: f.label, style: i })), { label: `true line y = ${TRUE_LINE.a}x + ${TRUE_LINE.b}`, style: 4 }], 'legend of the training charts'),
    el('div', { class: 'charts' }, fitChart.figure, lossChart.figure),
    scroll(table, 'fitted parameters'),
    status,
    code.root,
  );

  function restart(): void {
    params = FITS.map(() => ({ a: 0, b: 0 }));
    moved = FITS.map(() => 0);
    history = FITS.map(() => []);
    step = 0;
    FITS.forEach((_, i) => history[i].push(lossAt(i)));
  }
  function lossAt(i: number): number {
    const { a, b } = params[i];
    return FITS[i].fn(tensor(x.map((v) => a * v + b)), target, FITS[i].options).item();
  }
  function advance(n: number): void {
    const rate = store.get<number>('lr');
    for (let k = 0; k < n; k++) {
      FITS.forEach((f, i) => {
        const { a, b } = params[i];
        const { grad } = f.fn.withGrad(tensor(x.map((v) => a * v + b)), target, { ...f.options, argnums: [0] });
        let da = 0;
        let db = 0;
        for (let j = 0; j < x.length; j++) {
          da += grad.data[j] * x[j];
          db += grad.data[j];
        }
        params[i] = { a: a - rate * da, b: b - rate * db };
        moved[i] = rate * (Math.abs(da) + Math.abs(db));
        history[i].push(lossAt(i));
      });
      step++;
    }
  }
  function toggle(): void {
    playing = !playing;
    play.textContent = playing ? 'Pause' : 'Play';
    play.setAttribute('aria-pressed', String(playing));
    const tick = () => {
      if (!playing) return;
      advance(4);
      draw();
      if (step >= 2000) toggle();
      else requestAnimationFrame(tick);
    };
    if (playing) requestAnimationFrame(tick);
    else draw();
  }
  function draw(): void {
    stepCount.set(step);
    const ends = new Float64Array([-3, 3]);
    fitChart.update({
      series: [...FITS.map((f, i) => ({ id: f.id, label: f.label, style: i, xs: ends, ys: ends.map((v) => params[i].a * v + params[i].b) })), { id: 'true', label: 'true line', style: 4, xs: ends, ys: ends.map((v) => TRUE_LINE.a * v + TRUE_LINE.b) }],
      dots: { xs: x, ys: y },
      yDomain: [-6, 36],
      description: `After ${step} steps: ${FITS.map((f, i) => `${f.label} a = ${format(params[i].a)}, b = ${format(params[i].b)}`).join('; ')}.`,
    });
    const steps = Float64Array.from({ length: step + 1 }, (_, k) => k);
    lossChart.update({
      series: FITS.map((f, i) => ({ id: f.id, label: f.label, style: i, xs: steps, ys: history[i].map((v) => v / history[i][0]) })),
      xDomain: [0, Math.max(10, step)],
      yDomain: [0, 1.05],
      description: `Losses at step ${step}: ${FITS.map((f, i) => `${f.label} ${format(history[i][step])}`).join(', ')}.`,
    });
    FITS.forEach((_, i) => {
      rows[i].a.set(params[i].a);
      rows[i].b.set(params[i].b);
      rows[i].err.set(Math.abs(params[i].a - TRUE_LINE.a));
      rows[i].loss.set(history[i][step]);
      rows[i].moved.set(moved[i]);
    });
    if (!playing) status.textContent = `Step ${step}. ${FITS.map((f, i) => `${f.label}: a = ${format(params[i].a)}`).join(', ')}.`;
  }

  store.watch(['lr'], () => {
    lr.set(store.get('lr'));
    code.set(
      [
        `import { huberLoss, l1Loss, mseLoss, smoothL1Loss, tensor } from 'losskit';`,
        `// x, y: the outliers example's data (examples/lib/outlier-data.js, seed ${SEED})`,
        `let a = 0, b = 0;`,
        `for (let step = 0; step < 2000; step++) {`,
        `  const { grad } = huberLoss.withGrad(tensor(x.map((v) => a * v + b)), tensor(y), { delta: 1.5, argnums: [0] });`,
        `  let da = 0, db = 0;`,
        `  for (let i = 0; i < x.length; i++) { da += grad.data[i] * x[i]; db += grad.data[i]; }`,
        `  a -= ${store.get('lr')} * da; b -= ${store.get('lr')} * db;`,
        `}`,
      ].join('\n'),
    );
  });
  restart();
  draw();
  return s.root;
}
