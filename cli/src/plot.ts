// `losskit plot`: each loss and its derivative (the library's own analytic gradient) against the
// error, the probability or the logit, as SVG rendered by Vega-Lite in Node.
import * as L from 'losskit';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { CliError } from './errors.js';
import { type AnyLoss } from './losses.js';
import { PLOT_NAMES } from './plot-names.js';

export const PANEL_WIDTH = 480;
export const PANEL_HEIGHT = 200;
export const SAMPLES = 241;

/** One curve: its name and the library call that gives its loss and gradient at x. */
interface Curve {
  name: string;
  /** Arguments of the loss at the sampled x values. */
  args: (xs: Float64Array) => unknown[];
  fn: AnyLoss;
  options: Record<string, unknown>;
}

interface PlotKind {
  family: 'regression' | 'probability' | 'logit' | 'margin';
  xTitle: string;
  defaultRange: [number, number];
  curves: (options: PlotOptions) => Curve[];
}

export interface PlotOptions {
  beta?: number;
  delta?: number;
  posWeight?: number;
  alpha?: number;
  gamma?: number;
  margin?: number;
  labelSmoothing?: number;
  classes?: number;
}

const zeros = (xs: Float64Array) => new Float64Array(xs.length);
const filled = (xs: Float64Array, v: number) => new Float64Array(xs.length).fill(v);
const vector = (data: Float64Array) => L.tensor(data);
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const regression = (name: string, fn: unknown, options: (o: PlotOptions) => Record<string, unknown>, label: (o: PlotOptions) => string): PlotKind => ({
  family: 'regression',
  xTitle: 'error (input − target)',
  defaultRange: [-3, 3],
  curves: (o) => [{ name: `${name}${label(o)}`, fn: fn as AnyLoss, args: (xs) => [vector(xs), vector(zeros(xs))], options: defined(options(o)) }],
});

const twoLabels = (name: string, fn: unknown, family: PlotKind['family'], xTitle: string, range: [number, number], labels: [number, number], options: (o: PlotOptions) => Record<string, unknown>): PlotKind => ({
  family,
  xTitle,
  defaultRange: range,
  curves: (o) =>
    labels.map((y) => ({ name: `${name}, y = ${y}`, fn: fn as AnyLoss, args: (xs: Float64Array) => [vector(xs), vector(filled(xs, y))], options: defined(options(o)) })),
});

export const PLOTS: Record<string, PlotKind> = {
  l1: regression('l1', L.l1Loss, () => ({}), () => ''),
  mse: regression('mse', L.mseLoss, () => ({}), () => ''),
  'smooth-l1': regression('smooth-l1', L.smoothL1Loss, (o) => ({ beta: o.beta }), (o) => ` (beta = ${o.beta ?? 1})`),
  huber: regression('huber', L.huberLoss, (o) => ({ delta: o.delta }), (o) => ` (delta = ${o.delta ?? 1})`),
  bce: twoLabels('bce', L.binaryCrossEntropy, 'probability', 'p (predicted probability)', [0.01, 0.99], [1, 0], () => ({})),
  'bce-with-logits': twoLabels('bce-with-logits', L.binaryCrossEntropyWithLogits, 'logit', 'logit', [-6, 6], [1, 0], (o) => ({ posWeight: o.posWeight === undefined ? undefined : [o.posWeight] })),
  'sigmoid-focal': twoLabels('sigmoid-focal', L.sigmoidFocalLoss, 'logit', 'logit', [-6, 6], [1, 0], (o) => ({ alpha: o.alpha, gamma: o.gamma })),
  'soft-margin': twoLabels('soft-margin', L.softMarginLoss, 'margin', 'input', [-4, 4], [1, -1], () => ({})),
  'hinge-embedding': twoLabels('hinge-embedding', L.hingeEmbeddingLoss, 'margin', 'input (distance)', [0, 3], [1, -1], (o) => ({ margin: o.margin })),
  'cross-entropy': {
    family: 'logit',
    xTitle: "true class's logit (other logits 0)",
    defaultRange: [-6, 6],
    curves: (o) => {
      const classes = o.classes ?? 3;
      if (!Number.isInteger(classes) || classes < 2) throw new CliError(`--classes must be an integer >= 2, got ${classes}`, 2);
      return [
        {
          name: `cross-entropy (${classes} classes${o.labelSmoothing ? `, label smoothing ${o.labelSmoothing}` : ''})`,
          fn: L.crossEntropy as AnyLoss,
          // Row i: logits [x_i, 0, ..., 0] with target class 0.
          args: (xs) => [
            L.tensor(Float64Array.from({ length: xs.length * classes }, (_, k) => (k % classes === 0 ? xs[k / classes] : 0)), { shape: [xs.length, classes] }),
            L.tensor(new Float64Array(xs.length)),
          ],
          options: defined({ labelSmoothing: o.labelSmoothing }),
        },
      ];
    },
  },
};

PLOTS.mae = PLOTS.l1;

export interface PlotPoint {
  x: number;
  curve: string;
  loss: number;
  derivative: number;
}

/** The sampled curves: loss and derivative (w.r.t. the first argument, at the row's own x). */
export function plotData(names: readonly string[], range: [number, number] | undefined, options: PlotOptions): { points: PlotPoint[]; kinds: PlotKind[]; range: [number, number] } {
  const kinds = names.map((name) => {
    const kind = PLOTS[name];
    if (!kind) throw new CliError(`cannot plot '${name}' (plottable: ${PLOT_NAMES.join(', ')})`, 2);
    return kind;
  });
  const families = new Set(kinds.map((k) => k.family));
  if (families.size > 1) throw new CliError(`cannot plot ${names.join(', ')} on one chart: their x axes differ (${[...families].join(' vs ')})`, 2);
  const [lo, hi] = range ?? kinds[0].defaultRange;
  if (!(lo < hi)) throw new CliError(`--range must be two numbers low,high with low < high, got ${lo},${hi}`, 2);
  const xs = Float64Array.from({ length: SAMPLES }, (_, i) => lo + ((hi - lo) * i) / (SAMPLES - 1));
  const points: PlotPoint[] = [];
  for (const kind of kinds) {
    for (const curve of kind.curves(options)) {
      const args = curve.args(xs);
      let result;
      try {
        result = curve.fn.withGrad!(...args, { ...curve.options, reduction: 'none' });
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const grad = result.grad!;
      const perRow = grad.size / xs.length; // cross-entropy: the true class's logit is column 0
      xs.forEach((x, i) => points.push({ x, curve: curve.name, loss: result.loss.data[i], derivative: grad.data[i * perRow] }));
    }
  }
  return { points, kinds, range: [lo, hi] };
}

/** [min, max] of finite values (widened when flat), used as the exact y domain of a panel. */
export function domainOf(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (!(lo < hi)) {
    lo -= 1;
    hi += 1;
  }
  return [lo, hi];
}

/** The chart as SVG. Scales use exact domains (no "nice" rounding), so pixels map back to values. */
export async function renderPlot(names: readonly string[], range: [number, number] | undefined, options: PlotOptions, title?: string): Promise<string> {
  const { points, kinds, range: xDomain } = plotData(names, range, options);
  const panel = (field: 'loss' | 'derivative', yTitle: string) => ({
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    mark: { type: 'line', strokeWidth: 2, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: kinds[0].xTitle, scale: { domain: xDomain, nice: false, zero: false } },
      y: { field, type: 'quantitative', title: yTitle, scale: { domain: domainOf(points.map((p) => p[field])), nice: false, zero: false } },
      color: { field: 'curve', type: 'nominal', title: 'loss', sort: null },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: title ?? `${names.join(', ')}: loss and derivative`,
    data: { values: points.map((p) => ({ ...p, loss: finiteOrNull(p.loss), derivative: finiteOrNull(p.derivative) })) },
    vconcat: [panel('loss', 'loss'), panel('derivative', 'd loss / d input')],
    config: { font: 'sans-serif', legend: { labelLimit: 320 } },
  };
  const compiled = vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
