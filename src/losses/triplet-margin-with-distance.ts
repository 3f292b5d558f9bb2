import { defineLoss, gradTensor, resultDtype, type KernelCall } from '../core/loss.js';
import { booleanOption, describeValue, numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, sameShape, shapeString } from '../core/shape.js';
import { asTensor, Tensor, type TensorLike } from '../core/tensor.js';
import { rowDistance as pairwiseRow } from '../core/row-distance.js';

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

/** PyTorch's pairwise_distance (p = 2, eps 1e-6): ∂d/∂y = −∂d/∂x. */
function pairwise(D: number): Rows {
  const row = new Float64Array(D);
  return {
    values: (x, y) => Float64Array.from({ length: x.size / D }, (_, n) => pairwiseRow(x.data, y.data, n * D, D, 2, 1e-6, null)),
    vjp(x, y, u) {
      const gx = new Float64Array(x.size);
      const gy = new Float64Array(y.size);
      for (let n = 0; n < u.length; n++) {
        if (u[n] === 0) continue;
        pairwiseRow(x.data, y.data, n * D, D, 2, 1e-6, row);
        for (let d = 0; d < D; d++) {
          gx[n * D + d] = u[n] * row[d];
          gy[n * D + d] = -u[n] * row[d];
        }
      }
      return [gx, gy];
    },
  };
}

/** Added to nothing, a floor: PyTorch's cosine_similarity divides by max(‖x‖, eps) · max(‖y‖, eps). */
const COSINE_EPS = 1e-8;

/**
 * `1 − cos(x, y)`, `cos = s / (m₁ m₂)` with `s = x·y`, `mᵢ = max(‖xᵢ‖, 1e-8)`. PyTorch clamps the
 * norms under no_grad, so the gradient still runs through the unclamped norm:
 * `∂cos/∂x = y / (m₁ m₂) − s x / (m₁² m₂ ‖x‖)` (the last term 0 at x = 0, as norm's backward).
 */
function cosine(D: number): Rows {
  const terms = (x: ArrayLike<number>, y: ArrayLike<number>, base: number) => {
    let s = 0;
    let xx = 0;
    let yy = 0;
    for (let d = 0; d < D; d++) {
      s += x[base + d] * y[base + d];
      xx += x[base + d] ** 2;
      yy += y[base + d] ** 2;
    }
    const [n1, n2] = [Math.sqrt(xx), Math.sqrt(yy)];
    return { s, n1, n2, m1: Math.max(n1, COSINE_EPS), m2: Math.max(n2, COSINE_EPS) };
  };
  return {
    values: (x, y) =>
      Float64Array.from({ length: x.size / D }, (_, n) => {
        const { s, m1, m2 } = terms(x.data, y.data, n * D);
        return 1 - s / (m1 * m2);
      }),
    vjp(x, y, u) {
      const gx = new Float64Array(x.size);
      const gy = new Float64Array(y.size);
      for (let n = 0; n < u.length; n++) {
        if (u[n] === 0) continue;
        const base = n * D;
        const { s, n1, n2, m1, m2 } = terms(x.data, y.data, base);
        const [X, Y] = [x.data, y.data];
        const kx = n1 === 0 ? 0 : s / (m1 * m1 * m2 * n1);
        const ky = n2 === 0 ? 0 : s / (m2 * m2 * m1 * n2);
        for (let d = 0; d < D; d++) {
          // d = 1 − cos: the gradient of cos, negated
          gx[base + d] = -u[n] * (Y[base + d] / (m1 * m2) - kx * X[base + d]);
          gy[base + d] = -u[n] * (X[base + d] / (m1 * m2) - ky * Y[base + d]);
        }
      }
      return [gx, gy];
    },
  };
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

function rowsOf(fn: string, option: unknown, D: number, itemShape: readonly number[]): Rows {
  if (option === undefined || option === 'pairwise') return pairwise(D);
  if (option === 'cosine') return cosine(D);
  if (typeof option === 'object' && option !== null && typeof (option as DistanceFunction).value === 'function') {
    return custom(fn, option as DistanceFunction, itemShape);
  }
  throw new Error(`${fn}: distance must be ${DISTANCES.map((d) => `'${d}'`).join(', ')} or an object { value(x, y), grad(x, y, upstream) }, got ${describeValue(option)}`);
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
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<TripletMarginWithDistanceLossOptions>) => {
    const fn = 'tripletMarginWithDistanceLoss';
    const [anchor, positive, negative] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const margin = numberOption(fn, 'margin', options.margin, 1);
    if (!(margin > 0)) throw new Error(`${fn}: margin must be greater than 0, got ${margin}`);
    const swap = booleanOption(fn, 'swap', options.swap, false);
    if (anchor.shape.length !== 1 && anchor.shape.length !== 2) {
      throw new Error(`${fn}: anchor must be [N, D] or [D], got shape ${shapeString(anchor.shape)}`);
    }
    assertSameShape(fn, 'positive', positive, 'anchor', anchor);
    assertSameShape(fn, 'negative', negative, 'anchor', anchor);
    const D = anchor.shape[anchor.shape.length - 1];
    const itemShape = anchor.shape.slice(0, -1);
    const N = anchor.size / Math.max(D, 1);
    const rows = rowsOf(fn, options.distance, D, itemShape);
    const reducer = new Reducer(fn, reduction, itemShape, resultDtype([anchor]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
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
      if (!wantGrad || !(z >= 0)) continue;
      const u = reducer.upstream(n);
      // Share of d(a, neg) and d(pos, neg) in the minimum: 1/0, 0/1, or 1/2 each on a tie.
      const shareAN = !dPN || dAN[n] < dPN[n] ? 1 : dAN[n] === dPN[n] ? 0.5 : 0;
      uAP[n] = u;
      uAN[n] = -u * shareAN;
      uPN[n] = -u * (1 - shareAN);
    }
    if (!wantGrad) return { loss: reducer.reduce(losses), grads: [] };
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
  },
);
