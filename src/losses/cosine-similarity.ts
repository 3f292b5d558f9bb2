import { KERAS_EPSILON, normalizeAxis, ONE_AXIS } from '../core/keras.js';
import { gradBuffer, gradOf } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { onRows } from '../core/row-distance.js';
import { assertSameShape, forEachLane } from '../core/shape.js';
import { COSINE_ROW_KERNELS } from '../kernels/rows.js';

/** Options of {@link cosineSimilarityLoss}. */
export interface CosineSimilarityLossOptions {
  /** The axis of the vectors (negative counts from the end); default −1. */
  axis?: number;
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/** Keras normalizes with x · min(1 / ‖x‖, 1 / epsilon): vectors shorter than 1e-7 are scaled by 1e7. */
const MAX_INVERSE_NORM = 1 / KERAS_EPSILON;

/** min(1 / ‖x‖, 1e7) from ‖x‖²: 1 / sqrt(0) = inf, so a zero vector takes the clamp (and u = 0). */
function inverseNorm(squares: number): number {
  return Math.min(1 / Math.sqrt(squares), MAX_INVERSE_NORM);
}

/**
 * Cosine similarity loss, as `keras.losses.CosineSimilarity` (Keras 3.15): the negative cosine
 * similarity, in [−1, 1], −1 for vectors pointing the same way.
 *
 * Along `axis`: `u = x · min(1 / ‖x‖, 1e7)` (Keras's `normalize`), likewise `v` for the target,
 * `loss = −Σ u v`. A zero vector gives 0. Gradient: where `1 / ‖x‖ < 1e7`,
 * `∂/∂x = (−v − loss · u) / ‖x‖` (the projection of −v orthogonal to u); for shorter vectors the
 * scale is the constant 1e7, so `∂/∂x = −1e7 v`. The target's gradient is symmetric.
 *
 * Shapes: `input` and `target` `[*]` with at least one dimension, the same; result `[]`, or for
 * `'none'` the input's shape without `axis`.
 *
 * @example
 * ```ts
 * console.log(cosineSimilarityLoss([[1, 0], [1, 1], [-1, -1]], [[0, 1], [1, 1], [1, 1]], { reduction: 'none' }).toString());
 * // tensor([-0., -1.,  1.])
 * ```
 * Differs from Keras: the prediction comes first (Keras takes `y_true, y_pred`); shapes must
 * match. At a zero vector Keras's gradient is NaN (`rsqrt(0) = inf` times the zero derivative of
 * the clamp); losskit gives the limit, `−1e7 v`, the gradient at every nonzero vector shorter
 * than 1e-7. optax's `cosine_similarity` is the positive similarity (not a loss) and floors the
 * squared norm at its `epsilon` instead.
 */
export const cosineSimilarityLoss = defineLoss(
  {
    name: 'cosineSimilarityLoss',
    reference: 'keras.losses.CosineSimilarity',
    args: [{ name: 'input', shape: '[*] (at least 1-d)', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
    options: { axis: ONE_AXIS },
    kernels: COSINE_ROW_KERNELS,
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<CosineSimilarityLossOptions>) => {
    const fn = 'cosineSimilarityLoss';
    const [x, y] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const axis = normalizeAxis(fn, options.axis ?? -1, x.shape.length);
    assertSameShape(fn, 'target', y, 'input', x);
    const reducer = new Reducer(fn, reduction, x.shape.filter((_, d) => d !== axis), resultDtype([x]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const losses = new Float64Array(reducer.itemShape.reduce((a, d) => a * d, 1));
    const [X, Y] = [x.data, y.data];
    // In the result's dtype, every entry written.
    const [gx, gy] = [0, 1].map((k) => (call.wantGrads[k] ? gradBuffer(call, k, call.tensors[k], false) : null));
    // Rows (the last axis): through a RowBackend (core/row-distance.ts), the row kernels where they
    // run: each chunk's x·y, |x|², |y|² in one pass, each gradient row a combination of the two
    // operand rows in another. Other axes: strided lanes.
    if (axis === x.shape.length - 1) {
      const D = x.shape[axis];
      const N = losses.length;
      onRows([x, y], [gx, gy], N, D, (rows) => {
        for (let r0 = 0; r0 < N; r0 += rows.chunk) {
          const n = Math.min(rows.chunk, N - r0);
          rows.load(r0, n);
          // x·y, |x|², |y|² of each row (RowSums 'pair': entries 0, 3, 4)
          const terms = rows.sums('pair', 0);
          const cx = gx ? rows.coef(0) : null;
          const cy = gy ? rows.coef(1) : null;
          for (let r = 0; r < n; r++) {
            const [ix, iy] = [inverseNorm(terms[6 * r + 3]), inverseNorm(terms[6 * r + 4])];
            const loss = -terms[6 * r] * ix * iy;
            losses[r0 + r] = loss;
            if (!wantGrad) continue;
            // g ix (−v − px u) with u = x ix, v = y iy: −g ix iy · y − g px ix² · x (and symmetrically)
            const g = reducer.upstream(r0 + r);
            const [px, py] = [ix < MAX_INVERSE_NORM ? loss : 0, iy < MAX_INVERSE_NORM ? loss : 0];
            if (cx) [cx[3 * r], cx[3 * r + 1], cx[3 * r + 2]] = [-g * ix * iy, -g * px * ix * ix, 0];
            if (cy) [cy[3 * r], cy[3 * r + 1], cy[3 * r + 2]] = [-g * ix * iy, -g * py * iy * iy, 0];
          }
          // gradient of x: k₀ y + k₁ x; of y: k₀ x + k₁ y
          if (gx) (rows.linear(0, 1, 0, -1), rows.finish(0));
          if (gy) (rows.linear(1, 0, 1, -1), rows.finish(1));
        }
      });
    } else {
      forEachLane(x.shape, axis, (offset, stride, length, lane) => {
        let sx = 0;
        let sy = 0;
        let dot = 0;
        for (let k = 0, i = offset; k < length; k++, i += stride) {
          sx += X[i] * X[i];
          sy += Y[i] * Y[i];
          dot += X[i] * Y[i];
        }
        const [ix, iy] = [inverseNorm(sx), inverseNorm(sy)];
        const loss = -dot * ix * iy;
        losses[lane] = loss;
        if (!wantGrad) return;
        const g = reducer.upstream(lane);
        // On the clamped side the scale is constant: no projection term.
        const px = ix < MAX_INVERSE_NORM ? loss : 0;
        const py = iy < MAX_INVERSE_NORM ? loss : 0;
        for (let k = 0, i = offset; k < length; k++, i += stride) {
          const u = X[i] * ix;
          const v = Y[i] * iy;
          if (gx) gx[i] = g * ix * (-v - px * u);
          if (gy) gy[i] = g * iy * (-u - py * v);
        }
      });
    }
    return { loss: reducer.reduce(losses), grads: wantGrad ? [gradOf(gx, x), gradOf(gy, y)] : [] };
  },
);
