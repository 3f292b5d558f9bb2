// The catalogue: one entry per loss and activation, collected from the definitions the functions
// were built from (each loss file writes its metadata once, in its defineLoss / elementwiseLoss
// spec; each activation in its `describe` call). The command line, the playground, the benchmarks,
// the README's tables and the tests read it instead of restating names, options and shapes.
import { definitionOf } from './loss.js';
import * as activations from '../activations/index.js';
import * as losses from '../losses/index.js';

/** A reduction a loss accepts: PyTorch's three, and `'batchmean'` (klDiv). */
export type CatalogReduction = 'none' | 'mean' | 'sum' | 'batchmean';

/** A tensor argument of a loss or activation, in call order. */
export interface TensorArg {
  /** Its parameter name (the name errors use). */
  name: string;
  /** Its shape rule, in the notation of the TSDoc: `'[*]'`, `'like input'`, `'[N, C] or [C]'`. */
  shape: string;
  /** Does PyTorch (and so `withGrad`) differentiate it? */
  differentiable: boolean;
  /** May it hold class indices (integers, `int32` data accepted and never differentiated)? */
  classIndices?: boolean;
  /** May it be left out? */
  optional?: boolean;
  /** Is it a model's parameter rather than data, not split into the items' rows (linearCrossEntropy's linearWeight)? */
  parameter?: boolean;
}

/** A numeric interval: `min`/`max` bounds, open where `minOpen`/`maxOpen`, plus isolated `also` values. */
export interface NumberRange {
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  /** Values valid outside the interval (sigmoidFocalLoss's alpha = −1, "no weighting"). */
  also?: readonly number[];
}

interface OptionBase {
  /** One line: what it does. */
  doc: string;
}

/** A number (or integer) option. */
export interface NumberOptionSpec extends OptionBase {
  type: 'number' | 'integer';
  default: number;
  /** The valid values as an interval; absent: any number (not NaN). */
  range?: NumberRange;
  /** The only valid values, when they are few (multiMarginLoss's p: 1 or 2). */
  values?: readonly number[];
}

/** A true/false option. */
export interface BooleanOptionSpec extends OptionBase {
  type: 'boolean';
  default: boolean;
}

/** A tensor option (weights). Absent, every element is `default`. */
export interface TensorOptionSpec extends OptionBase {
  type: 'tensor';
  default: number;
  /** Its shape rule: `'like input'`, `'[C]'`, `'broadcastable to input'`... */
  shape: string;
  /** Does it broadcast to the input (numpy rules), so that one number stands for every element? */
  broadcast: boolean;
  /**
   * What a weighted `'mean'` divides by: the item count (`'count'`) or the sum of the weights
   * applied (`'weights'`). Absent for tensor options that are not weights (posWeight).
   */
  mean?: 'count' | 'weights';
  /** Is it differentiated (linearCrossEntropy's linearBias)? Its gradient then follows the arguments' in `grads`. */
  differentiable?: boolean;
}

/** A list of labels (logLoss's `labels`). */
export interface LabelsOptionSpec extends OptionBase {
  type: 'labels';
  default: null;
}

/** One of a few named values (tripletMarginWithDistanceLoss's distance), or, where `others` says, a value of another kind. */
export interface ChoiceOptionSpec extends OptionBase {
  type: 'choice';
  default: string;
  values: readonly string[];
  /** What else it accepts, in a phrase (a function object the command line cannot pass). */
  others?: string;
}


/** Dimensions to reduce (Keras's `axis`): an integer or a list of them; absent (`null`), all of them. */
export interface AxesOptionSpec extends OptionBase {
  type: 'axes';
  default: null;
}

export type OptionSpec = NumberOptionSpec | BooleanOptionSpec | TensorOptionSpec | LabelsOptionSpec | ChoiceOptionSpec | AxesOptionSpec;

/**
 * What the x axis of a loss's plot is (`losskit plot`, the playground): the error `input − target`
 * (target 0), a probability, a logit, the logit of the true class (other logits 0), a margin
 * (input against a ±1 target), a distance.
 */
export type PlotAxis = 'error' | 'probability' | 'logit' | 'true-class-logit' | 'margin' | 'distance';

export interface PlotSpec {
  x: PlotAxis;
  /** The default x range. */
  range: readonly [number, number];
  /** One curve per target value (default: one, at target 0). */
  targets?: readonly number[];
  /** Options the plot takes as flags (default: every option of type 'number'); a tensor option gets one number. */
  options?: readonly string[];
}

/**
 * What one item of the loss is, which decides what its `'mean'` divides by when data arrive in
 * chunks of rows: every element (`'elements'`), a row of class scores whose weighted mean divides by
 * the weights of the targets' classes (`'classes'`), a row (`'rows'`), a sequence (`'sequences'`),
 * or a group that couples rows (`'groups'`: Dice over an `axis` selection, NT-Xent's batch), which
 * chunks of rows cannot stream.
 */
export type Items = 'elements' | 'classes' | 'rows' | 'sequences' | 'groups';

/**
 * The metadata a loss file writes once, in its `defineLoss` or `elementwiseLoss` spec (activations:
 * in their `describe` call). Everything else in a {@link CatalogEntry} is derived from it.
 */
export interface Definition {
  /** The losskit name, as exported (`huberLoss`). */
  name: string;
  /** The reference function, fully qualified: `'torch.nn.functional.huber_loss'`, `'sklearn.metrics.log_loss'`. */
  reference: string;
  /** The tensor arguments, in order. */
  args: readonly TensorArg[];
  /** The options besides `reduction` (and besides lossInto, gradInto, gradOutput, argnums, which every loss takes). */
  options: Readonly<Record<string, OptionSpec>>;
  /** The accepted reductions (default for losses: `['none', 'mean', 'sum']`; the default reduction is `'mean'`). */
  reductions?: readonly CatalogReduction[];
  /** The WebAssembly kernels it runs on (names of exports of src/kernels/assembly/index.ts). */
  kernels?: readonly string[];
  /** How it is plotted, or null when a plot against one variable says nothing. */
  plot?: PlotSpec | null;
  /** What one loss item is (losses only). */
  items?: Items;
  /** Short command-line names accepted besides the derived one (`bce`). */
  cliAliases?: readonly string[];
}

/** One entry of the {@link catalog}. */
export interface CatalogEntry {
  name: string;
  kind: 'loss' | 'activation';
  /** The function itself. */
  fn: (...args: never[]) => unknown;
  /** Other export names of the same function (`mae` for `l1Loss`). */
  aliases: readonly string[];
  reference: { library: 'PyTorch' | 'torchvision' | 'scikit-learn' | 'Keras' | 'optax'; function: string };
  args: readonly Required<TensorArg>[];
  options: Readonly<Record<string, OptionSpec>>;
  /** Empty for functions without a `reduction` option (activations, logLoss). */
  reductions: readonly CatalogReduction[];
  kernels: readonly string[];
  /** Does it have `withGrad`? */
  withGrad: boolean;
  items: Items | null;
  plot: PlotSpec | null;
  /** The command-line name, derived by {@link cliNameOf}. */
  cliName: string;
  /** Other command-line names: the full kebab-case name, the aliases', and the declared short ones. */
  cliAliases: readonly string[];
}

/** `camelCase` as `kebab-case` (`smoothL1Loss` → `smooth-l1-loss`, `input1` → `input1`). */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/**
 * The command-line name of a losskit name: kebab-case without a trailing `-loss`
 * (`smoothL1Loss` → `smooth-l1`, `crossEntropy` → `cross-entropy`), except where only `log` would be
 * left (`logLoss` stays `log-loss`: `log` alone names no loss).
 */
export function cliNameOf(name: string): string {
  const full = kebabCase(name);
  const short = full.replace(/-loss$/, '');
  return short === 'log' ? full : short;
}

const LIBRARIES = { torch: 'PyTorch', torchvision: 'torchvision', sklearn: 'scikit-learn', keras: 'Keras', optax: 'optax' } as const;

function libraryOf(name: string, reference: string): CatalogEntry['reference']['library'] {
  const root = reference.split('.')[0];
  if (root in LIBRARIES) return LIBRARIES[root as keyof typeof LIBRARIES];
  throw new Error(`catalog: ${name}'s reference '${reference}' is not a function of ${Object.keys(LIBRARIES).join(', ')}`);
}

/** Collects the entries of the modules' exports that carry a definition, keyed by losskit name. */
function collect(modules: readonly Record<string, unknown>[]): Record<string, CatalogEntry> {
  const entries: Record<string, CatalogEntry> = {};
  const exportNames = new Map<object, string[]>();
  for (const module of modules) {
    for (const [exportName, value] of Object.entries(module)) {
      if (typeof value === 'function' && definitionOf(value)) exportNames.set(value, [...(exportNames.get(value) ?? []), exportName]);
    }
  }
  for (const [fn, names] of exportNames) {
    const { definition, kind } = definitionOf(fn)!;
    const { name } = definition;
    if (!names.includes(name)) throw new Error(`catalog: ${name} is exported as ${names.join(', ')}, not by its own name`);
    const aliases = names.filter((n) => n !== name);
    const cliName = cliNameOf(name);
    const cliAliases = [kebabCase(name), ...aliases.map(cliNameOf), ...(definition.cliAliases ?? [])].filter((n, i, all) => n !== cliName && all.indexOf(n) === i);
    entries[name] = Object.freeze({
      name,
      kind,
      fn: fn as CatalogEntry['fn'],
      aliases,
      reference: { library: libraryOf(name, definition.reference), function: definition.reference },
      args: definition.args.map((a) => ({ classIndices: false, optional: false, parameter: false, ...a })),
      options: definition.options,
      reductions: definition.reductions ?? (kind === 'loss' ? (['none', 'mean', 'sum'] as const) : []),
      kernels: definition.kernels ?? [],
      withGrad: 'withGrad' in fn,
      items: definition.items ?? null,
      plot: definition.plot ?? null,
      cliName,
      cliAliases,
    });
  }
  return entries;
}

/**
 * Every loss and activation of losskit, keyed by its name: its reference function, tensor
 * arguments, options (type, default, valid range, doc), reductions, kernels, command-line name and
 * plot.
 *
 * @example
 * ```ts
 * console.log(catalog.huberLoss.reference.function, catalog.huberLoss.options.delta.default);
 * // torch.nn.functional.huber_loss 1
 * ```
 */
export const catalog: Readonly<Record<string, CatalogEntry>> = Object.freeze(
  collect([activations, losses]),
);

/** How an option's valid values read in messages and docs: `'> 0'`, `'in [0, 1] or -1'`, `'1 or 2'`. */
export function describeRange(spec: NumberOptionSpec): string | undefined {
  if (spec.values) return spec.values.join(' or ');
  const r = spec.range;
  if (!r) return undefined;
  let text: string;
  if (r.min !== undefined && r.max !== undefined) text = `in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'}`;
  else if (r.min !== undefined) text = `${r.minOpen ? '>' : '>='} ${r.min}`;
  else if (r.max !== undefined) text = `${r.maxOpen ? '<' : '<='} ${r.max}`;
  else text = 'any number';
  return r.also && r.also.length > 0 ? `${text} or ${r.also.join(' or ')}` : text;
}
