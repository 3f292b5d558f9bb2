import { gradBuffer } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from '../core/loss.js';
import { booleanOption, numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, shapeString } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';

/** Options of {@link tripletMarginLoss}. */
export interface TripletMarginLossOptions {
  /** Greater than 0 (as PyTorch); default 1. */
  margin?: number;
  /** Norm degree of the distance, a positive finite number; default 2. */
  p?: number;
  /** Added to each difference before the norm (PyTorch's `pairwise_distance`); default 1e-6. */
  eps?: number;
  /** Use `min(d(a, n), d(p, n))` as the negative distance (distance swap); default false. */
  swap?: boolean;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/** p-norm of the row difference `x − y + eps`; writes ∂norm/∂x into `grad` when given. */
function distance(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  base: number,
  D: number,
  p: number,
  eps: number,
  grad: Float64Array | null,
): number {
  let acc = 0;
  // The loop specialised on p by hand (V8 does not unswitch loops): p = 2 is one multiply-add.
  if (p === 2) {
    for (let d = base; d < base + D; d++) {
      const v = x[d] - y[d] + eps;
      acc += v * v;
    }
  } else {
    for (let d = base; d < base + D; d++) {
      const v = Math.abs(x[d] - y[d] + eps);
      acc += p === 1 ? v : v ** p;
    }
  }
  const norm = p === 2 ? Math.sqrt(acc) : p === 1 ? acc : acc ** (1 / p);
  if (grad) {
    // ∂‖v‖_p/∂v_k = sign(v_k) |v_k|^(p−1) / ‖v‖^(p−1), and 0 at a zero norm (PyTorch's norm_backward):
    // v_k · scale for p = 2, sign(v_k) for p = 1.
    const scale = p === 1 ? 1 : norm === 0 ? 0 : 1 / norm ** (p - 1);
    if (p === 2) {
      for (let d = 0; d < D; d++) grad[d] = (x[base + d] - y[base + d] + eps) * scale;
    } else {
      for (let d = 0; d < D; d++) {
        const v = x[base + d] - y[base + d] + eps;
        const magnitude = p === 1 ? 1 : Math.abs(v) ** (p - 1);
        grad[d] = v === 0 ? 0 : Math.sign(v) * magnitude * scale;
      }
    }
  }
  return norm;
}

/**
 * Triplet margin loss, as `torch.nn.functional.triplet_margin_loss`.
 *
 * With `d(x, y) = ‖x − y + eps‖_p` over the last dimension:
 * `loss = max(0, margin + d(a, pos) − d(a, neg))`, where `swap` replaces `d(a, neg)` by
 * `min(d(a, neg), d(pos, neg))` (ties share the gradient, as PyTorch's `minimum`). Gradients flow
 * through `∂‖v‖_p/∂v = sign(v) |v|^(p−1) / ‖v‖^(p−1)` where the hinge is active (`≥ 0`).
 *
 * Shapes: `anchor`, `positive`, `negative` `[N, D]` or `[D]`; result `[]`, or `[N]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(tripletMarginLoss([[0, 0]], [[0.5, 0]], [[1, 1]]).toString());
 * // tensor(0.0858)
 * ```
 */
export const tripletMarginLoss = defineLoss(
  {
    name: 'tripletMarginLoss',
    reference: 'torch.nn.functional.triplet_margin_loss',
    args: [
      { name: 'anchor', shape: '[N, D] or [D]', differentiable: true },
      { name: 'positive', shape: 'like anchor', differentiable: true },
      { name: 'negative', shape: 'like anchor', differentiable: true },
    ],
    options: {
      margin: { type: 'number', default: 1, range: { min: 0, minOpen: true }, doc: 'the margin' },
      p: { type: 'number', default: 2, range: { min: 0, minOpen: true }, doc: 'norm degree of the distance (finite)' },
      eps: { type: 'number', default: 1e-6, doc: 'added to each difference before the norm' },
      swap: { type: 'boolean', default: false, doc: 'distance swap: min(d(a, n), d(p, n)) as the negative distance' },
    },
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<TripletMarginLossOptions>) => {
    const fn = 'tripletMarginLoss';
    const [anchor, positive, negative] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const margin = numberOption(fn, 'margin', options.margin, 1);
    // PyTorch refuses a margin <= 0 (the loss would only push apart what is already ordered).
    if (!(margin > 0)) throw new Error(`${fn}: margin must be greater than 0, got ${margin}`);
    const p = numberOption(fn, 'p', options.p, 2);
    if (!(p > 0 && Number.isFinite(p))) throw new Error(`${fn}: p must be a positive finite number, got ${p}`);
    const eps = numberOption(fn, 'eps', options.eps, 1e-6);
    const swap = booleanOption(fn, 'swap', options.swap, false);
    if (anchor.shape.length !== 1 && anchor.shape.length !== 2) {
      throw new Error(`${fn}: anchor must be [N, D] or [D], got shape ${shapeString(anchor.shape)}`);
    }
    assertSameShape(fn, 'positive', positive, 'anchor', anchor);
    assertSameShape(fn, 'negative', negative, 'anchor', anchor);
    const D = anchor.shape[anchor.shape.length - 1];
    const N = anchor.shape.length === 2 ? anchor.shape[0] : 1;
    const reducer = new Reducer(fn, reduction, anchor.shape.slice(0, -1), resultDtype([anchor]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const losses = new Float64Array(N);
    // Only the gradients asked for (argnums), in place in the result's dtype; every entry is
    // written (zeros where the hinge is flat), so the arrays need no zeroing first.
    const tensors = [anchor, positive, negative];
    const [ga, gp, gn] = tensors.map((t, k) => (call.wantGrads[k] ? gradBuffer(call, k, t, false) : null));
    const any = ga !== null || gp !== null || gn !== null;
    const [gAP, gAN, gPN] = [0, 1, 2].map(() => (any ? new Float64Array(D) : null));
    const [A, P, Q] = [anchor.data, positive.data, negative.data];
    for (let n = 0; n < N; n++) {
      const base = n * D;
      const dPos = distance(A, P, base, D, p, eps, gAP);
      const dAN = distance(A, Q, base, D, p, eps, gAN);
      const dPN = swap ? distance(P, Q, base, D, p, eps, gPN) : Infinity;
      const dNeg = Math.min(dAN, dPN);
      const z = margin + dPos - dNeg;
      losses[n] = Number.isNaN(z) ? z : Math.max(z, 0);
      if (!any) continue;
      if (!(z >= 0)) {
        for (const g of [ga, gp, gn]) g?.fill(0, base, base + D);
        continue;
      }
      const u = reducer.upstream(n);
      // Share of d(a, neg) and d(pos, neg) in the minimum: 1/0, 0/1, or 1/2 each on a tie.
      const shareAN = !swap || dAN < dPN ? 1 : dAN === dPN ? 0.5 : 0;
      const sharePN = swap ? 1 - shareAN : 0;
      for (let d = 0; d < D; d++) {
        const ap = gAP![d];
        const an = gAN![d] * shareAN;
        const pn = swap ? gPN![d] * sharePN : 0;
        if (ga) ga[base + d] = u * (ap - an);
        if (gp) gp[base + d] = u * (-ap - pn);
        if (gn) gn[base + d] = u * (an + pn);
      }
    }
    const wrap = (g: Float32Array | Float64Array | null, like: Tensor) => (g ? new Tensor(g, like.shape) : null);
    return { loss: reducer.reduce(losses), grads: wantGrad ? [wrap(ga, anchor), wrap(gp, positive), wrap(gn, negative)] : [] };
  },
);
