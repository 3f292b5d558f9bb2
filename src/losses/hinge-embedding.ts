import { elementwiseLoss } from '../core/elementwise.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link hingeEmbeddingLoss}. */
export interface HingeEmbeddingLossOptions {
  /** Default 1. */
  margin?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Hinge embedding loss, as `torch.nn.functional.hinge_embedding_loss` (input: a distance).
 *
 * `loss = x` where `y = 1`, `max(0, margin − x)` where `y = −1` (PyTorch's formula adds both terms
 * for any other label, and so does losskit). Gradient `1` or `−1` (where `margin − x ≥ 0`);
 * the labels get none, as in PyTorch.
 *
 * Shapes: `input` `[*]`, `target` (±1) the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(hingeEmbeddingLoss([0.3, 0.2, 1.5], [1, -1, -1]).toString());
 * // tensor(0.3667)
 * ```
 */
export const hingeEmbeddingLoss = elementwiseLoss({
  name: 'hingeEmbeddingLoss',
  reference: 'torch.nn.functional.hinge_embedding_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input (±1)', differentiable: false }],
  options: {
    margin: { type: 'number', default: 1, doc: 'the margin' },
  },
  plot: { x: 'distance', range: [0, 3], targets: [1, -1] },
  params: (options: HingeEmbeddingLossOptions) => ({ margin: numberOption('hingeEmbeddingLoss', 'margin', options.margin, 1) }),
  pointwise(x, y, _, { margin }, out) {
    let loss = 0;
    let grad = 0;
    if (y !== 1) {
      const z = margin - x;
      loss += Number.isNaN(z) ? z : Math.max(z, 0);
      grad -= z >= 0 ? 1 : 0;
    }
    if (y !== -1) {
      loss += x;
      grad += 1;
    }
    out[0] = loss;
    out[1] = grad;
  },
});
