import { defineLoss, type KernelCall } from '../core/loss.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';
import { tripletRows, tripletSetup } from '../core/row-distance.js';
import { TRIPLET_KERNELS } from '../kernels/rows.js';

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
    kernels: TRIPLET_KERNELS,
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<TripletMarginLossOptions>) => {
    const fn = 'tripletMarginLoss';
    const { options } = call;
    const p = numberOption(fn, 'p', options.p, 2);
    if (!(p > 0 && Number.isFinite(p))) throw new Error(`${fn}: p must be a positive finite number, got ${p}`);
    const eps = numberOption(fn, 'eps', options.eps, 1e-6);
    return tripletRows(call, tripletSetup(fn, call), { kind: 'pairwise', p, eps });
  },
);
