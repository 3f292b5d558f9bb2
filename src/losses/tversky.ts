import { GROUP_AXES, KERAS_EPSILON } from '../core/keras.js';
import { numberOption } from '../core/options.js';
import { overlapLoss } from '../core/overlap.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link tverskyLoss}. */
export interface TverskyLossOptions {
  /** Weight of `Σ y (1 − p)` (the target's mass the prediction misses); default 0.5. */
  alpha?: number;
  /** Weight of `Σ p (1 − y)` (the prediction's mass outside the target); default 0.5. */
  beta?: number;
  /** The dimensions each loss value sums over, as Keras's `axis`; default: all of them (one value). */
  axis?: number | readonly number[];
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Tversky loss, as `keras.losses.Tversky` (Keras 3.15; Salehi et al., 2017).
 *
 * Over each group of elements (all of them, or the dimensions in `axis`), with p the prediction
 * and y the target: `I = Σ y p`, `A = Σ y (1 − p)`, `B = Σ p (1 − y)`,
 * `loss = 1 − I / (I + alpha A + beta B + 1e-7)`. `alpha = beta = 0.5` is the Dice loss up to
 * the epsilon (1e-7 here, 2e-7 in {@link diceLoss}'s form). Computed from the sums
 * `I`, `Sy = Σ y`, `Sp = Σ p` (`A = Sy − I`, `B = Sp − I`): with `D` the denominator,
 * `∂L/∂I = −(D − (1 − alpha − beta) I) / D²`, `∂L/∂Sy = alpha I / D²`, `∂L/∂Sp = beta I / D²`.
 *
 * Keras's documentation calls `alpha` the weight of false positives; its code (followed here)
 * multiplies `Σ y_true (1 − y_pred)`, the false negatives, by `alpha`.
 *
 * Shapes: `input` and `target` `[*]`, the same; result `[]`, or for `'none'` the input's shape
 * without the `axis` dimensions (`[]` without `axis`).
 *
 * @example
 * ```ts
 * const input = [[0.9, 0.8, 0.1, 0.0], [0.2, 0.1, 0.7, 0.6]];
 * const target = [[1, 1, 0, 0], [1, 1, 0, 0]];
 * console.log(tverskyLoss(input, target, { alpha: 0.7, beta: 0.3, axis: 1, reduction: 'none' }).toString());
 * // tensor([0.1237, 0.8404])
 * ```
 * Differs from Keras: the prediction comes first (Keras takes `y_true, y_pred`); shapes must
 * match; the sums are taken in float64 for float32 inputs too.
 */
export const tverskyLoss = overlapLoss(
  {
    name: 'tverskyLoss',
    reference: 'keras.losses.Tversky',
    args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
    options: {
      alpha: { type: 'number', default: 0.5, doc: "weight of the target's mass the prediction misses, Σ y (1 − p)" },
      beta: { type: 'number', default: 0.5, doc: "weight of the prediction's mass outside the target, Σ p (1 − y)" },
      axis: GROUP_AXES,
    },
    items: 'groups',
    plot: null,
  },
  (options: TverskyLossOptions) => ({ alpha: numberOption('tverskyLoss', 'alpha', options.alpha, 0.5), beta: numberOption('tverskyLoss', 'beta', options.beta, 0.5) }),
  (I, Sy, Sp, { alpha, beta }, out) => {
    const D = I + alpha * (Sy - I) + beta * (Sp - I) + KERAS_EPSILON;
    out[0] = 1 - I / D;
    out[1] = -(D - (1 - alpha - beta) * I) / (D * D);
    out[2] = (alpha * I) / (D * D);
    out[3] = (beta * I) / (D * D);
  },
);
