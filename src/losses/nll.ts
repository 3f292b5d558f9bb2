import { checkClassTargets, classLayout, classWeights, itemBase } from '../core/classes.js';
import { defineLoss, gradTensor, resultDtype, type Loss2 } from '../core/loss.js';
import { integerOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import type { TensorLike } from '../core/tensor.js';

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
export const nllLoss = defineLoss<NllLossOptions>({
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
}, (call) => {
  const fn = 'nllLoss';
  const [input, target] = call.tensors;
  const { options, wantGrad } = call;
  const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
  const ignoreIndex = integerOption(fn, 'ignoreIndex', options.ignoreIndex, -100);
  const layout = classLayout(fn, input);
  const weight = classWeights(fn, options.weight, layout.classes, resultDtype([input]));
  const denominator = checkClassTargets(fn, target, layout, ignoreIndex, weight);
  const reducer = new Reducer(fn, reduction, layout.itemShape, resultDtype([input]), denominator);
  if (wantGrad) reducer.setGradOutput(call.gradOutput);
  const losses = new Float64Array(layout.items);
  const grad = wantGrad ? new Float64Array(input.size) : null;
  for (let i = 0; i < layout.items; i++) {
    const t = target.data[i];
    if (t === ignoreIndex) continue;
    const k = itemBase(layout, i) + t * layout.inner;
    const w = weight ? weight[t] : 1;
    losses[i] = -w * input.data[k];
    if (grad) grad[k] = -w * reducer.upstream(i);
  }
  return { loss: reducer.reduce(losses), grads: grad ? [gradTensor(grad, input), null] : [] };
}) as Loss2<NllLossOptions>;
