// `losskit plot`: each loss and its derivative (the library's own analytic gradient) against the
// error, the probability or the logit, as SVG rendered by Vega-Lite in Node.
import * as L from 'losskit';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { CliError } from './errors.js';
import type { AnyLoss } from 'losskit';
import { lookup } from './losses.js';
import { AXES, PLOT_NAMES_HELP, PLOTTABLE, type Plottable } from './plot-names.js';

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

/** The plot command's options: the losses' own (library names, one number each) and `classes`. */
export type PlotOptions = Record<string, number | undefined> & { classes?: number };

const filled = (xs: Float64Array, v: number) => new Float64Array(xs.length).fill(v);
// Losses over rows (Keras's means over the last axis) take one x per row, as a column [n, 1].
const vector = (data: Float64Array, rows = false) => (rows ? L.tensor(data, { shape: [data.length, 1] }) : L.tensor(data));

/** The loss's options among the plot's flags; a tensor option (posWeight) gets its one number as a 1-element tensor. */
function lossOptions(p: Plottable, o: PlotOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of p.options) {
    if (o[name] !== undefined) out[name] = p.entry.options[name].type === 'tensor' ? [o[name]] : o[name];
  }
  return out;
}

/** The curves of one loss, as it is named on the command line (`shown`). */
function curves(p: Plottable, shown: string, o: PlotOptions): Curve[] {
  const fn = p.entry.fn as unknown as AnyLoss;
  const options = lossOptions(p, o);
  switch (p.plot.x) {
    case 'error': {
      // Regression losses against input − target (target 0), labelled with their parameters.
      const params = p.options.map((k) => `${k} = ${o[k] ?? p.entry.options[k].default}`);
      const name = params.length > 0 ? `${shown} (${params.join(', ')})` : shown;
      const rows = p.entry.items === 'rows';
      return [{ name, fn, args: (xs) => [vector(xs, rows), vector(filled(xs, 0), rows)], options }];
    }
    case 'true-class-logit': {
      const classes = o.classes ?? 3;
      if (!Number.isInteger(classes) || classes < 2) throw new CliError(`--classes must be an integer >= 2, got ${classes}`, 2);
      const smoothing = o.labelSmoothing;
      return [
        {
          name: `${shown} (${classes} classes${smoothing ? `, label smoothing ${smoothing}` : ''})`,
          fn,
          // Row i: logits [x_i, 0, ..., 0] with target class 0.
          args: (xs) => [
            L.tensor(Float64Array.from({ length: xs.length * classes }, (_, k) => (k % classes === 0 ? xs[k / classes] : 0)), { shape: [xs.length, classes] }),
            L.tensor(new Float64Array(xs.length)),
          ],
          options,
        },
      ];
    }
    case 'probability':
    case 'logit':
    case 'margin':
    case 'distance':
      return (p.plot.targets ?? [0]).map((y) => {
        const rows = p.entry.items === 'rows';
        return { name: `${shown}, y = ${y}`, fn, args: (xs: Float64Array) => [vector(xs, rows), vector(filled(xs, y), rows)], options };
      });
    default: {
      const never: never = p.plot.x;
      throw new Error(`unknown plot axis '${String(never)}' (valid: ${Object.keys(AXES).join(', ')})`);
    }
  }
}

export interface PlotPoint {
  x: number;
  curve: string;
  loss: number;
  derivative: number;
}

/** The sampled curves: loss and derivative (w.r.t. the first argument, at the row's own x). */
export function plotData(names: readonly string[], range: [number, number] | undefined, options: PlotOptions): { points: PlotPoint[]; kinds: Plottable[]; range: [number, number] } {
  const kinds = names.map((name) => {
    const { found, guess } = lookup(name, PLOTTABLE);
    if (!found) throw new CliError(`cannot plot '${name}'${guess ? ` (did you mean '${guess}'?)` : ''} (plottable: ${PLOT_NAMES_HELP})`, 2);
    return found;
  });
  const families = new Set(kinds.map((k) => AXES[k.plot.x].family));
  if (families.size > 1) throw new CliError(`cannot plot ${names.join(', ')} on one chart: their x axes differ (${[...families].join(' vs ')})`, 2);
  const [lo, hi] = range ?? kinds[0].plot.range;
  if (!(lo < hi)) throw new CliError(`--range must be two numbers low,high with low < high, got ${lo},${hi}`, 2);
  const xs = Float64Array.from({ length: SAMPLES }, (_, i) => lo + ((hi - lo) * i) / (SAMPLES - 1));
  const points: PlotPoint[] = [];
  kinds.forEach((kind, k) => {
    for (const curve of curves(kind, names[k], options)) {
      const args = curve.args(xs);
      let result;
      try {
        result = curve.fn.withGrad(...args, { ...curve.options, reduction: 'none' });
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const grad = result.grad!;
      const perRow = grad.size / xs.length; // cross-entropy: the true class's logit is column 0
      xs.forEach((x, i) => points.push({ x, curve: curve.name, loss: result.loss.data[i], derivative: grad.data[i * perRow] }));
    }
  });
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
      x: { field: 'x', type: 'quantitative', title: AXES[kinds[0].plot.x].title, scale: { domain: xDomain, nice: false, zero: false } },
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
