// Panel 1: L1, MSE, smooth L1 and Huber against the error, with their derivatives, and a draggable
// error at which each loss's value and gradient are read off.
import * as Plot from '@observablehq/plot';
import { huberLoss, l1Loss, mseLoss, smoothL1Loss, tensor } from 'losskit';
import { checkbox, el, format, readout, scroll, slider } from '../dom.js';
import type { RegressionLoss, State } from '../state.js';

const NAMES: Record<RegressionLoss, string> = { l1: 'L1', mse: 'MSE', smoothL1: 'smooth L1', huber: 'Huber' };

/** Loss and gradient of each regression loss at the given errors (target 0), from losskit. */
export function regressionCurves(state: State, errors: number[]) {
  const x = tensor(Float64Array.from(errors));
  const zeros = tensor(new Float64Array(errors.length));
  const calls: Record<RegressionLoss, () => ReturnType<typeof l1Loss.withGrad>> = {
    l1: () => l1Loss.withGrad(x, zeros, { reduction: 'none' }),
    mse: () => mseLoss.withGrad(x, zeros, { reduction: 'none' }),
    smoothL1: () => smoothL1Loss.withGrad(x, zeros, { reduction: 'none', beta: state.beta }),
    huber: () => huberLoss.withGrad(x, zeros, { reduction: 'none', delta: state.delta }),
  };
  return Object.fromEntries(
    (Object.keys(calls) as RegressionLoss[]).map((k) => {
      const r = calls[k]();
      return [k, { loss: Array.from(r.loss.data), grad: Array.from(r.grad!.data) }];
    }),
  ) as Record<RegressionLoss, { loss: number[]; grad: number[] }>;
}

export function renderRegression(root: HTMLElement, state: State, update: (change: Partial<State>) => void): void {
  const range = Math.max(4, Math.ceil(Math.abs(state.error) + 1));
  const xs = Array.from({ length: 401 }, (_, i) => -range + (2 * range * i) / 400);
  const curves = regressionCurves(state, xs);
  const atError = regressionCurves(state, [state.error]);
  const visible = state.show;
  const rows = visible.flatMap((k) => xs.map((x, i) => ({ x, loss: curves[k].loss[i], grad: curves[k].grad[i], name: NAMES[k] })));
  const points = visible.map((k) => ({ x: state.error, loss: atError[k].loss[0], grad: atError[k].grad[0], name: NAMES[k] }));
  const chart = (y: 'loss' | 'grad', title: string) =>
    Plot.plot({
      width: 500,
      height: 260,
      marginLeft: 50,
      x: { label: 'error (prediction − target)', domain: [-range, range] },
      y: { label: title, grid: true },
      color: { legend: true, domain: Object.values(NAMES) },
      marks: [Plot.ruleY([0]), Plot.ruleX([state.error], { stroke: '#999', strokeDasharray: '4 3' }), Plot.line(rows, { x: 'x', y, stroke: 'name' }), Plot.dot(points, { x: 'x', y, fill: 'name', r: 5 })],
    });

  const lossChart = chart('loss', 'loss');
  // Drag on the loss chart to move the error: pixels map back through the chart's x scale.
  const scale = lossChart.scale('x') as unknown as { domain: [number, number]; range: [number, number] };
  const plotArea = (lossChart instanceof SVGSVGElement ? lossChart : [...lossChart.querySelectorAll('svg')].pop()!) as SVGSVGElement;
  const drag = (event: Event) => {
    const pointer = event as PointerEvent;
    if (pointer.type !== 'pointerdown' && pointer.buttons === 0) return;
    const box = plotArea.getBoundingClientRect();
    const px = ((pointer.clientX - box.left) / box.width) * Number(plotArea.getAttribute('width'));
    const [r0, r1] = scale.range;
    const [d0, d1] = scale.domain;
    const value = d0 + ((px - r0) / (r1 - r0)) * (d1 - d0);
    update({ error: Math.round(Math.max(-range, Math.min(range, value)) * 100) / 100 });
  };
  plotArea.addEventListener('pointerdown', drag);
  plotArea.addEventListener('pointermove', drag);
  plotArea.style.touchAction = 'none';
  plotArea.setAttribute('data-test', 'regression-loss-chart');

  const table = el(
    'table',
    { 'aria-label': 'loss and gradient at the error' },
    el('tr', {}, el('th', {}, 'loss'), el('th', {}, `value at error ${format(state.error)}`), el('th', {}, 'gradient')),
    ...visible.map((k) => el('tr', {}, el('th', { scope: 'row' }, NAMES[k]), readout(`reg-loss-${k}`, atError[k].loss[0]), readout(`reg-grad-${k}`, atError[k].grad[0]))),
  );
  root.replaceChildren(
    el('h2', { id: 'regression-title' }, '1. Regression: L1, MSE, smooth L1 and Huber'),
    el(
      'div',
      { class: 'controls' },
      slider('beta', 'smooth L1 beta', 0, 3, 0.05, state.beta, (beta) => update({ beta })),
      slider('delta', 'Huber delta', 0.05, 3, 0.05, state.delta, (delta) => update({ delta })),
      slider('error', 'error', -range, range, 0.01, state.error, (error) => update({ error })),
      ...(Object.keys(NAMES) as RegressionLoss[]).map((k) =>
        checkbox(`show-${k}`, NAMES[k], visible.includes(k), (on) => update({ show: (Object.keys(NAMES) as RegressionLoss[]).filter((n) => (n === k ? on : visible.includes(n))) })),
      ),
      el('button', { id: 'outlier', type: 'button' }, 'Outlier: error 20'),
    ),
    el('div', { class: 'charts' }, el('figure', {}, lossChart), el('figure', {}, chart('grad', 'd loss / d prediction'))),
    scroll(table),
    el(
      'p',
      { class: 'note' },
      "MAE (L1): the gradient jumps from −1 to +1 at 0 (it is 0 exactly at 0, as PyTorch). MSE: the gradient grows with the error — at an outlier it explodes. Smooth L1 and Huber: quadratic near 0 (smooth), linear outside (bounded gradient). Drag on the loss chart to move the error.",
    ),
  );
  root.querySelector('#outlier')!.addEventListener('click', () => update({ error: 20 }));
}
