import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import { firstNonBinary } from '../core/scan.js';

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
export const squaredHingeLoss = elementwiseLoss({
  name: 'squaredHingeLoss',
  reference: 'keras.losses.SquaredHinge',
  args: [{ name: 'input', shape: '[*, D]', differentiable: true }, { name: 'target', shape: 'like input (±1, or 0/1 everywhere)', differentiable: true }],
  options: {},
  items: 'rows',
  axis: 'the loss is a mean over the last',
  plot: { x: 'margin', range: [-2, 3], targets: [1, -1] },
  // Whether the targets are binary labels (all 0 or 1).
  params: (_: SquaredHingeLossOptions, [, target]) => firstNonBinary(target.data) < 0,
  wasm: { kernel: 'squaredHinge', params: (binary) => [binary ? 1 : 0, 0] },
  pointwise(x, t, _, binary, out) {
    const y = binary ? 2 * t - 1 : t;
    const m = Math.max(1 - y * x, 0);
    out[0] = m * m;
    out[1] = -2 * m * y;
    out[2] = binary ? -2 * m * x * 2 : -2 * m * x;
  },
});
