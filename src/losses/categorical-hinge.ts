import type { TensorArg } from '../core/catalog.js';
import { laneRowsLoss } from '../core/lane-mean.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link categoricalHingeLoss}. */
export interface CategoricalHingeLossOptions {
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Categorical hinge loss, as `keras.losses.CategoricalHinge` (Keras 3.15).
 *
 * Over the last axis, with x the prediction and y the (one-hot) target: `pos = Σ y x`,
 * `neg = max((1 − y) x)`, `loss = max(neg − pos + 1, 0)`. Gradients follow JAX's conventions,
 * which Keras's JAX backend differentiates with: the maximum over classes passes its gradient in
 * equal parts to every tied position, and `max(z, 0)` passes half of it at `z = 0` exactly. With
 * h that factor (1, ½ or 0) and w_k the tie share of class k (1/count at the maxima, else 0):
 * `∂/∂x_k = h ((1 − y_k) w_k − y_k)`, `∂/∂y_k = −h x_k (w_k + 1)`.
 *
 * Shapes: `input` and `target` `[*, C]`, the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(categoricalHingeLoss([[0.6, 0.4], [0.4, 0.6]], [[0, 1], [0, 0]], { reduction: 'none' }).toString());
 * // tensor([1.2000, 1.6000])
 * ```
 * Differs from Keras: the prediction comes first (Keras takes `y_true, y_pred`); shapes must match.
 */
export const categoricalHingeLoss = laneRowsLoss<null, CategoricalHingeLossOptions, readonly [TensorArg, TensorArg]>(
  {
    name: 'categoricalHingeLoss',
    reference: 'keras.losses.CategoricalHinge',
    args: [{ name: 'input', shape: '[*, C]', differentiable: true }, { name: 'target', shape: 'like input (one-hot)', differentiable: true }],
    options: {},
    items: 'rows',
    plot: null,
  },
  'classes on the last',
  () => null,
  (X, Y, base, C, _, upstream, gx, gy) => {
    let pos = 0;
    let neg = -Infinity;
    for (let k = base; k < base + C; k++) {
      pos += Y[k] * X[k];
      const v = (1 - Y[k]) * X[k];
      if (v > neg || Number.isNaN(v)) neg = v;
    }
    const z = neg - pos + 1;
    if (gx || gy) {
      // JAX's max(z, 0): the gradient goes to z for z > 0, half of it at z = 0; NaN stays NaN.
      const h = upstream * (z > 0 ? 1 : z < 0 ? 0 : z === 0 ? 0.5 : NaN);
      let ties = 0;
      for (let k = base; k < base + C; k++) if ((1 - Y[k]) * X[k] === neg) ties++;
      for (let k = base; k < base + C; k++) {
        const w = (1 - Y[k]) * X[k] === neg ? 1 / ties : 0;
        if (gx) gx[k] = h * ((1 - Y[k]) * w - Y[k]);
        if (gy) gy[k] = -h * X[k] * (w + 1);
      }
    }
    return Number.isNaN(z) ? z : Math.max(z, 0);
  },
);
