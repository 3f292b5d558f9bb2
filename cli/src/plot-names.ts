// The losses `losskit plot` draws: every catalogue entry with a plot, grouped by x axis (kept apart
// from plot.ts so that `--help` does not load Vega).
import { catalog, cliNameOf, type CatalogEntry, type OptionSpec, type PlotAxis, type PlotSpec } from 'losskit';

/** The x axes, in the order help lists them; losses share a chart when their axes share a family. */
export const AXES: Record<PlotAxis, { family: 'regression' | 'probability' | 'logit' | 'margin'; title: string }> = {
  error: { family: 'regression', title: 'error (input − target)' },
  probability: { family: 'probability', title: 'p (predicted probability)' },
  logit: { family: 'logit', title: 'logit' },
  'true-class-logit': { family: 'logit', title: "true class's logit (other logits 0)" },
  margin: { family: 'margin', title: 'input' },
  distance: { family: 'margin', title: 'input (distance)' },
};

export interface Plottable {
  entry: CatalogEntry;
  plot: PlotSpec;
  /** The options the plot takes as flags (library names). */
  options: readonly string[];
}

const axisOrder = Object.keys(AXES);

export const PLOTTABLE: readonly Plottable[] = Object.values(catalog)
  .flatMap((entry) => {
    const plot = entry.plot;
    if (!plot) return [];
    const options = plot.options ?? Object.keys(entry.options).filter((k) => entry.options[k].type === 'number');
    return [{ entry, plot, options }];
  })
  .sort((a, b) => axisOrder.indexOf(a.plot.x) - axisOrder.indexOf(b.plot.x));

export const PLOT_NAMES = PLOTTABLE.map((p) => p.entry.cliName);

/** The plot names as help shows them, with their library aliases: `l1 (mae), mse, ...`. */
export const PLOT_NAMES_HELP = PLOTTABLE.map(({ entry }) => {
  const aliases = entry.aliases.map(cliNameOf).filter((a) => a !== entry.cliName);
  return aliases.length > 0 ? `${entry.cliName} (${aliases.join(', ')})` : entry.cliName;
}).join(', ');

/** Every option a plot takes, with the plottable losses that take it: the plot command's flags. */
export function plotFlags(): Map<string, { spec: OptionSpec; losses: string[] }> {
  const flags = new Map<string, { spec: OptionSpec; losses: string[] }>();
  for (const { entry, options } of PLOTTABLE) {
    for (const name of options) {
      const flag = flags.get(name) ?? { spec: entry.options[name], losses: [] };
      flag.losses.push(entry.cliName);
      flags.set(name, flag);
    }
  }
  return flags;
}
