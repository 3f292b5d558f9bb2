import type { TensorArg } from '../core/catalog.js';
import { laneRowsLoss } from '../core/lane-mean.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';
import { laneSoftmax } from '../core/stable.js';
import { SoftmaxBlocks } from '../kernels/softmax-blocks.js';

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
export const polyLossCrossEntropy = laneRowsLoss<PolyRows, PolyLossCrossEntropyOptions, readonly [TensorArg, TensorArg]>(
  {
    name: 'polyLossCrossEntropy',
    reference: 'optax.losses.poly_loss_cross_entropy',
    args: [{ name: 'input', shape: '[*, C] (logits)', differentiable: true }, { name: 'target', shape: 'like input (probabilities)', differentiable: true }],
    options: { epsilon: { type: 'number', default: 2, doc: 'coefficient of the first polynomial term (1 − p_t)' } },
    // The softmax and logSoftmax of the rows, in float64 (the loss itself is TypeScript).
    kernels: ['softmaxRows_f64'],
    items: 'rows',
    plot: null,
  },
  'classes on the last',
  (x, _, options) => {
    const C = x.shape[x.shape.length - 1];
    return {
      epsilon: numberOption('polyLossCrossEntropy', 'epsilon', options.epsilon, 2),
      logP: new Float64Array(C),
      p: new Float64Array(C),
      softmax: SoftmaxBlocks.create(x.data, C, true),
    };
  },
  (X, Y, base, C, { epsilon, logP, p, softmax }, u, gx, gy) => {
    const at = softmax === null ? -1 : softmax.row(base / C);
    if (at >= 0) {
      // From the kernels: p_k = exp(x_k − m) / Σ and log p_k = (x_k − m) − log Σ.
      p.set(softmax!.probabilities.subarray(at, at + C));
      logP.set(softmax!.logs!.subarray(at, at + C));
    } else {
      // p_k = exp(x_k − m) / Σ from the softmax's own exps: one exp an element, not three.
      const soft = laneSoftmax(X, base, 1, C, p);
      const sum = soft.ties + soft.others;
      for (let k = 0; k < C; k++) {
        logP[k] = X[base + k] - soft.max - soft.logSum;
        p[k] /= sum;
      }
    }
    let ce = 0;
    let sumY = 0;
    let yp = 0; // Σ y p
    for (let k = 0; k < C; k++) {
      const y = Y[base + k];
      ce -= y * logP[k];
      sumY += y;
      yp += y * p[k];
    }
    for (let k = 0; (gx || gy) && k < C; k++) {
      const y = Y[base + k];
      if (gx) gx[base + k] = u * (p[k] * sumY - y + epsilon * p[k] * (yp - y));
      if (gy) gy[base + k] = u * (-logP[k] + epsilon * (1 - p[k]));
    }
    // Σ y (1 − p) = Σy − Σ y p
    return ce + epsilon * (sumY - yp);
  },
);

/** What a row of {@link polyLossCrossEntropy} works with: the option, a row's log p and p, the kernels' rows. */
interface PolyRows {
  epsilon: number;
  logP: Float64Array;
  p: Float64Array;
  softmax: SoftmaxBlocks | null;
}
