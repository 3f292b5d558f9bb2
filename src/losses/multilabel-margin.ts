import { gradBuffer } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, shapeString } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';

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
    const counts = new Float64Array(C);
    const isTarget = new Uint8Array(C);
    for (let n = 0; n < N; n++) {
      const base = n * C;
      isTarget.fill(0);
      counts.fill(0);
      let count = 0;
      while (count < C && T[base + count] >= 0) isTarget[T[base + count++]] = 1;
      let loss = 0;
      for (let j = 0; j < count; j++) {
        const y = T[base + j];
        const xy = X[base + y];
        let hinges = 0;
        for (let k = 0; k < C; k++) {
          if (isTarget[k]) continue;
          const z = 1 - xy + X[base + k];
          // Without a branch on the sign of z (data: a branch mispredicts half the time); a NaN z
          // makes the loss NaN and counts nothing, as PyTorch's z > 0 test.
          const positive = z > 0 ? 1 : 0;
          loss += Math.max(z, 0);
          counts[k] += positive;
          hinges += positive;
        }
        counts[y] -= hinges;
      }
      losses[n] = loss / C;
      if (grad) {
        const u = reducer.upstream(n) / C;
        for (let k = 0; k < C; k++) grad[base + k] = counts[k] * u;
      }
    }
    return { loss: reducer.reduce(losses), grads: grad ? [new Tensor(grad, input.shape), null] : [] };
  },
);
