import { checkTargetShape, classLayout, classWeights, isClassIndex, targetError } from '../core/classes.js';
import { gradBuffer } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { integerOption } from '../core/options.js';
import { checkReduction, compensated, Reducer, roundingError, type Reduction } from '../core/reduction.js';
import { Tensor, type TensorLike } from '../core/tensor.js';

/** Options of {@link nllLoss}. */
export interface NllLossOptions {
  /** One weight per class, `[C]`. */
  weight?: TensorLike;
  /** Class index whose items contribute nothing; default −100. */
  ignoreIndex?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Negative log-likelihood of log-probabilities, as `torch.nn.functional.nll_loss`.
 *
 * `loss_i = −w[t_i] · input[i, t_i]` (0 for ignored items); `'mean'` divides by `Σ w[t_i]` over
 * non-ignored items. Gradient: `−w[t_i]` at the target class, 0 elsewhere.
 *
 * Shapes: `input` `[C]`, `[N, C]` or `[N, C, d1, ..., dk]`; `target` `[]`, `[N]` or
 * `[N, d1, ..., dk]`; result `[]`, or the target's shape for `'none'`.
 *
 * @example
 * ```ts
 * console.log(nllLoss(logSoftmax([[1, 2, 3], [1, 1, 1]]), [2, 0]).toString());
 * // tensor(0.7531)
 * ```
 * Differs from PyTorch: class indices are numbers (JavaScript has no int64); a non-integer throws.
 */
export const nllLoss = defineLoss({
  name: 'nllLoss',
  reference: 'torch.nn.functional.nll_loss',
  args: [
    { name: 'input', shape: '[C], [N, C] or [N, C, d1, ..., dk] (log-probabilities)', differentiable: true },
    { name: 'target', shape: 'class indices [], [N] or [N, d1, ..., dk]', differentiable: false, classIndices: true },
  ],
  options: {
    weight: { type: 'tensor', default: 1, shape: '[C]', broadcast: false, mean: 'weights', doc: 'one weight per class' },
    ignoreIndex: { type: 'integer', default: -100, doc: 'class index whose items contribute nothing' },
  },
  items: 'classes',
  plot: null,
}, (call: KernelCall<NllLossOptions>) => {
  const fn = 'nllLoss';
  const [input, target] = call.tensors;
  const { options, wantGrad } = call;
  const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
  const ignoreIndex = integerOption(fn, 'ignoreIndex', options.ignoreIndex, -100);
  const layout = classLayout(fn, input);
  const dtype = resultDtype([input]);
  const weight = classWeights(fn, options.weight, layout.classes, dtype);
  checkTargetShape(fn, target, layout);
  const { classes: C, inner, items } = layout;
  // 'none' keeps the items; 'mean' and 'sum' only their (compensated) sum, taken as they are read.
  const losses = reduction === 'none' ? new Float64Array(items) : null;
  const X = input.data;
  const T = target.data;
  const bad =
    weight !== null || losses !== null ? gather(X, T, weight, C, inner, items, ignoreIndex, losses)
    : inner === 1 ? sumRows(X, T, C, items, ignoreIndex)
    : sumStrided(X, T, C, inner, items, ignoreIndex);
  if (bad >= 0) throw targetError(fn, T[bad], bad, C);
  const reducer = new Reducer(fn, reduction, layout.itemShape, dtype, gathered[WEIGHTS]);
  if (wantGrad) reducer.setGradOutput(call.gradOutput);
  // The gradient is −u w[t] at one entry per item and 0 elsewhere: written in place into a zeroed
  // array of the result's dtype (the one rounding), every other entry left untouched; only once
  // every target has been checked, so a bad one leaves gradInto as it was.
  const grad = wantGrad ? gradBuffer(call, 0, input, true) : null;
  if (grad) scatter(target.data, weight, C, inner, items, ignoreIndex, grad, reducer.upstreams());
  return { loss: losses ? reducer.reduce(losses) : reducer.reduceSum(compensated(gathered[SUM], gathered[COMPENSATION])), grads: grad ? [new Tensor(grad, input.shape), null] : [] };
});

/**
 * What the forward loops found besides their return value: the losses' compensated sum (its two
 * parts) and the sum of `w[t]` over the items not ignored ('mean' divides by it). A typed array,
 * not an object's properties: V8 compiles these long loops on stack replacement, before the store
 * after the loop has run, and a property store without type feedback deoptimised there.
 */
const gathered = new Float64Array(3);
const SUM = 0, COMPENSATION = 1, WEIGHTS = 2;

/**
 * The forward loops of {@link nllLoss}, each in a function of its own so that V8 optimises it on
 * its own small feedback (2.6x faster than the same loop inside the loss's closure: median on [4,
 * 21, 128, 128], measured on a loaded machine). Items in order, i = n · inner + s, a block of
 * `inner` items per batch entry n, whose class 0 sits at n · C · inner + s: no division per item.
 * Each target is checked where it is read (isClassIndex), and the losses summed compensated
 * (roundingError, as `compensatedSum`) or kept in `losses` (reduction 'none'), so 'mean' and
 * 'sum' allocate no array of losses. Each returns the index of the first target that is not a
 * class index (the caller throws: no error is built inside a loop), or −1.
 *
 * `gather` is the general loop (class weights, or reduction 'none'); the unweighted sum, the
 * default call, has two loops of its own, one for rows (inner = 1) and one for K-dimensional
 * inputs. Measured, Node 24, medians of 5000 (1500) calls of the library, one process each, two
 * runs: [4096, 1000] float32 / float64 29 / 30 µs with `gather` alone → 16–17.5 / 17.5–18 µs;
 * [4, 21, 128, 128] 245 / 440 → 215–223 / 394–401 µs (isClassIndex's form included, see there).
 * A bare sum of the 4096 scattered entries takes 13 µs: the memory bounds the rows. The strided
 * loop on rows measured 25 µs: hence two. The per-item weight and 'none' tests (loop-invariant,
 * but V8 does not unswitch loops) cost the rest.
 */
function gather(
  X: ArrayLike<number>, T: ArrayLike<number>, weight: ArrayLike<number> | null, C: number, inner: number, items: number,
  ignoreIndex: number, losses: Float64Array | null,
): number {
  let sum = 0;
  let compensation = 0;
  let weights = 0;
  for (let base = 0, i = 0; i < items; base += C * inner) {
    const end = i + inner;
    for (let p = base; i < end; i++, p++) {
      const t = T[i];
      if (t === ignoreIndex) continue;
      if (!isClassIndex(t, C)) return i;
      const w = weight === null ? 1 : weight[t];
      const loss = -w * X[p + t * inner];
      weights += w;
      if (losses !== null) losses[i] = loss;
      else {
        const next = sum + loss;
        compensation += roundingError(sum, loss, next);
        sum = next;
      }
    }
  }
  return found(sum, compensation, weights);
}

/** {@link gather} unweighted, summing, on rows: item i's class 0 at i · C. */
function sumRows(X: ArrayLike<number>, T: ArrayLike<number>, C: number, items: number, ignoreIndex: number): number {
  let sum = 0;
  let compensation = 0;
  let count = 0;
  for (let i = 0, p = 0; i < items; i++, p += C) {
    const t = T[i];
    if (t === ignoreIndex) continue;
    if (!isClassIndex(t, C)) return i;
    const loss = -X[p + t];
    count++;
    const next = sum + loss;
    compensation += roundingError(sum, loss, next);
    sum = next;
  }
  return found(sum, compensation, count);
}

/** {@link gather} unweighted, summing, with classes strided by `inner`. */
function sumStrided(X: ArrayLike<number>, T: ArrayLike<number>, C: number, inner: number, items: number, ignoreIndex: number): number {
  let sum = 0;
  let compensation = 0;
  let count = 0;
  for (let base = 0, i = 0; i < items; base += C * inner) {
    const end = i + inner;
    for (let p = base; i < end; i++, p++) {
      const t = T[i];
      if (t === ignoreIndex) continue;
      if (!isClassIndex(t, C)) return i;
      const loss = -X[p + t * inner];
      count++;
      const next = sum + loss;
      compensation += roundingError(sum, loss, next);
      sum = next;
    }
  }
  return found(sum, compensation, count);
}

/** Records a forward loop's sums in {@link gathered}; −1: every target was a class index. */
function found(sum: number, compensation: number, weights: number): number {
  gathered[SUM] = sum;
  gathered[COMPENSATION] = compensation;
  gathered[WEIGHTS] = weights;
  return -1;
}

/** The gradient loop of {@link nllLoss}: `−w[t] · u` at each item's target entry of a zeroed `grad` (targets already checked). */
function scatter(
  T: ArrayLike<number>, weight: ArrayLike<number> | null, C: number, inner: number, items: number,
  ignoreIndex: number, grad: Float32Array | Float64Array, upstream: number | ArrayLike<number>,
): void {
  const shared = typeof upstream === 'number' ? upstream : 0;
  const perItem = typeof upstream === 'number' ? null : upstream;
  for (let base = 0, i = 0; i < items; base += C * inner) {
    for (let s = 0; s < inner; s++, i++) {
      const t = T[i];
      if (t === ignoreIndex) continue;
      const w = weight === null ? 1 : weight[t];
      grad[base + t * inner + s] = -w * (perItem === null ? shared : perItem[i]);
    }
  }
}
