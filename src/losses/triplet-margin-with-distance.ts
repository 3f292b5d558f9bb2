import { defineLoss, gradTensor, type KernelCall, type KernelResult } from '../core/loss.js';
import { describeValue } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';
import { tripletRows, tripletSetup, type TripletSetup } from '../core/row-distance.js';
import { sameShape, shapeString } from '../core/shape.js';
import { asTensor, Tensor, type TensorLike } from '../core/tensor.js';
import { TRIPLET_KERNELS } from '../kernels/rows.js';

/**
 * A distance of your own for {@link tripletMarginWithDistanceLoss}: `value(x, y)` gives the
 * distance of each row pair (`x`, `y` `[N, D]` → `[N]`; `[D]` → `[]`; flat arrays of as many
 * numbers do), and `grad(x, y, upstream)`
 * its vector-Jacobian product: the gradients of `Σ_n upstream[n] · value(x, y)[n]` with respect to
 * `x` and `y`, each shaped like its argument or flat (PyTorch's autograd of the distance). `x` and `y` are
 * the call's tensors (float32 or float64), `upstream` float64; results may be any tensor-like
 * (computed in float64 is best: the loss rounds once). Only `withGrad` calls `grad`.
 */
export interface DistanceFunction {
  value(x: Tensor, y: Tensor): TensorLike;
  grad?(x: Tensor, y: Tensor, upstream: Tensor): readonly [TensorLike, TensorLike];
}

/** Options of {@link tripletMarginWithDistanceLoss}. */
export interface TripletMarginWithDistanceLossOptions {
  /**
   * `'pairwise'` (default: PyTorch's `pairwise_distance`, `‖x − y + 1e-6‖₂`), `'cosine'`
   * (`1 − cosine_similarity(x, y)` along the last dimension, eps 1e-8), or a
   * {@link DistanceFunction}.
   */
  distance?: 'pairwise' | 'cosine' | DistanceFunction;
  /** Greater than 0 (as PyTorch); default 1. */
  margin?: number;
  /** Use `min(d(a, n), d(p, n))` as the negative distance (distance swap); default false. */
  swap?: boolean;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

const DISTANCES = ['pairwise', 'cosine'] as const;

/** A distance over row pairs: the rows' distances, and the vector-Jacobian product of them. */
interface Rows {
  values(x: Tensor, y: Tensor): Float64Array;
  vjp(x: Tensor, y: Tensor, upstream: Float64Array): [Float64Array, Float64Array];
}

/** A result of a user's function fits a shape when it has that shape, or is flat with as many elements. */
function fits(got: readonly number[], want: readonly number[]): boolean {
  return sameShape(got, want) || (got.length === 1 && got[0] === want.reduce((a, b) => a * b, 1));
}

/** A user's DistanceFunction, its results checked (shape) and read in float64. */
function custom(fn: string, distance: DistanceFunction, itemShape: readonly number[]): Rows {
  return {
    values(x, y) {
      const out = asTensor(fn, 'distance.value(x, y)', distance.value(x, y), 'float64');
      if (!fits(out.shape, itemShape)) {
        throw new Error(`${fn}: distance.value(x, y) must return the distances of the rows, shape ${shapeString(itemShape)}, got shape ${shapeString(out.shape)}`);
      }
      return Float64Array.from(out.data);
    },
    vjp(x, y, u) {
      if (typeof distance.grad !== 'function') {
        throw new Error(`${fn}: withGrad needs distance.grad(x, y, upstream), the distance's vector-Jacobian product; got ${describeValue(distance.grad)}`);
      }
      const result = distance.grad(x, y, new Tensor(u, [...itemShape]));
      if (!Array.isArray(result) || result.length !== 2) {
        throw new Error(`${fn}: distance.grad(x, y, upstream) must return [gradX, gradY], got ${describeValue(result)}`);
      }
      return ([0, 1] as const).map((k) => {
        const like = k === 0 ? x : y;
        const g = asTensor(fn, `distance.grad(x, y, upstream)[${k}]`, (result as TensorLike[])[k], 'float64');
        if (!fits(g.shape, like.shape)) {
          throw new Error(`${fn}: distance.grad(x, y, upstream)[${k}] must have the shape of its argument, ${shapeString(like.shape)}, got shape ${shapeString(g.shape)}`);
        }
        return Float64Array.from(g.data);
      }) as [Float64Array, Float64Array];
    },
  };
}

/**
 * The loss with a user's distance: its values for the three row pairs, the hinge, then its
 * vector-Jacobian products with the hinge's upstream gradients of each distance.
 */
function customTriplet(fn: string, call: KernelCall<unknown>, setup: TripletSetup, distance: DistanceFunction): KernelResult {
  const { anchor, positive, negative, margin, swap, N, reducer } = setup;
  const rows = custom(fn, distance, reducer.itemShape);
  const dPos = rows.values(anchor, positive);
  const dAN = rows.values(anchor, negative);
  const dPN = swap ? rows.values(positive, negative) : null;
  const losses = new Float64Array(N);
  // Upstream gradients of the three distances (zero where the hinge is inactive).
  const [uAP, uAN, uPN] = [0, 1, 2].map(() => new Float64Array(N));
  for (let n = 0; n < N; n++) {
    const dNeg = dPN ? Math.min(dAN[n], dPN[n]) : dAN[n];
    const z = margin + dPos[n] - dNeg;
    losses[n] = Number.isNaN(z) ? z : Math.max(z, 0);
    if (!call.wantGrad || !(z >= 0)) continue;
    const u = reducer.upstream(n);
    // Share of d(a, neg) and d(pos, neg) in the minimum: 1/0, 0/1, or 1/2 each on a tie.
    const shareAN = !dPN || dAN[n] < dPN[n] ? 1 : dAN[n] === dPN[n] ? 0.5 : 0;
    uAP[n] = u;
    uAN[n] = -u * shareAN;
    uPN[n] = -u * (1 - shareAN);
  }
  if (!call.wantGrad) return { loss: reducer.reduce(losses), grads: [] };
  const [gA, gP] = rows.vjp(anchor, positive, uAP);
  const [gA2, gN] = rows.vjp(anchor, negative, uAN);
  for (let i = 0; i < gA.length; i++) gA[i] += gA2[i];
  if (swap) {
    const [gP3, gN3] = rows.vjp(positive, negative, uPN);
    for (let i = 0; i < gP.length; i++) {
      gP[i] += gP3[i];
      gN[i] += gN3[i];
    }
  }
  return { loss: reducer.reduce(losses), grads: [gradTensor(gA, anchor), gradTensor(gP, positive), gradTensor(gN, negative)] };
}

/**
 * Triplet margin loss with a distance of your choice, as
 * `torch.nn.functional.triplet_margin_with_distance_loss`.
 *
 * `loss = max(0, margin + d(a, pos) − d(a, neg))`, where `swap` replaces `d(a, neg)` by
 * `min(d(a, neg), d(pos, neg))` (ties share the gradient, as PyTorch's `minimum`). `d` is
 * `'pairwise'` (`‖x − y + 1e-6‖₂`, the default), `'cosine'` (`1 − cosine_similarity` along the
 * last dimension), or a {@link DistanceFunction} `{ value, grad }` (in the example, `|x − y|`
 * on rows of one element). Gradients flow where the hinge
 * is active (`≥ 0`): `+1` into `d(a, pos)`, `−1` into the negative distance, then through the
 * distance's vector-Jacobian product to its two arguments.
 *
 * Shapes: `anchor`, `positive`, `negative` `[N, D]` or `[D]`; result `[]`, or `[N]` for `'none'`.
 *
 * @example
 * ```ts
 * const [a, p, n] = [[[0, 1], [1, 0]], [[0, 2], [1, 1]], [[1, 0], [1, 0.5]]];
 * console.log(tripletMarginWithDistanceLoss(a, p, n, { distance: 'cosine', reduction: 'none' }).toString());
 * // tensor([0.0000, 1.1873])
 * const absolute = {
 *   value: (x, y) => x.data.map((v, i) => Math.abs(v - y.data[i])),
 *   grad: (x, y, u) => [x.data.map((v, i) => u.data[i] * Math.sign(v - y.data[i])), x.data.map((v, i) => -u.data[i] * Math.sign(v - y.data[i]))],
 * };
 * const { loss, grad } = tripletMarginWithDistanceLoss.withGrad([[1], [0]], [[2], [3]], [[0.5], [1]], { distance: absolute });
 * console.log(loss.toString(), grad!.toString());
 * // tensor(2.2500) tensor([[-1.],
 * //         [ 0.]])
 * ```
 * Differs from PyTorch: `distance` replaces `distance_function`, and a function of your own
 * brings its gradient (`grad`), since there is no autograd to derive it.
 */
export const tripletMarginWithDistanceLoss = defineLoss(
  {
    name: 'tripletMarginWithDistanceLoss',
    reference: 'torch.nn.functional.triplet_margin_with_distance_loss',
    args: [
      { name: 'anchor', shape: '[N, D] or [D]', differentiable: true },
      { name: 'positive', shape: 'like anchor', differentiable: true },
      { name: 'negative', shape: 'like anchor', differentiable: true },
    ],
    options: {
      distance: { type: 'choice', default: 'pairwise', values: DISTANCES, others: 'a DistanceFunction { value, grad }', doc: 'the distance of two rows' },
      margin: { type: 'number', default: 1, range: { min: 0, minOpen: true }, doc: 'the margin' },
      swap: { type: 'boolean', default: false, doc: 'distance swap: min(d(a, n), d(p, n)) as the negative distance' },
    },
    kernels: TRIPLET_KERNELS,
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<TripletMarginWithDistanceLossOptions>) => {
    const fn = 'tripletMarginWithDistanceLoss';
    const option = call.options.distance;
    const setup = tripletSetup(fn, call);
    // The built-in distances run tripletMarginLoss's fused rows (PyTorch's pairwise_distance is p = 2, eps 1e-6).
    if (option === undefined || option === 'pairwise') return tripletRows(call, setup, { kind: 'pairwise', p: 2, eps: 1e-6 });
    if (option === 'cosine') return tripletRows(call, setup, { kind: 'cosine' });
    if (typeof option === 'object' && option !== null && typeof (option as DistanceFunction).value === 'function') {
      return customTriplet(fn, call, setup, option as DistanceFunction);
    }
    throw new Error(`${fn}: distance must be ${DISTANCES.map((d) => `'${d}'`).join(', ')} or an object { value(x, y), grad(x, y, upstream) }, got ${describeValue(option)}`);
  },
);
