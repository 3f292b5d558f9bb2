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
    weight !== null || losses !== null ? inChunks(items, (from, to) => gather(X, T, weight, C, inner, from, to, ignoreIndex, losses))
    : inner === 1 ? inChunks(items, (from, to) => sumRows(X, T, C, from, to, ignoreIndex))
    : inChunks(items, (from, to) => sumStrided(X, T, C, inner, from, to, ignoreIndex));
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
 * `inner` items per batch entry n, whose class 0 sits at p = i + n · (C − 1) · inner: a loop per
 * block of the chunk, where p steps with i (no division per item; a flat loop that tested for
 * each block's end at every item ran [4, 21, 128, 128] 1.4x slower, bare loops measured on Node
 * 24: 0.22 → 0.14 ms float32, 0.32 → 0.22 float64). Each loop takes the items [from, to) of a
 * chunk ({@link inChunks}) and carries the sums over in {@link gathered}.
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
  X: ArrayLike<number>, T: ArrayLike<number>, weight: ArrayLike<number> | null, C: number, inner: number, from: number, to: number,
  ignoreIndex: number, losses: Float64Array | null,
): number {
  let sum = gathered[SUM];
  let compensation = gathered[COMPENSATION];
  let weights = gathered[WEIGHTS];
  const skip = (C - 1) * inner;
  for (let i = from; i < to; ) {
    const block = Math.floor(i / inner);
    const end = Math.min(to, (block + 1) * inner);
    for (let p = i + block * skip; i < end; i++, p++) {
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
function sumRows(X: ArrayLike<number>, T: ArrayLike<number>, C: number, from: number, to: number, ignoreIndex: number): number {
  let sum = gathered[SUM];
  let compensation = gathered[COMPENSATION];
  let count = gathered[WEIGHTS];
  for (let i = from, p = from * C; i < to; i++, p += C) {
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
function sumStrided(X: ArrayLike<number>, T: ArrayLike<number>, C: number, inner: number, from: number, to: number, ignoreIndex: number): number {
  let sum = gathered[SUM];
  let compensation = gathered[COMPENSATION];
  let count = gathered[WEIGHTS];
  const skip = (C - 1) * inner;
  for (let i = from; i < to; ) {
    const block = Math.floor(i / inner);
    const end = Math.min(to, (block + 1) * inner);
    for (let p = i + block * skip; i < end; i++, p++) {
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

/**
 * Items per call of a forward loop. The loops used to run over every item in one call, once per
 * loss call: V8 then compiled them on stack replacement in the middle of their first call, before
 * the code after the loop (the call of `found`) had run, and that code deoptimised at each loop
 * exit ("insufficient type feedback for call"); later calls re-entered the same cached code and
 * deoptimised again, and a float64 call after float32 ones re-tiered slowly: the K-dimensional
 * forward took 3.5–4.5 ms in the harness, 0.5 ms in a process of its own. Called once per chunk,
 * a loop runs to its end from the first call on and tiers up by its calls, with full feedback.
 */
const CHUNK = 2048;

/** Runs a forward loop over the items in chunks, the sums carried in {@link gathered}: the order of one pass. */
function inChunks(items: number, loop: (from: number, to: number) => number): number {
  gathered.fill(0);
  for (let from = 0; from < items; from += CHUNK) {
    const bad = loop(from, Math.min(items, from + CHUNK));
    if (bad >= 0) return bad;
  }
  return -1;
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
