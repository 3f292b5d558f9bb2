import { defineLoss, gradTensor, resultDtype, type Loss2 } from '../core/loss.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, shapeString } from '../core/shape.js';

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
export const multilabelMarginLoss = defineLoss<MultilabelMarginLossOptions>(
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
  (call) => {
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
    const losses = new Float64Array(N);
    const grad = wantGrad ? new Float64Array(input.size) : null;
    const isTarget = new Uint8Array(C);
    for (let n = 0; n < N; n++) {
      const base = n * C;
      isTarget.fill(0);
      let count = 0;
      while (count < C && target.data[base + count] >= 0) isTarget[target.data[base + count++]] = 1;
      const u = grad ? reducer.upstream(n) / C : 0;
      let loss = 0;
      for (let j = 0; j < count; j++) {
        const y = target.data[base + j];
        for (let k = 0; k < C; k++) {
          if (isTarget[k]) continue;
          const z = 1 - X[base + y] + X[base + k];
          if (z > 0) {
            loss += z;
            if (grad) {
              grad[base + k] += u;
              grad[base + y] -= u;
            }
          } else if (Number.isNaN(z)) loss = NaN;
        }
      }
      losses[n] = loss / C;
    }
    return { loss: reducer.reduce(losses), grads: grad ? [gradTensor(grad, input), null] : [] };
  },
) as Loss2<MultilabelMarginLossOptions>;
