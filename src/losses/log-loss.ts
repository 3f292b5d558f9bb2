import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { booleanOption, checkArity, describeValue, readOptions } from '../core/options.js';
import { pairwiseSum } from '../core/pairwise-sum.js';
import { shapeString } from '../core/shape.js';
import { asTensor, type TensorLike } from '../core/tensor.js';

/** A class label: a number or a string, as scikit-learn accepts. */
export type Label = number | string;

/** Options of {@link logLoss}. */
export interface LogLossOptions {
  /** Average over samples (default true) or return the sum. */
  normalize?: boolean;
  /** One weight per sample. */
  sampleWeight?: TensorLike;
  /** All class labels, when `yTrue` does not contain every class (columns of `yPred` in sorted order). */
  labels?: readonly Label[];
}

const FLOAT32_EPSILON = 2 ** -23;
const FLOAT64_EPSILON = Number.EPSILON;

function sortedUnique(labels: readonly Label[]): Label[] {
  const kinds = new Set(labels.map((l) => typeof l));
  if (kinds.size > 1) throw new Error('logLoss: labels mix numbers and strings');
  const unique = [...new Set(labels)];
  return typeof unique[0] === 'number' ? (unique as number[]).sort((a, b) => a - b) : (unique as string[]).sort();
}

function labelList(yTrue: readonly Label[] | TensorLike): Label[] {
  if (Array.isArray(yTrue) && yTrue.every((v) => typeof v === 'string' || typeof v === 'number')) return yTrue as Label[];
  const t = asTensor('logLoss', 'yTrue', yTrue as TensorLike, 'float64');
  if (t.shape.length !== 1) throw new Error(`logLoss: yTrue must be a 1-D list of labels, got shape ${shapeString(t.shape)}`);
  return Array.from(t.data);
}

const DEFINITION: Definition = {
  name: 'logLoss',
  reference: 'sklearn.metrics.log_loss',
  args: [
    { name: 'yTrue', shape: '[N] labels', differentiable: false, classIndices: true },
    { name: 'yPred', shape: '[N] or [N, K] (probabilities)', differentiable: false },
  ],
  options: {
    normalize: { type: 'boolean', default: true, doc: 'average over samples (false: the sum)' },
    sampleWeight: { type: 'tensor', default: 1, shape: '[N]', broadcast: false, mean: 'weights', doc: 'one weight per sample' },
    labels: { type: 'labels', default: null, doc: 'all class labels, when yTrue does not contain every class' },
  },
  reductions: [],
  items: 'rows',
  plot: null,
};

/**
 * Log loss (cross-entropy of predicted probabilities), as `sklearn.metrics.log_loss` 1.9: a plain
 * number, no gradient (use {@link binaryCrossEntropy} or {@link crossEntropy} to train).
 *
 * Classes are the sorted unique labels of `yTrue` (or `labels`); a 1-D `yPred` is the probability
 * of the larger of two classes. Probabilities are clipped to `[eps, 1 − eps]` with `eps` the
 * machine epsilon of their dtype (float64 unless a float32 tensor or array is given), then
 * `loss = −Σ_i w_i Σ_k [y_i = k] log p_ik`, divided by `Σ w_i` when `normalize`. Sums follow
 * numpy's pairwise order, so the result agrees with scikit-learn to within the last-bit
 * differences of `Math.log` and the C library's `log` (a few ulps; the tutorial's value prints identically).
 *
 * Shapes: `yTrue` `[N]` labels; `yPred` `[N]` or `[N, K]`; `sampleWeight` `[N]`.
 *
 * @example
 * ```ts
 * console.log(`Binary Log Loss: ${logLoss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])}`);
 * // Binary Log Loss: 0.19763488164214868
 * ```
 * Differs from scikit-learn: rows of `yPred` that do not sum to 1 are not warned about, and `yTrue`
 * must be a list of labels (no label-indicator matrix).
 */
export function logLoss(yTrue: readonly Label[] | TensorLike, yPred: TensorLike, opts?: LogLossOptions): number {
  const fn = 'logLoss';
  checkArity(fn, arguments, ['yTrue', 'yPred', 'options']);
  const options = readOptions(fn, opts, optionNamesOf(DEFINITION, 'loss')) as LogLossOptions;
  const normalize = booleanOption(fn, 'normalize', options.normalize, true);
  // Plain numbers and arrays become float64, as numpy makes them; typed arrays keep their dtype.
  const pred = asTensor(fn, 'yPred', yPred, 'float64');
  if (pred.shape.length !== 1 && pred.shape.length !== 2) {
    throw new Error(`${fn}: yPred must be [N] or [N, K], got shape ${shapeString(pred.shape)}`);
  }
  for (let i = 0; i < pred.size; i++) {
    if (pred.data[i] > 1) throw new Error(`${fn}: yPred contains values greater than 1: ${pred.data[i]} (at index ${i})`);
    if (pred.data[i] < 0) throw new Error(`${fn}: yPred contains values lower than 0: ${pred.data[i]} (at index ${i})`);
  }
  const labels = labelList(yTrue);
  const n = pred.shape[0];
  if (labels.length !== n) throw new Error(`${fn}: yTrue has ${labels.length} labels but yPred has ${n} rows`);
  const weights = options.sampleWeight === undefined ? null : asTensor(fn, 'sampleWeight', options.sampleWeight, 'float64');
  if (weights && weights.size !== n) throw new Error(`${fn}: sampleWeight has ${weights.size} elements but yPred has ${n} rows`);

  let classes: Label[];
  if (options.labels !== undefined) {
    if (!Array.isArray(options.labels) || !options.labels.every((l) => typeof l === 'number' || typeof l === 'string')) {
      throw new Error(`${fn}: labels must be an array of numbers or strings, got ${describeValue(options.labels)}`);
    }
    classes = sortedUnique(options.labels);
    const known = new Set<Label>(classes);
    const unknown = [...new Set(labels.filter((l) => !known.has(l)))];
    if (unknown.length > 0) throw new Error(`${fn}: yTrue contains labels ${unknown.join(', ')} not in labels [${classes.join(', ')}]`);
    if (classes.length < 2) throw new Error(`${fn}: labels must contain at least two labels, got [${classes.join(', ')}]`);
  } else {
    classes = sortedUnique(labels);
    if (classes.length === 1) {
      throw new Error(`${fn}: yTrue contains only one label (${classes[0]}); pass all expected class labels with the labels option`);
    }
  }
  const K = pred.shape.length === 1 || pred.shape[1] === 1 ? 2 : pred.shape[1];
  if (classes.length !== K) {
    throw new Error(
      options.labels !== undefined
        ? `${fn}: labels has ${classes.length} classes but yPred has ${K} columns`
        : `${fn}: yTrue has ${classes.length} classes but yPred has ${K} columns; pass all class labels with the labels option`,
    );
  }
  const column = new Map(classes.map((c, k) => [c, k]));
  const eps = pred.dtype === 'float32' ? FLOAT32_EPSILON : FLOAT64_EPSILON;
  const binaryColumn = K === 2 && pred.size === n;
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = column.get(labels[i])!;
    // A single probability column is P(classes[1]); column 0 is then 1 − p (before clipping, as sklearn).
    const p = binaryColumn ? (k === 1 ? pred.data[i] : 1 - pred.data[i]) : pred.data[i * K + k];
    losses[i] = -Math.log(Math.min(Math.max(p, eps), 1 - eps));
  }
  if (weights === null) return normalize ? pairwiseSum(losses) / n : pairwiseSum(losses);
  const weighted = losses.map((l, i) => l * weights.data[i]);
  return normalize ? pairwiseSum(weighted) / pairwiseSum(weights.data) : pairwiseSum(weighted);
}

describe(logLoss, DEFINITION, 'loss');
