// The losses the command line knows, by their command-line names, with what `eval` needs to
// stream them: the files they take, the options they accept and what their 'mean' divides by.
import * as L from 'losskit';
import type { LossWithGrad, Tensor } from 'losskit';
import { CliError } from './errors.js';

export type AnyLoss = ((...args: unknown[]) => Tensor) & { withGrad?: (...args: unknown[]) => LossWithGrad };

/** Options a loss can take from the command line (library names). */
export type OptionName =
  | 'weight'
  | 'ignoreIndex'
  | 'labelSmoothing'
  | 'posWeight'
  | 'beta'
  | 'delta'
  | 'margin'
  | 'eps'
  | 'p'
  | 'alpha'
  | 'gamma'
  | 'logTarget'
  | 'logInput'
  | 'full'
  | 'swap'
  | 'labels';

/**
 * How a loss's items relate to the rows of its files, which decides what a streamed 'mean' divides
 * by: 'elementwise' (every number is an item), 'classes' (a row of class scores per item, class
 * indices or probabilities as targets), 'rows' (every row is an item).
 */
export type Family = 'elementwise' | 'classes' | 'rows';

export interface CliLoss {
  name: string;
  /** The library function's name, for messages. */
  library: string;
  fn: AnyLoss;
  /** The file arguments, in order. */
  inputs: readonly string[];
  options: readonly OptionName[];
  family: Family;
  /** 'mean' of a weighted loss divides by the sum of the weights (l1, mse), as PyTorch. */
  meanBySumOfWeights?: boolean;
  /** `--weight` gives one weight per column, expanded to every element (the library wants the input's shape). */
  weightPerColumn?: boolean;
  batchmean?: boolean;
}

const elementwise = (name: string, library: string, fn: unknown, options: OptionName[], extra: Partial<CliLoss> = {}): CliLoss => ({
  name,
  library,
  fn: fn as AnyLoss,
  inputs: ['predictions', 'targets'],
  options,
  family: 'elementwise',
  ...extra,
});

export const CLI_LOSSES: readonly CliLoss[] = [
  { name: 'cross-entropy', library: 'crossEntropy', fn: L.crossEntropy as AnyLoss, inputs: ['logits', 'targets'], options: ['weight', 'ignoreIndex', 'labelSmoothing'], family: 'classes' },
  { name: 'nll', library: 'nllLoss', fn: L.nllLoss as AnyLoss, inputs: ['log-probabilities', 'targets'], options: ['weight', 'ignoreIndex'], family: 'classes' },
  elementwise('bce', 'binaryCrossEntropy', L.binaryCrossEntropy, ['weight']),
  elementwise('bce-with-logits', 'binaryCrossEntropyWithLogits', L.binaryCrossEntropyWithLogits, ['weight', 'posWeight']),
  elementwise('l1', 'l1Loss', L.l1Loss, ['weight'], { meanBySumOfWeights: true, weightPerColumn: true }),
  elementwise('mse', 'mseLoss', L.mseLoss, ['weight'], { meanBySumOfWeights: true, weightPerColumn: true }),
  elementwise('smooth-l1', 'smoothL1Loss', L.smoothL1Loss, ['beta']),
  elementwise('huber', 'huberLoss', L.huberLoss, ['delta', 'weight'], { weightPerColumn: true }),
  elementwise('kl-div', 'klDiv', L.klDiv, ['logTarget'], { batchmean: true }),
  elementwise('poisson-nll', 'poissonNllLoss', L.poissonNllLoss, ['logInput', 'full', 'eps']),
  elementwise('gaussian-nll', 'gaussianNllLoss', L.gaussianNllLoss, ['full', 'eps'], { inputs: ['predictions', 'targets', 'variances'] }),
  elementwise('margin-ranking', 'marginRankingLoss', L.marginRankingLoss, ['margin'], { inputs: ['input1', 'input2', 'targets'] }),
  elementwise('hinge-embedding', 'hingeEmbeddingLoss', L.hingeEmbeddingLoss, ['margin']),
  elementwise('soft-margin', 'softMarginLoss', L.softMarginLoss, []),
  elementwise('sigmoid-focal', 'sigmoidFocalLoss', L.sigmoidFocalLoss, ['alpha', 'gamma']),
  { name: 'multilabel-soft-margin', library: 'multilabelSoftMarginLoss', fn: L.multilabelSoftMarginLoss as AnyLoss, inputs: ['predictions', 'targets'], options: ['weight'], family: 'rows' },
  { name: 'multi-margin', library: 'multiMarginLoss', fn: L.multiMarginLoss as AnyLoss, inputs: ['predictions', 'targets'], options: ['p', 'margin', 'weight'], family: 'rows' },
  { name: 'multilabel-margin', library: 'multilabelMarginLoss', fn: L.multilabelMarginLoss as AnyLoss, inputs: ['predictions', 'targets'], options: [], family: 'rows' },
  { name: 'cosine-embedding', library: 'cosineEmbeddingLoss', fn: L.cosineEmbeddingLoss as AnyLoss, inputs: ['input1', 'input2', 'targets'], options: ['margin'], family: 'rows' },
  { name: 'triplet-margin', library: 'tripletMarginLoss', fn: L.tripletMarginLoss as AnyLoss, inputs: ['anchors', 'positives', 'negatives'], options: ['margin', 'p', 'eps', 'swap'], family: 'rows' },
  { name: 'log-loss', library: 'logLoss', fn: ((yPred: Tensor, yTrue: Tensor, options: Record<string, unknown>) => logLossAsTensor(yPred, yTrue, options)) as AnyLoss, inputs: ['probabilities', 'labels'], options: ['labels'], family: 'rows' },
];

/** Aliases accepted on the command line. */
const ALIASES: Record<string, string> = {
  mae: 'l1',
  'binary-cross-entropy': 'bce',
  'binary-cross-entropy-with-logits': 'bce-with-logits',
  'smooth-l1-loss': 'smooth-l1',
  'focal': 'sigmoid-focal',
  'kl': 'kl-div',
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

export const LOSS_NAMES = CLI_LOSSES.map((l) => l.name);

/** The loss of a command-line name, or a usage error that suggests the closest name. */
export function findLoss(name: string): CliLoss {
  const key = ALIASES[name] ?? name;
  const found = CLI_LOSSES.find((l) => l.name === key);
  if (found) return found;
  const candidates = [...LOSS_NAMES, ...Object.keys(ALIASES)];
  const best = candidates.reduce((a, b) => (editDistance(name, a) <= editDistance(name, b) ? a : b));
  const hint = editDistance(name, best) <= Math.max(3, name.length / 3) ? ` (did you mean '${ALIASES[best] ?? best}'?)` : '';
  throw new CliError(`unknown loss '${name}'${hint}; known losses: ${LOSS_NAMES.join(', ')}`, 2);
}

/**
 * scikit-learn's log loss of one chunk, shaped like a loss of the library so that the CLI streams it
 * like any other: one `logLoss` call per chunk (`normalize: false` gives the chunk's sum), or one
 * per row for 'none'. Labels default to 0..K-1 (K = 2 for a single probability column), because one
 * chunk need not contain every class.
 */
function logLossAsTensor(yPred: Tensor, yTrue: Tensor, options: Record<string, unknown>): Tensor {
  const width = yPred.shape.length === 1 ? 1 : yPred.shape[1];
  const labels = (options.labels as number[] | undefined) ?? Array.from({ length: width === 1 ? 2 : width }, (_, k) => k);
  const rows = yPred.shape[0];
  const labelsOf = Array.from(yTrue.data);
  if (options.reduction !== 'none') {
    const total = L.logLoss(labelsOf, yPred, { labels, normalize: false });
    return L.tensor(options.reduction === 'sum' ? total : total / rows, { dtype: 'float64' });
  }
  const perRow = Float64Array.from({ length: rows }, (_, r) =>
    L.logLoss([labelsOf[r]], L.tensor(yPred.data.slice(r * width, (r + 1) * width), { shape: width === 1 ? [1] : [1, width] }), { labels }),
  );
  return L.tensor(perRow);
}
