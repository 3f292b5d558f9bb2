import { elementwiseLoss } from '../core/elementwise.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link marginRankingLoss}. */
export interface MarginRankingLossOptions {
  /** Default 0. */
  margin?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Ranking loss of pairs, as `torch.nn.functional.margin_ranking_loss`: `target = 1` means
 * `input1` should rank higher than `input2`, `−1` the reverse.
 *
 * `loss = max(0, −y (x1 − x2) + margin)`. Gradients where the hinge is active (`≥ 0`, as PyTorch's
 * clamp): `∂/∂x1 = −y`, `∂/∂x2 = y`, `∂/∂y = −(x1 − x2)`; 0 elsewhere.
 *
 * Shapes: `input1`, `input2`, `target` all `[N]` (or `[]`); result `[]`, or `[N]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(marginRankingLoss([3, 1], [1, 2], [1, 1], { margin: 0.5 }).toString());
 * // tensor(0.7500)
 * ```
 */
export const marginRankingLoss = elementwiseLoss({
  name: 'marginRankingLoss',
  reference: 'torch.nn.functional.margin_ranking_loss',
  args: [
    { name: 'input1', shape: '[N] or []', differentiable: true },
    { name: 'input2', shape: 'like input1', differentiable: true },
    { name: 'target', shape: 'like input1 (±1)', differentiable: true },
  ],
  options: {
    margin: { type: 'number', default: 0, doc: 'the margin' },
  },
  plot: null,
  params: (options: MarginRankingLossOptions) => ({ margin: numberOption('marginRankingLoss', 'margin', options.margin, 0) }),
  pointwise(x1, x2, y, { margin }, out) {
    const z = -y * (x1 - x2) + margin;
    const active = z >= 0 ? 1 : 0;
    out[0] = Math.max(z, 0);
    out[1] = -y * active;
    out[2] = y * active;
    out[3] = -(x1 - x2) * active;
    if (Number.isNaN(z)) out[0] = z;
  },
});
