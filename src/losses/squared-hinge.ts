import type { TensorArg } from '../core/catalog.js';
import { laneMeanLoss } from '../core/lane-mean.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link squaredHingeLoss}. */
export interface SquaredHingeLossOptions {
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Squared hinge loss, as `keras.losses.SquaredHinge` (Keras 3.15).
 *
 * The per-sample loss is `mean(max(1 − y x, 0)², axis=−1)` with x the prediction and y the
 * target, meant to be −1 or 1. As Keras, when every target value is 0 or 1 (the whole tensor,
 * checked once per call), the targets are read as binary labels and mapped to `y = 2 t − 1`;
 * any other targets are used as they are. With `m = max(1 − y x, 0)` and D the size of the last
 * dimension: `∂/∂x = −2 m y / D`, `∂/∂t = −2 m x / D`, times 2 where the targets were mapped.
 *
 * Shapes: `input` and `target` `[*, D]`, the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(squaredHingeLoss([[0.6, 0.4], [0.4, 0.6]], [[0, 1], [0, 0]]).toString());
 * console.log(squaredHingeLoss([[0.6, 0.4], [0.4, 0.6]], [[-1, 1], [-1, -1]], { reduction: 'none' }).toString());
 * // tensor(1.8600)
 * // tensor([1.4600, 2.2600])
 * ```
 * Differs from Keras: the prediction comes first (Keras takes `y_true, y_pred`); shapes must
 * match (Keras squeezes or expands a trailing dimension of 1).
 */
export const squaredHingeLoss = laneMeanLoss<boolean, SquaredHingeLossOptions, readonly [TensorArg, TensorArg]>(
  {
    name: 'squaredHingeLoss',
    reference: 'keras.losses.SquaredHinge',
    args: [{ name: 'input', shape: '[*, D]', differentiable: true }, { name: 'target', shape: 'like input (±1, or 0/1 everywhere)', differentiable: true }],
    options: {},
    items: 'rows',
    plot: { x: 'margin', range: [-2, 3], targets: [1, -1] },
  },
  (_, target) => {
    for (const t of target.data) if (t !== 0 && t !== 1) return false;
    return true;
  },
  (X, Y, base, D, binary, u, gx, gy) => {
    let sum = 0;
    for (let i = base; i < base + D; i++) {
      const x = X[i];
      const y = binary ? 2 * Y[i] - 1 : Y[i];
      const m = Math.max(1 - y * x, 0);
      sum += m * m;
      if (gx) gx[i] = u * (-2 * m * y);
      if (gy) gy[i] = u * (-2 * m * x * (binary ? 2 : 1));
    }
    return sum;
  },
);
