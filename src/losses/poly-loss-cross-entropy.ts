import type { TensorArg } from '../core/catalog.js';
import { laneRowsLoss } from '../core/lane-mean.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';
import { laneSoftmax } from '../core/stable.js';

/** Options of {@link polyLossCrossEntropy}. */
export interface PolyLossCrossEntropyOptions {
  /** Coefficient of the first polynomial term `(1 − p_t)`; default 2 (the paper's ImageNet value; −1 for detection). */
  epsilon?: number;
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Poly-1 cross-entropy, as `optax.losses.poly_loss_cross_entropy` (optax 0.2.8; Leng et al., 2022).
 *
 * Over the last axis, with `p = softmax(x)` and y the target distribution:
 * `loss = −Σ y log p + epsilon Σ y (1 − p)` (cross-entropy plus epsilon times the first term of
 * its expansion in `(1 − p_t)`). `log p` is taken as `(x − max) − log Σ exp(x − max)`, so no logit
 * overflows. Gradients: `∂/∂x_k = p_k Σy − y_k + epsilon p_k (Σ_c y_c p_c − y_k)`,
 * `∂/∂y_k = −log p_k + epsilon (1 − p_k)`.
 *
 * Shapes: `input` (logits) and `target` `[*, C]`, the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * const logits = [[1.2, -0.8, -0.5], [0.9, -1.2, 1.1]];
 * console.log(polyLossCrossEntropy(logits, [[1, 0, 0], [0, 1, 0]], { reduction: 'none' }).toString());
 * // tensor([0.7587, 4.8473])
 * ```
 * Differs from optax: the target must have the input's shape (optax broadcasts it); the classes
 * are on the last axis (optax's `axis` and `where` are not offered).
 */
export const polyLossCrossEntropy = laneRowsLoss<{ epsilon: number; logP: Float64Array; exps: Float64Array }, PolyLossCrossEntropyOptions, readonly [TensorArg, TensorArg]>(
  {
    name: 'polyLossCrossEntropy',
    reference: 'optax.losses.poly_loss_cross_entropy',
    args: [{ name: 'input', shape: '[*, C] (logits)', differentiable: true }, { name: 'target', shape: 'like input (probabilities)', differentiable: true }],
    options: { epsilon: { type: 'number', default: 2, doc: 'coefficient of the first polynomial term (1 − p_t)' } },
    items: 'rows',
    plot: null,
  },
  'classes on the last',
  (x, _, options) => {
    const C = x.shape[x.shape.length - 1];
    return { epsilon: numberOption('polyLossCrossEntropy', 'epsilon', options.epsilon, 2), logP: new Float64Array(C), exps: new Float64Array(C) };
  },
  (X, Y, base, C, { epsilon, logP, exps }, u, gx, gy) => {
    // p_k = exp(x_k − m) / Σ from the softmax's own exps: one exp an element, not three.
    const soft = laneSoftmax(X, base, 1, C, exps);
    const sum = soft.ties + soft.others;
    let ce = 0;
    let sumY = 0;
    let yp = 0; // Σ y p
    for (let k = 0; k < C; k++) {
      logP[k] = X[base + k] - soft.max - soft.logSum;
      const y = Y[base + k];
      ce -= y * logP[k];
      sumY += y;
      yp += y * (exps[k] / sum);
    }
    for (let k = 0; (gx || gy) && k < C; k++) {
      const p = exps[k] / sum;
      const y = Y[base + k];
      if (gx) gx[base + k] = u * (p * sumY - y + epsilon * p * (yp - y));
      if (gy) gy[base + k] = u * (-logP[k] + epsilon * (1 - p));
    }
    // Σ y (1 − p) = Σy − Σ y p
    return ce + epsilon * (sumY - yp);
  },
);
