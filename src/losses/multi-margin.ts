import { checkClassTargets, classWeights } from '../core/classes.js';
import { gradBuffer } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { shapeString } from '../core/shape.js';
import { Tensor, type TensorLike } from '../core/tensor.js';

/** Options of {@link multiMarginLoss}. */
export interface MultiMarginLossOptions {
  /** 1 (hinge) or 2 (squared hinge); default 1. */
  p?: 1 | 2;
  /** Default 1. */
  margin?: number;
  /** One weight per class, `[C]` (applied by the target's class). */
  weight?: TensorLike;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Multi-class hinge loss, as `torch.nn.functional.multi_margin_loss`.
 *
 * `loss_i = Σ_{j ≠ t} w[t] max(0, margin − x_t + x_j)^p / C`. Gradient, for each term with
 * `z = margin − x_t + x_j > 0` (strictly, as PyTorch): `+p z^(p−1) w[t] / C` at `j`, the
 * opposite at `t`. `'mean'` averages over the N samples.
 *
 * Shapes: `input` `[N, C]`, `[C]` or 0-d (one class, as PyTorch); `target` class indices `[N]`
 * (or `[]` for one sample); result `[]`, or the target's shape for `'none'`.
 *
 * @example
 * ```ts
 * console.log(multiMarginLoss([[0.1, 0.2, 0.4, 0.8]], [3]).toString());
 * // tensor(0.3250)
 * ```
 */
export const multiMarginLoss = defineLoss(
  {
    name: 'multiMarginLoss',
    reference: 'torch.nn.functional.multi_margin_loss',
    args: [
      { name: 'input', shape: '[N, C], [C] or []', differentiable: true },
      { name: 'target', shape: 'class indices [N] or []', differentiable: false, classIndices: true },
    ],
    options: {
      p: { type: 'number', default: 1, values: [1, 2], doc: '1 (hinge) or 2 (squared hinge)' },
      margin: { type: 'number', default: 1, doc: 'the margin' },
      weight: { type: 'tensor', default: 1, shape: '[C]', broadcast: false, mean: 'count', doc: "one weight per class (applied by the target's class)" },
    },
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<MultiMarginLossOptions>) => {
    const fn = 'multiMarginLoss';
    const [input, target] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const p = numberOption(fn, 'p', options.p, 1);
    if (p !== 1 && p !== 2) throw new Error(`${fn}: p must be 1 or 2, got ${p}`);
    const margin = numberOption(fn, 'margin', options.margin, 1);
    if (input.shape.length > 2) {
      throw new Error(`${fn}: input must be [N, C], [C] or 0-d (one class), got shape ${shapeString(input.shape)}`);
    }
    // As PyTorch: a 0-d input is one sample of one class; the N targets may be [N], or [] when N = 1.
    const C = input.shape.length === 0 ? 1 : input.shape[input.shape.length - 1];
    const N = input.shape.length === 2 ? input.shape[0] : 1;
    if (C === 0) throw new Error(`${fn}: input must have at least one class, got shape ${shapeString(input.shape)}`);
    if (target.shape.length > 1 || target.size !== N) {
      const expected = N === 1 ? `[1] or []` : `[${N}]`;
      throw new Error(`${fn}: target shape ${shapeString(target.shape)} does not match the input: expected ${N} class ${N === 1 ? 'index' : 'indices'}, ${expected}`);
    }
    // 'none' gives one loss per target, in the target's shape (PyTorch's).
    const layout = { classes: C, inner: 1, items: N, itemShape: target.shape };
    const weight = classWeights(fn, options.weight, C, resultDtype([input]));
    checkClassTargets(fn, target, layout, null, null);
    const reducer = new Reducer(fn, reduction, layout.itemShape, resultDtype([input]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const X = input.data;
    const losses = new Float64Array(N);
    // Every entry is written once, in place in the result's dtype: the target's, the sum of the
    // others' with its sign changed, accumulated in float64 first (no zeroing, one rounding each).
    const grad = wantGrad ? gradBuffer(call, 0, input, false) : null;
    const T = target.data;
    for (let n = 0; n < N; n++) {
      const base = n * C;
      const t = T[n];
      const scale = (weight ? weight[t] : 1) / C;
      const u = grad ? reducer.upstream(n) : 0;
      const xt = X[base + t];
      let loss = 0;
      let targetGrad = 0;
      for (let j = 0; j < C; j++) {
        if (j === t) continue;
        const z = margin - xt + X[base + j];
        // max(z, 0) without a branch (the sign of z is data: a branch mispredicts half the time);
        // a NaN z makes the loss NaN and adds nothing to the gradient, as PyTorch's z > 0 test.
        const hinge = Math.max(z, 0);
        loss += (p === 1 ? hinge : hinge * hinge) * scale;
        if (grad) {
          const g = z > 0 ? (p === 1 ? 1 : 2 * z) * scale * u : 0;
          grad[base + j] = g;
          targetGrad -= g;
        }
      }
      if (grad) grad[base + t] = targetGrad;
      losses[n] = loss;
    }
    return { loss: reducer.reduce(losses), grads: grad ? [new Tensor(grad, input.shape), null] : [] };
  },
);
