import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import { logSigmoidScalar, sigmoidScalar } from '../core/stable.js';
import type { TensorLike } from '../core/tensor.js';

/** Options of {@link multilabelSoftMarginLoss}. */
export interface MultilabelSoftMarginLossOptions {
  /** Weights broadcast to the input's shape, typically one per class `[C]`. */
  weight?: TensorLike;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Multi-label one-versus-all logistic loss, as `torch.nn.functional.multilabel_soft_margin_loss`.
 *
 * `loss_n = −Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)] / C` (stable log-sigmoid).
 * Gradients: `∂/∂x_c = w_c (σ(x_c) − y_c) / C`, `∂/∂y_c = −w_c x_c / C`.
 *
 * Shapes: `input` `[*, C]`, `target` (0/1 or probabilities) the same; `weight` broadcastable;
 * result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(multilabelSoftMarginLoss([[2, -1, 0.5]], [[1, 0, 1]]).toString());
 * // tensor(0.3048)
 * ```
 */
export const multilabelSoftMarginLoss = elementwiseLoss({
  name: 'multilabelSoftMarginLoss',
  reference: 'torch.nn.functional.multilabel_soft_margin_loss',
  args: [
    { name: 'input', shape: '[*, C]', differentiable: true },
    { name: 'target', shape: 'like input (0/1 or probabilities)', differentiable: true },
  ],
  options: {
    weight: { type: 'tensor', default: 1, shape: 'broadcastable to input ([C])', broadcast: true, mean: 'count', doc: 'weights broadcast to the input, typically one per class' },
  },
  items: 'rows',
  plot: null,
  params: (_: MultilabelSoftMarginLossOptions) => null,
  // The element terms are BCE with logits' (pos weight 1): −[y log σ(x) + (1 − y) log σ(−x)] is
  // max(x, 0) − y x + log1p(e^−|x|) for finite x. At x = ±inf that kernel keeps PyTorch's NaN of
  // BCE with logits where this loss is ±inf: its total is then NaN and the call reruns on the
  // TypeScript path, which gives the values below.
  wasm: { kernel: 'bceWithLogits', params: () => [0, 0] },
  pointwise(x, y, _, __, out) {
    out[0] = -(y * logSigmoidScalar(x) + (1 - y) * logSigmoidScalar(-x));
    // σ(x) − y as (1 − y) σ(x) − y σ(−x): no cancellation of σ(x) − 1 on a confident logit (the kernel's form).
    out[1] = (1 - y) * sigmoidScalar(x) - y * sigmoidScalar(-x);
    out[2] = -x;
  },
});
