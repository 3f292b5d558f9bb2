import { defineLoss, gradTensor, resultDtype, type Loss3 } from '../core/loss.js';
import { numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, shapeString } from '../core/shape.js';

/** Options of {@link cosineEmbeddingLoss}. */
export interface CosineEmbeddingLossOptions {
  /** In [−1, 1]; default 0. */
  margin?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

// Added to each squared norm, as PyTorch, so that a zero vector gives cos = 0 rather than NaN.
// PyTorch's constant is a float: 1e-12 rounded to float32 (visible in gradients at zero vectors).
const EPSILON = Math.fround(1e-12);

/**
 * Cosine embedding loss, as `torch.nn.functional.cosine_embedding_loss`.
 *
 * `cos = x1·x2 / sqrt((|x1|² + 1e-12)(|x2|² + 1e-12))`; `loss = 1 − cos` where `y = 1`,
 * `max(0, cos − margin)` where `y = −1`, 0 otherwise. Gradient of cos:
 * `∂cos/∂x1 = x2 / sqrt(m1 m2) − cos · x1 / m1` (and symmetrically for x2). The labels get none.
 *
 * Shapes: `input1`, `input2` `[N, D]` or `[D]`; `target` (±1) `[N]` or `[]`; result `[]`, or `[N]`
 * for `'none'`.
 *
 * @example
 * ```ts
 * console.log(cosineEmbeddingLoss([[1, 0], [1, 1]], [[0, 1], [1, 0.9]], [1, -1]).toString());
 * // tensor(0.9993)
 * ```
 */
export const cosineEmbeddingLoss = defineLoss<CosineEmbeddingLossOptions>(
  {
    name: 'cosineEmbeddingLoss',
    reference: 'torch.nn.functional.cosine_embedding_loss',
    args: [
      { name: 'input1', shape: '[N, D] or [D]', differentiable: true },
      { name: 'input2', shape: 'like input1', differentiable: true },
      { name: 'target', shape: '[N] or [] (±1)', differentiable: false },
    ],
    options: {
      margin: { type: 'number', default: 0, doc: 'the margin (meaningful in [−1, 1], not checked, as PyTorch)' },
    },
    items: 'rows',
    plot: null,
  },
  (call) => {
    const fn = 'cosineEmbeddingLoss';
    const [x1, x2, target] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const margin = numberOption(fn, 'margin', options.margin, 0);
    if (x1.shape.length !== 1 && x1.shape.length !== 2) {
      throw new Error(`${fn}: input1 must be [N, D] or [D], got shape ${shapeString(x1.shape)}`);
    }
    assertSameShape(fn, 'input2', x2, 'input1', x1);
    const itemShape = x1.shape.slice(0, -1);
    if (target.shape.length !== itemShape.length || (itemShape.length === 1 && target.shape[0] !== itemShape[0])) {
      throw new Error(`${fn}: target shape ${shapeString(target.shape)} does not match inputs of shape ${shapeString(x1.shape)} (expected ${shapeString(itemShape)})`);
    }
    const D = x1.shape[x1.shape.length - 1];
    const N = target.size;
    const reducer = new Reducer(fn, reduction, itemShape, resultDtype([x1, x2]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const losses = new Float64Array(N);
    const g1 = wantGrad ? new Float64Array(x1.size) : null;
    const g2 = wantGrad ? new Float64Array(x2.size) : null;
    const A = x1.data;
    const B = x2.data;
    for (let n = 0; n < N; n++) {
      const base = n * D;
      let dot = 0;
      let m1 = EPSILON;
      let m2 = EPSILON;
      for (let d = 0; d < D; d++) {
        dot += A[base + d] * B[base + d];
        m1 += A[base + d] * A[base + d];
        m2 += B[base + d] * B[base + d];
      }
      const denom = Math.sqrt(m1 * m2);
      const cos = dot / denom;
      const y = target.data[n];
      let dLossDCos = 0;
      if (y === 1) {
        losses[n] = 1 - cos;
        dLossDCos = -1;
      } else if (y === -1) {
        losses[n] = Number.isNaN(cos) ? cos : Math.max(cos - margin, 0);
        dLossDCos = cos - margin >= 0 ? 1 : 0;
      }
      if (g1 && g2 && dLossDCos !== 0) {
        const u = reducer.upstream(n) * dLossDCos;
        for (let d = 0; d < D; d++) {
          g1[base + d] = u * (B[base + d] / denom - (cos * A[base + d]) / m1);
          g2[base + d] = u * (A[base + d] / denom - (cos * B[base + d]) / m2);
        }
      }
    }
    return { loss: reducer.reduce(losses), grads: g1 && g2 ? [gradTensor(g1, x1), gradTensor(g2, x2), null] : [] };
  },
) as Loss3<CosineEmbeddingLossOptions>;
