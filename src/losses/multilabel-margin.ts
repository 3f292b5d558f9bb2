import { gradBuffer } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, shapeString } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { kernelsFor } from '../kernels/backend.js';
import { multilabelMarginRowsWasm } from '../kernels/wasm.js';

/** Options of {@link multilabelMarginLoss}. */
export interface MultilabelMarginLossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Multi-label hinge loss, as `torch.nn.functional.multilabel_margin_loss`.
 *
 * Each target row lists class indices, ended by the first −1 (the rest is ignored). With `Y` that
 * list: `loss = Σ_{j ∈ Y} Σ_{k ∉ Y} max(0, 1 − (x_j − x_k)) / C`. Gradient, per term with a
 * positive hinge: `+1/C` at `k`, `−1/C` at `j`. `'mean'` averages over the N samples.
 *
 * Shapes: `input` `[N, C]`, `[C]` or 0-d (one class, as PyTorch); `target` (indices,
 * −1-terminated) the same shape; result `[]`, or `[N]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(multilabelMarginLoss([[0.1, 0.2, 0.4, 0.8]], [[3, 0, -1, 1]]).toString());
 * // tensor(0.8500)
 * ```
 */
export const multilabelMarginLoss = defineLoss(
  {
    name: 'multilabelMarginLoss',
    reference: 'torch.nn.functional.multilabel_margin_loss',
    args: [
      { name: 'input', shape: '[N, C], [C] or []', differentiable: true },
      { name: 'target', shape: 'like input (class indices, ended by −1)', differentiable: false, classIndices: true },
    ],
    options: {},
    items: 'rows',
    kernels: ['multilabelMarginRows', 'multilabelMarginRows64'],
    plot: null,
  },
  (call: KernelCall<MultilabelMarginLossOptions>) => {
    const fn = 'multilabelMarginLoss';
    const [input, target] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    if (input.shape.length > 2) {
      throw new Error(`${fn}: input must be [N, C], [C] or 0-d (one class), got shape ${shapeString(input.shape)}`);
    }
    // As PyTorch: a 0-d input is one sample of one class; no class at all ([0], [N, 0]) is an error.
    const C = input.shape.length === 0 ? 1 : input.shape[input.shape.length - 1];
    if (C === 0) throw new Error(`${fn}: input must have at least one class, got shape ${shapeString(input.shape)}`);
    assertSameShape(fn, 'target', target, 'input', input);
    const N = input.shape.length === 2 ? input.shape[0] : 1;
    for (let i = 0; i < target.size; i++) {
      const t = target.data[i];
      if (!Number.isInteger(t) || t < -1 || t >= C) {
        throw new Error(`${fn}: target ${t} at index ${i} is not a class index in [0, ${C}) or -1`);
      }
    }
    const reducer = new Reducer(fn, reduction, input.shape.slice(0, -1), resultDtype([input]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const X = input.data;
    const T = target.data;
    const losses = new Float64Array(N);
    // A row's gradient is u / C times how often each entry enters a positive hinge (+ for the
    // non-targets, − for the targets): counted in float64 per row, then every entry written once in
    // the result's dtype (no zeroing, one rounding each).
    const grad = wantGrad ? gradBuffer(call, 0, input, false) : null;
    // The kernel (src/kernels/assembly/margin.ts) computes the same float64 terms, summed in two lanes.
    if (input.dtype !== 'int32' && kernelsFor(input.size, 2 * C)) {
      const logits = input.data as Float32Array | Float64Array;
      multilabelMarginRowsWasm({ logits, rows: N, classes: C, targets: T, upstream: grad ? reducer.upstreams() : 0, grad, losses });
      return { loss: reducer.reduce(losses), grads: grad ? [new Tensor(grad, input.shape), null] : [] };
    }
    const scratch = { isTarget: new Uint8Array(C), others: new Float64Array(C), where: new Int32Array(C), counts: new Float64Array(C), targetCounts: new Float64Array(C) };
    for (let n = 0; n < N; n++) {
      losses[n] = labelRow(X, T, n * C, C, scratch, grad, grad ? reducer.upstream(n) / C : 0) / C;
    }
    return { loss: reducer.reduce(losses), grads: grad ? [new Tensor(grad, input.shape), null] : [] };
  },
);

interface RowScratch {
  isTarget: Uint8Array;
  /** The row's non-target values, in class order, their classes, and their hinge counts. */
  others: Float64Array;
  where: Int32Array;
  counts: Float64Array;
  /** Per target class: minus how many positive hinges it entered (it enters them with a − sign). */
  targetCounts: Float64Array;
}

/**
 * One row of {@link multilabelMarginLoss}: Σ_{j ∈ Y} Σ_{k ∉ Y} max(0, 1 − x_j + x_k) (not yet
 * divided by C), and with `grad` the row's gradient (`u` already divided by C) written in place.
 * The non-target values are gathered once per row into a float64 array, so that each label's sum
 * is a tight loop without a membership test, specialised on the gradient outside the loop (same
 * terms in the same order as a double loop over all classes: the same bits).
 */
function labelRow(
  X: ArrayLike<number>, T: ArrayLike<number>, base: number, C: number, scratch: RowScratch,
  grad: Float32Array | Float64Array | null, u: number,
): number {
  const { isTarget, others, where, counts, targetCounts } = scratch;
  isTarget.fill(0);
  let count = 0;
  while (count < C && T[base + count] >= 0) isTarget[T[base + count++]] = 1;
  let m = 0;
  for (let k = 0; k < C; k++) {
    if (isTarget[k]) continue;
    others[m] = X[base + k];
    where[m++] = k;
  }
  let loss = 0;
  if (grad !== null) {
    counts.fill(0, 0, m);
    for (let j = 0; j < count; j++) targetCounts[T[base + j]] = 0;
  }
  for (let j = 0; j < count; j++) {
    const y = T[base + j];
    // (1 − x_y) + x_k: PyTorch's 1 − x_y + x_k.
    const a = 1 - X[base + y];
    if (grad === null) {
      for (let k = 0; k < m; k++) loss += Math.max(a + others[k], 0);
      continue;
    }
    let hinges = 0;
    for (let k = 0; k < m; k++) {
      const z = a + others[k];
      // Without a branch on the sign of z (data: a branch mispredicts half the time); a NaN z
      // makes the loss NaN and counts nothing, as PyTorch's z > 0 test.
      const positive = z > 0 ? 1 : 0;
      loss += Math.max(z, 0);
      counts[k] += positive;
      hinges += positive;
    }
    targetCounts[y] -= hinges;
  }
  if (grad !== null) {
    for (let k = 0; k < m; k++) grad[base + where[k]] = counts[k] * u;
    for (let j = 0; j < count; j++) grad[base + T[base + j]] = targetCounts[T[base + j]] * u;
  }
  return loss;
}
