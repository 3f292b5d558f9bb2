// The losses the command line knows, derived from the library's catalogue: their command-line
// names (kebab-case, see cliNameOf), the files they take (their tensor arguments), the options
// they accept and what their 'mean' divides by when streamed.
import * as L from 'losskit';
import { catalog, closestName, kebabCase, type AnyLoss, type CatalogEntry, type Tensor } from 'losskit';
import { CliError } from './errors.js';

/**
 * How a loss's items relate to the rows of its files, which decides what a streamed 'mean' divides
 * by: 'elementwise' (every number is an item), 'classes' (a row of class scores per item, class
 * indices or probabilities as targets), 'rows' (every row is an item).
 */
export type Family = 'elementwise' | 'classes' | 'rows';

export interface CliLoss {
  /** The command-line name. */
  name: string;
  /** The library function's name, for messages. */
  library: string;
  fn: AnyLoss;
  /** The file arguments, in order. */
  inputs: readonly string[];
  /** The library options it takes from the command line. */
  options: readonly string[];
  family: Family;
  /** 'mean' of a weighted loss divides by the sum of the weights (l1, mse), as PyTorch. */
  meanBySumOfWeights: boolean;
  /** `--weight` gives one weight per column, expanded to every element (the library wants the input's shape). */
  weightPerColumn: boolean;
  batchmean: boolean;
  entry: CatalogEntry;
}

const FAMILIES: Partial<Record<NonNullable<CatalogEntry['items']>, Family>> = { elements: 'elementwise', classes: 'classes', rows: 'rows' };

/**
 * scikit-learn's log loss of one chunk, shaped like a loss of the library so that the CLI streams it
 * like any other: one `logLoss` call per chunk (`normalize: false` gives the chunk's sum), or one
 * per row for 'none'. Labels default to 0..K-1 (K = 2 for a single probability column), because one
 * chunk need not contain every class. Its files are in the command line's order (predictions first).
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

/**
 * Losses the command line calls through an adapter: logLoss returns a number, takes (yTrue, yPred)
 * and normalizes by itself (its `normalize` and `sampleWeight` would break the streamed mean).
 */
const ADAPTERS: Record<string, Pick<CliLoss, 'fn' | 'inputs' | 'options'>> = {
  logLoss: { fn: logLossAsTensor as unknown as AnyLoss, inputs: ['probabilities', 'labels'], options: ['labels'] },
};

function cliLoss(entry: CatalogEntry): CliLoss | null {
  const family = entry.items && FAMILIES[entry.items];
  if (entry.kind !== 'loss' || !family) return null;
  const weight = entry.options.weight;
  const perElement = family === 'elementwise' && weight?.type === 'tensor';
  const adapter = ADAPTERS[entry.name];
  return {
    name: entry.cliName,
    library: entry.name,
    fn: adapter?.fn ?? (entry.fn as unknown as AnyLoss),
    inputs: adapter?.inputs ?? entry.args.map((a) => kebabCase(a.name)),
    options: adapter?.options ?? Object.keys(entry.options),
    family,
    meanBySumOfWeights: perElement && weight.mean === 'weights',
    weightPerColumn: perElement && !weight.broadcast,
    batchmean: entry.reductions.includes('batchmean'),
    entry,
  };
}

/** Every loss of the catalogue whose items are elements, class rows or rows (not ctcLoss's sequences). */
export const CLI_LOSSES: readonly CliLoss[] = Object.values(catalog).flatMap((entry) => cliLoss(entry) ?? []);

export const LOSS_NAMES = CLI_LOSSES.map((l) => l.name);

/** Every name a loss answers to on the command line: its own, then its aliases (catalogue's cliAliases). */
export function namesOf(entry: CatalogEntry): string[] {
  return [entry.cliName, ...entry.cliAliases];
}

/**
 * The entry among `entries` that a command-line name (or alias) names; otherwise undefined and the
 * canonical name of the closest one, if the name looks like its typo (the library's `closestName`).
 */
export function lookup<T extends { entry: CatalogEntry }>(name: string, entries: readonly T[]): { found?: T; guess?: string } {
  const found = entries.find((e) => namesOf(e.entry).includes(name));
  if (found) return { found };
  const guess = closestName(name, entries.flatMap((e) => namesOf(e.entry)));
  return { guess: guess && entries.find((e) => namesOf(e.entry).includes(guess))!.entry.cliName };
}

/** The loss of a command-line name, or a usage error that suggests the closest name. */
export function findLoss(name: string): CliLoss {
  const { found, guess } = lookup(name, CLI_LOSSES);
  if (found) return found;
  throw new CliError(`unknown loss '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}; known losses: ${LOSS_NAMES.join(', ')}`, 2);
}

/** The command-line flag of a library option: `labelSmoothing` → `--label-smoothing`. */
export function flagOf(option: string): string {
  return `--${kebabCase(option)}`;
}
