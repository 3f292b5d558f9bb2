// What each loss's view plots: its value and gradient against one variable. For losses whose
// catalogue entry has a plot (its x axis, range and target values) the arguments follow from it;
// for the others, what makes sense for each is written here, keyed by catalogue name.
import type { LossEntry, PlotAxis } from './catalog.js';

export interface Sweep {
  xLabel: string;
  gradLabel: string;
  range: readonly [number, number];
  /** One curve per target value (or variant): its label and the loss's tensor arguments at the xs. */
  curves: { label: string; args: (xs: Float64Array) => unknown[] }[];
  /** The tensor argument whose gradient is plotted (default 0) and how a row of it gives d loss / d x (default: its first entry). */
  gradArg?: number;
  gradAt?: (g: ArrayLike<number>, row: number, perRow: number, x: number) => number;
  /** Losses that reduce over everything by default (Dice, Tversky): one call per x, its 0-d loss and the gradient's first entry. */
  each?: boolean;
  /** Losses without withGrad: the value at one x. */
  pointwise?: (fn: LossEntry['fn'], x: number, options: Record<string, unknown>) => number;
  /** The JavaScript of the arguments, for the code panel. */
  argsCode: string;
}

const fill = (n: number, v: number) => new Float64Array(n).fill(v);
const rows = (xs: Float64Array, row: (x: number) => number[]) => {
  const width = row(0).length;
  const out = new Float64Array(xs.length * width);
  xs.forEach((x, i) => out.set(row(x), i * width));
  return { data: out, shape: [xs.length, width] };
};
/** A [n, width] argument as losskit takes it: data and shape (tensor(data, { shape })). */
export type Rows = ReturnType<typeof rows>;
const ints = (xs: Float64Array, row: number[]) => ({ data: Int32Array.from({ length: xs.length * row.length }, (_, k) => row[k % row.length]), shape: row.length === 1 ? [xs.length] : [xs.length, row.length] });

const AXIS: Record<PlotAxis, string> = {
  error: 'error = input − target',
  probability: 'p (predicted probability)',
  logit: 'logit',
  'true-class-logit': "true class's logit (other logits 0)",
  margin: 'input (target ±1)',
  distance: 'input (a distance)',
};

function fromPlot(entry: LossEntry): Sweep | null {
  const plot = entry.plot;
  if (!plot) return null;
  const targets = plot.targets ?? [0];
  if (plot.x === 'true-class-logit') {
    return {
      xLabel: AXIS[plot.x],
      gradLabel: "d loss / d true class's logit",
      range: plot.range,
      curves: [{ label: 'target class 0 of 3', args: (xs) => [rows(xs, (x) => [x, 0, 0]), ints(xs, [0])] }],
      argsCode: 'rows [x, 0, 0] (3 classes), target class 0',
    };
  }
  return {
    xLabel: AXIS[plot.x],
    gradLabel: 'd loss / d input',
    range: plot.range,
    curves: targets.map((t) => ({ label: `target ${t}`, args: (xs: Float64Array) => [xs, fill(xs.length, t)] })),
    argsCode: `input = x, target = ${targets.length === 1 ? targets[0] : targets.join(' or ')}`,
  };
}

// Shared by the losses of one family.
const triplet: Sweep = {
  xLabel: 'position of the negative (anchor at 0, positive at 1)',
  gradLabel: 'd loss / d negative',
  range: [0, 4],
  curves: [{ label: 'anchor [0, 0], positive [1, 0]', args: (xs) => [rows(xs, () => [0, 0]), rows(xs, () => [1, 0]), rows(xs, (x) => [x, 0])] }],
  gradArg: 2,
  argsCode: 'anchor rows [0, 0], positive rows [1, 0], negative rows [x, 0]',
};
const box: Sweep = {
  xLabel: 'shift of box 1 to the right of box 2 (unit squares)',
  gradLabel: 'd loss / d shift',
  range: [-2.5, 2.5],
  curves: [{ label: 'box 2 = [0, 0, 1, 1]', args: (xs) => [rows(xs, (x) => [x, 0, x + 1, 1]), rows(xs, () => [0, 0, 1, 1])] }],
  // The shift moves x1 and x2 together.
  gradAt: (g, row, perRow) => g[row * perRow] + g[row * perRow + 2],
  argsCode: 'boxes1 rows [x, 0, x + 1, 1], boxes2 rows [0, 0, 1, 1] (x1, y1, x2, y2)',
};
const overlap: Sweep = {
  xLabel: 'predicted probability of the masked pixel (the other pixel 0.3, unmasked)',
  gradLabel: 'd loss / d that probability',
  range: [0, 1],
  curves: [{ label: 'mask [1, 0]', args: (xs) => [Float64Array.of(xs[0], 0.3), Float64Array.of(1, 0)] }],
  each: true,
  argsCode: 'input [x, 0.3], target [1, 0] (one call per x: the loss is one number over the whole mask)',
};
const angle = (extra: unknown[] = []): Sweep['curves'] => [{ label: 'x2 = [1, 0]', args: (xs) => [rows(xs, (t) => [Math.cos(t), Math.sin(t)]), rows(xs, () => [1, 0]), ...extra] }];
const angleGrad: Sweep['gradAt'] = (g, row, perRow, t) => -g[row * perRow] * Math.sin(t) + g[row * perRow + 1] * Math.cos(t);

const SWEEPS: Readonly<Record<string, Sweep>> = {
  nllLoss: {
    xLabel: 'log-probability of the target class',
    gradLabel: 'd loss / d log p',
    range: [-5, -0.01],
    curves: [{ label: 'target class 0 of 3', args: (xs) => [rows(xs, (x) => [x, Math.log((1 - Math.exp(x)) / 2), Math.log((1 - Math.exp(x)) / 2)]), ints(xs, [0])] }],
    argsCode: 'rows [x, log((1 − e^x)/2) twice] (log-probabilities), target class 0',
  },
  klDiv: {
    xLabel: 'q, predicted probability of class 0 (target p = [0.3, 0.7])',
    gradLabel: 'd loss / d q',
    range: [0.01, 0.99],
    curves: [{ label: 'p = [0.3, 0.7]', args: (xs) => [rows(xs, (q) => [Math.log(q), Math.log(1 - q)]), rows(xs, () => [0.3, 0.7])] }],
    gradAt: (g, row, perRow, q) => g[row * perRow] / q - g[row * perRow + 1] / (1 - q),
    argsCode: 'input rows [log q, log(1 − q)], target rows [0.3, 0.7]',
  },
  poissonNllLoss: {
    xLabel: 'input (log of the rate)',
    gradLabel: 'd loss / d input',
    range: [-2, 3],
    curves: [1, 4].map((t) => ({ label: `count ${t}`, args: (xs: Float64Array) => [xs, fill(xs.length, t)] })),
    argsCode: 'input = x, target count 1 or 4',
  },
  gaussianNllLoss: {
    xLabel: 'error = input − target',
    gradLabel: 'd loss / d input',
    range: [-3, 3],
    curves: [0.5, 1, 2].map((v) => ({ label: `variance ${v}`, args: (xs: Float64Array) => [xs, fill(xs.length, 0), fill(xs.length, v)] })),
    argsCode: 'input = x, target 0, var 0.5, 1 or 2',
  },
  marginRankingLoss: {
    xLabel: 'x1 − x2',
    gradLabel: 'd loss / d x1',
    range: [-3, 3],
    curves: [1, -1].map((y) => ({ label: `y = ${y}`, args: (xs: Float64Array) => [xs, fill(xs.length, 0), fill(xs.length, y)] })),
    argsCode: 'x1 = x, x2 = 0, y = 1 or −1',
  },
  multilabelSoftMarginLoss: {
    xLabel: 'score of a positive label (the other label negative, score 0)',
    gradLabel: 'd loss / d score',
    range: [-6, 6],
    curves: [{ label: 'target [1, 0]', args: (xs) => [rows(xs, (x) => [x, 0]), rows(xs, () => [1, 0])] }],
    argsCode: 'input rows [x, 0], target rows [1, 0]',
  },
  multiMarginLoss: {
    xLabel: "true class's score (other scores 0)",
    gradLabel: "d loss / d true class's score",
    range: [-3, 3],
    curves: [{ label: 'target class 0 of 3', args: (xs) => [rows(xs, (x) => [x, 0, 0]), ints(xs, [0])] }],
    argsCode: 'input rows [x, 0, 0], target class 0',
  },
  multilabelMarginLoss: {
    xLabel: "target label's score (other scores 0)",
    gradLabel: "d loss / d target label's score",
    range: [-3, 3],
    curves: [{ label: 'targets [0]', args: (xs) => [rows(xs, (x) => [x, 0, 0]), ints(xs, [0, -1, -1])] }],
    argsCode: 'input rows [x, 0, 0], target rows [0, −1, −1] (label 0, then the end marker)',
  },
  cosineEmbeddingLoss: {
    xLabel: 'angle θ between x1 and x2 (radians)',
    gradLabel: 'd loss / d θ',
    range: [0, Math.PI],
    curves: [1, -1].map((y) => ({ label: `y = ${y}`, args: (xs: Float64Array) => [rows(xs, (t) => [Math.cos(t), Math.sin(t)]), rows(xs, () => [1, 0]), fill(xs.length, y)] })),
    gradAt: angleGrad,
    argsCode: 'x1 rows [cos θ, sin θ], x2 rows [1, 0], y = 1 or −1',
  },
  tripletMarginLoss: triplet,
  logLoss: {
    xLabel: 'predicted probability of the true class',
    gradLabel: '(logLoss has no gradient: a metric)',
    range: [0, 1],
    curves: [{ label: 'label 1', args: () => [] }],
    pointwise: (fn, p, options) => fn([1], [p], { labels: [0, 1], ...options }) as number,
    argsCode: 'yTrue = [1], yPred = [p], labels [0, 1]',
  },
};

/** Issue 16's losses: for those whose catalogue entry has no plot. */
const NEW_SWEEPS: Readonly<Record<string, Sweep>> = {
  tripletMarginWithDistanceLoss: triplet,
  generalizedBoxIouLoss: box,
  distanceBoxIouLoss: box,
  completeBoxIouLoss: box,
  diceLoss: overlap,
  tverskyLoss: overlap,
  linearCrossEntropy: {
    xLabel: 'hidden value h (weights [1], [0], [−1]: logits [h, 0, −h])',
    gradLabel: 'd loss / d h',
    range: [-4, 4],
    curves: [{ label: 'target class 0 of 3', args: (xs) => [rows(xs, (x) => [x]), { data: Float64Array.of(1, 0, -1), shape: [3, 1] }, ints(xs, [0])] }],
    argsCode: 'input rows [h], linearWeight [[1], [0], [−1]], target class 0',
  },
  logCoshLoss: {
    xLabel: 'error = input − target',
    gradLabel: 'd loss / d input',
    range: [-4, 4],
    curves: [{ label: 'target 0', args: (xs) => [rows(xs, (x) => [x]), rows(xs, () => [0])] }],
    argsCode: 'input rows [x], target rows [0]',
  },
  squaredHingeLoss: {
    xLabel: 'input (label ±1)',
    gradLabel: 'd loss / d input',
    range: [-3, 3],
    curves: [1, -1].map((y) => ({ label: `label ${y}`, args: (xs: Float64Array) => [rows(xs, (x) => [x]), rows(xs, () => [y])] })),
    argsCode: 'input rows [x], target rows [1] or [−1]',
  },
  categoricalFocalCrossEntropy: {
    xLabel: "predicted probability of the true class (the rest split evenly)",
    gradLabel: "d loss / d that probability",
    range: [0.02, 0.98],
    curves: [{ label: 'one-hot [1, 0, 0]', args: (xs) => [rows(xs, (p) => [p, (1 - p) / 2, (1 - p) / 2]), rows(xs, () => [1, 0, 0])] }],
    argsCode: 'input rows [p, (1 − p)/2, (1 − p)/2], target rows [1, 0, 0]',
  },
  polyLossCrossEntropy: {
    xLabel: "true class's logit (other logits 0)",
    gradLabel: "d loss / d true class's logit",
    range: [-4, 4],
    curves: [{ label: 'one-hot [1, 0, 0]', args: (xs) => [rows(xs, (x) => [x, 0, 0]), rows(xs, () => [1, 0, 0])] }],
    argsCode: 'input rows [x, 0, 0] (logits), target rows [1, 0, 0]',
  },
  sparsemaxLoss: {
    xLabel: 'logit',
    gradLabel: 'd loss / d logit',
    range: [-3, 3],
    curves: [
      { label: 'label 1', args: (xs) => [Float64Array.from(xs), fill(xs.length, 1)] },
      { label: 'label 0', args: (xs) => [Float64Array.from(xs), fill(xs.length, 0)] },
    ],
    argsCode: 'input [x], labels [1] or [0]',
  },
  ntxentLoss: {
    xLabel: 'angle θ between the two embeddings of label 0 (radians; a third, of label 1, at [0, 1])',
    gradLabel: "d loss / d the first embedding's first coordinate",
    range: [0, Math.PI],
    curves: [{ label: 'labels [0, 0, 1]', args: (xs) => [{ data: Float64Array.of(1, 0, Math.cos(xs[0]), Math.sin(xs[0]), 0, 1), shape: [3, 2] }, Int32Array.of(0, 0, 1)] }],
    each: true,
    argsCode: 'embeddings [[1, 0], [cos θ, sin θ], [0, 1]], labels [0, 0, 1] (one call per θ: the loss is one number over the batch)',
  },
  categoricalHingeLoss: {
    xLabel: "true class's score (other scores 0)",
    gradLabel: "d loss / d true class's score",
    range: [-3, 3],
    curves: [{ label: 'one-hot [1, 0, 0]', args: (xs) => [rows(xs, (x) => [x, 0, 0]), rows(xs, () => [1, 0, 0])] }],
    argsCode: 'input rows [x, 0, 0], target rows [1, 0, 0]',
  },
  cosineSimilarityLoss: {
    xLabel: 'angle θ between input and target (radians)',
    gradLabel: 'd loss / d θ',
    range: [0, Math.PI],
    curves: angle(),
    gradAt: angleGrad,
    argsCode: 'input rows [cos θ, sin θ], target rows [1, 0]',
  },
};

/** The view's sweep of a catalogue loss: from its plot entry, else from the table above; null if neither. */
export function sweepOf(entry: LossEntry): Sweep | null {
  return fromPlot(entry) ?? SWEEPS[entry.name] ?? NEW_SWEEPS[entry.name] ?? null;
}
