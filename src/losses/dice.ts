import { GROUP_AXES, KERAS_EPSILON } from '../core/keras.js';
import { overlapLoss } from '../core/overlap.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link diceLoss}. */
export interface DiceLossOptions {
  /**
   * The dimensions each loss value sums over, as Keras's `axis`: an integer or an array of
   * distinct integers (negative ones count from the end); default: all of them (one value).
   */
  axis?: number | readonly number[];
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Dice loss, as `keras.losses.Dice` (Keras 3.15).
 *
 * Over each group of elements (all of them, or the dimensions in `axis`), with p the prediction
 * and y the target: `loss = 1 − 2 Σ y p / (Σ y + Σ p + 1e-7)`. With I = Σ y p and
 * S = Σ y + Σ p + 1e-7, the gradients are `∂/∂p_k = −2 y_k / S + 2 I / S²` and
 * `∂/∂y_k = −2 p_k / S + 2 I / S²` (Keras differentiates the target too). The 1e-7 (Keras's epsilon) makes an empty mask and a
 * zero prediction give 1.
 *
 * Shapes: `input` and `target` `[*]`, the same; result `[]`, or for `'none'` the input's shape
 * without the `axis` dimensions (`[]` without `axis`).
 *
 * @example
 * ```ts
 * const input = [[0, 1, 0, 1], [0.4, 0, 0, 0.9]];
 * const target = [[1, 1, 0, 0], [1, 1, 0, 0]];
 * console.log(diceLoss(input, target).toString());
 * console.log(diceLoss(input, target, { axis: 1, reduction: 'none' }).toString());
 * // tensor(0.6164)
 * // tensor([0.5000, 0.7576])
 * ```
 * Differs from Keras: the prediction comes first (Keras takes `y_true, y_pred`); shapes must
 * match (Keras squeezes or expands a trailing dimension of 1); the sums are taken in float64
 * for float32 inputs too.
 */
export const diceLoss = overlapLoss(
  {
    name: 'diceLoss',
    reference: 'keras.losses.Dice',
    args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
    options: { axis: GROUP_AXES },
    items: 'groups',
    plot: null,
  },
  (_: DiceLossOptions) => null,
  (I, Sy, Sp, _, out) => {
    const S = Sy + Sp + KERAS_EPSILON;
    out[0] = 1 - (2 * I) / S;
    out[1] = -2 / S;
    out[2] = out[3] = (2 * I) / (S * S);
  },
);
