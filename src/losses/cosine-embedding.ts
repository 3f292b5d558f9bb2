import { gradBuffer, gradOf } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { BRANCH_TOLERANCE, onRows, sumRow } from '../core/row-distance.js';
import { numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, shapeString } from '../core/shape.js';
import { COSINE_ROW_KERNELS } from '../kernels/rows.js';

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

/** cos, m1, m2 and √(m1 m2) of a row from its sums a·b, |a|², |b|² at terms[t], terms[t + 3], terms[t + 4]. */
function cosineOf(terms: Float64Array, t: number): [number, number, number, number] {
  const m1 = terms[t + 3] + EPSILON;
  const m2 = terms[t + 4] + EPSILON;
  const denom = Math.sqrt(m1 * m2);
  return [terms[t] / denom, m1, m2, denom];
}

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
export const cosineEmbeddingLoss = defineLoss(
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
    kernels: COSINE_ROW_KERNELS,
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<CosineEmbeddingLossOptions>) => {
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
    // Only the gradients asked for (argnums), written in place in the result's dtype; every entry
    // is written (zeros where the loss is flat), so the arrays need no zeroing first.
    const g1 = call.wantGrads[0] ? gradBuffer(call, 0, x1, false) : null;
    const g2 = call.wantGrads[1] ? gradBuffer(call, 1, x2, false) : null;
    const grads = [g1, g2];
    const data = [x1.data, x2.data];
    const wanted = [0, 1].filter((k) => grads[k] !== null);
    onRows([x1, x2], grads, N, D, (rows) => {
      const flat: number[] = [];
      for (let r0 = 0; r0 < N; r0 += rows.chunk) {
        const n = Math.min(rows.chunk, N - r0);
        rows.load(r0, n);
        // a·b, |a|², |b|² of each row (RowSums 'pair': entries 0, 3, 4)
        const terms = rows.sums('pair', 0);
        const [c1, c2] = [0, 1].map((k) => (grads[k] ? rows.coef(k) : null));
        flat.length = 0;
        for (let r = 0; r < n; r++) {
          const y = target.data[r0 + r];
          let [cos, m1, m2, denom] = cosineOf(terms, 6 * r);
          if (!rows.exact && y === -1 && Math.abs(cos - margin) <= BRANCH_TOLERANCE * (1 + Math.abs(margin))) {
            // The hinge's branch, which the kernels' order of sums could decide otherwise: the row's sums as the reference makes them.
            sumRow('pair', data, (r0 + r) * D, D, 0, terms, 6 * r);
            [cos, m1, m2, denom] = cosineOf(terms, 6 * r);
          }
          let dLossDCos = 0;
          if (y === 1) {
            losses[r0 + r] = 1 - cos;
            dLossDCos = -1;
          } else if (y === -1) {
            losses[r0 + r] = Number.isNaN(cos) ? cos : Math.max(cos - margin, 0);
            dLossDCos = cos - margin >= 0 ? 1 : 0;
          }
          if (wanted.length === 0) continue;
          if (dLossDCos === 0) {
            // Flat: the rows are zeroed after the combinations.
            flat.push(r);
            c1?.fill(0, 3 * r, 3 * r + 3);
            c2?.fill(0, 3 * r, 3 * r + 3);
            continue;
          }
          // ∂cos/∂x1 = x2 / denom − cos · x1 / m1 (and symmetrically): rows k₀ x2 + k₁ x1 with per-row factors.
          const u = reducer.upstream(r0 + r) * dLossDCos;
          const overDenom = u / denom;
          c1?.set([overDenom, -((u * cos) / m1), 0], 3 * r);
          c2?.set([overDenom, -((u * cos) / m2), 0], 3 * r);
        }
        for (const k of wanted) {
          // gradient of x1: k₀ x2 + k₁ x1; of x2: k₀ x1 + k₁ x2
          rows.linear(k, 1 - k, k, -1);
          for (const r of flat) rows.zero(k, r);
          rows.finish(k);
        }
      }
    });
    return { loss: reducer.reduce(losses), grads: wantGrad ? [gradOf(g1, x1), gradOf(g2, x2), null] : [] };
  },
);
