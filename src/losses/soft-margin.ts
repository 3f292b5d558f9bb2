import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import { log1pExp, sigmoidScalar } from '../core/stable.js';

/** Options of {@link softMarginLoss}. */
export interface SoftMarginLossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Two-class logistic loss, as `torch.nn.functional.soft_margin_loss`.
 *
 * `loss = log(1 + exp(−y x))`, computed as `max(z, 0) + log1p(exp(−|z|))` with `z = −y x`.
 * Gradient: `∂/∂x = −y σ(−y x)`. The target (labels ±1) gets no gradient, as in PyTorch.
 *
 * Shapes: `input` `[*]`, `target` (±1) the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(softMarginLoss([2, -1, 0.5], [1, 1, -1]).toString());
 * // tensor(0.8048)
 * ```
 * Differs from PyTorch: PyTorch computes `log1p(exp(−y x))` directly, which overflows to `inf`
 * (gradient NaN) in float32 once `−y x > 88`; losskit stays exact there.
 */
export const softMarginLoss = elementwiseLoss({
  name: 'softMarginLoss',
  reference: 'torch.nn.functional.soft_margin_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input (±1)', differentiable: false }],
  options: {},
  plot: { x: 'margin', range: [-4, 4], targets: [1, -1] },
  params: (_: SoftMarginLossOptions) => null,
  pointwise(x, y, _, __, out) {
    const z = -y * x;
    out[0] = log1pExp(z);
    out[1] = -y * sigmoidScalar(z);
  },
});
