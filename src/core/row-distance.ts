// The triplet margin losses' shared part: their argument checks, the row distances (PyTorch's
// pairwise_distance and 1 − cosine_similarity) and the fused loop over rows that turns them into
// the hinge and its gradients. tripletMarginLoss and tripletMarginWithDistanceLoss (with a built-in
// distance) both run tripletRows; a user's distance function keeps its own, generic path.
//
// Speed: one pass over a row of the three arguments gives all the sums a row's distances need, and
// one more pass per wanted gradient writes it (the rows, 4–8 KiB each at D = 1024, are in L1 by
// then), in the result's dtype, with a per-row coefficient or two: no per-element calls, no
// temporary rows. Measured (Node 24, [4096, 1024] float32, argnums [0]): see docs/benchmarks-notes.md.
import { gradBuffer } from './grad-buffer.js';
import { resultDtype, type KernelCall, type KernelResult } from './loss.js';
import { booleanOption, numberOption } from './options.js';
import { checkReduction, Reducer, type Reduction } from './reduction.js';
import { assertSameShape, shapeString } from './shape.js';
import { Tensor } from './tensor.js';

type Data = Float32Array | Float64Array | Int32Array;
type Grad = Float32Array | Float64Array;

/** A built-in distance of two rows: `‖x − y + eps‖_p`, or `1 − cos(x, y)` (cosine_similarity, eps 1e-8). */
export type RowDistance = { kind: 'pairwise'; p: number; eps: number } | { kind: 'cosine' };

/** The options both triplet losses share. */
export interface TripletCommonOptions {
  margin?: number;
  swap?: boolean;
  reduction?: Reduction;
}

/** A triplet call, checked: its three `[N, D]` (or `[D]`) arguments, margin, swap, and its reducer. */
export interface TripletSetup {
  anchor: Tensor;
  positive: Tensor;
  negative: Tensor;
  margin: number;
  swap: boolean;
  /** Row length and row count (1 for `[D]`). */
  D: number;
  N: number;
  reducer: Reducer;
}

/** Checks the options and shapes the two triplet losses share, and sets up the reduction. */
export function tripletSetup(fn: string, call: KernelCall<TripletCommonOptions>): TripletSetup {
  const [anchor, positive, negative] = call.tensors;
  const { options } = call;
  const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
  const margin = numberOption(fn, 'margin', options.margin, 1);
  // PyTorch refuses a margin <= 0 (the loss would only push apart what is already ordered).
  if (!(margin > 0)) throw new Error(`${fn}: margin must be greater than 0, got ${margin}`);
  const swap = booleanOption(fn, 'swap', options.swap, false);
  if (anchor.shape.length !== 1 && anchor.shape.length !== 2) {
    throw new Error(`${fn}: anchor must be [N, D] or [D], got shape ${shapeString(anchor.shape)}`);
  }
  assertSameShape(fn, 'positive', positive, 'anchor', anchor);
  assertSameShape(fn, 'negative', negative, 'anchor', anchor);
  const D = anchor.shape[anchor.shape.length - 1];
  const N = anchor.shape.length === 2 ? anchor.shape[0] : 1;
  const reducer = new Reducer(fn, reduction, anchor.shape.slice(0, -1), resultDtype([anchor]));
  if (call.wantGrad) reducer.setGradOutput(call.gradOutput);
  return { anchor, positive, negative, margin, swap, D, N, reducer };
}

/** PyTorch's cosine_similarity floors each norm at this (max(‖x‖, eps)), under no_grad. */
const COSINE_EPS = 1e-8;

/** p-norm of the row difference `x − y + eps`; writes ∂norm/∂x into `grad` when given (any p; tripletRows has its own p = 2 loops). */
export function rowDistance(x: ArrayLike<number>, y: ArrayLike<number>, base: number, D: number, p: number, eps: number, grad: Float64Array | null): number {
  let acc = 0;
  for (let d = base; d < base + D; d++) {
    const v = Math.abs(x[d] - y[d] + eps);
    acc += p === 1 ? v : v ** p;
  }
  const norm = p === 1 ? acc : acc ** (1 / p);
  if (grad) {
    // ∂‖v‖_p/∂v_k = sign(v_k) |v_k|^(p−1) / ‖v‖^(p−1), and 0 at a zero norm (PyTorch's norm_backward).
    const scale = p === 1 ? 1 : norm === 0 ? 0 : 1 / norm ** (p - 1);
    for (let d = 0; d < D; d++) {
      const v = x[base + d] - y[base + d] + eps;
      const magnitude = p === 1 ? 1 : Math.abs(v) ** (p - 1);
      grad[d] = v === 0 ? 0 : Math.sign(v) * magnitude * scale;
    }
  }
  return norm;
}

/**
 * One pass over row `base` of a, p, n: Σ(a − p + eps)², Σ(a − n + eps)² and, with swap,
 * Σ(p − n + eps)² into out[0..2] (the squared p = 2 distances).
 */
function squares(A: Data, P: Data, Q: Data, base: number, D: number, eps: number, swap: boolean, out: Float64Array): void {
  // Two accumulators per sum (even and odd elements): one add's latency per element pair, not per element.
  let sp0 = 0, sp1 = 0, sn0 = 0, sn1 = 0, sq = 0;
  const end = base + D;
  const pairs = base + (D & ~1);
  let i = base;
  if (swap) {
    for (; i < end; i++) {
      const a = A[i], p = P[i], q = Q[i];
      const u = a - p + eps, v = a - q + eps, w = p - q + eps;
      sp0 += u * u;
      sn0 += v * v;
      sq += w * w;
    }
  } else {
    for (; i < pairs; i += 2) {
      const a0 = A[i], a1 = A[i + 1];
      const u0 = a0 - P[i] + eps, u1 = a1 - P[i + 1] + eps;
      const v0 = a0 - Q[i] + eps, v1 = a1 - Q[i + 1] + eps;
      sp0 += u0 * u0;
      sp1 += u1 * u1;
      sn0 += v0 * v0;
      sn1 += v1 * v1;
    }
    if (i < end) {
      const u = A[i] - P[i] + eps, v = A[i] - Q[i] + eps;
      sp0 += u * u;
      sn0 += v * v;
    }
  }
  out[0] = sp0 + sp1;
  out[1] = sn0 + sn1;
  out[2] = sq;
}

/** One pass over row `base`: a·p, a·n, p·n (with swap), |a|², |p|², |n|² into out[0..5]. */
function products(A: Data, P: Data, Q: Data, base: number, D: number, swap: boolean, out: Float64Array): void {
  let ap = 0, an = 0, pn = 0, aa = 0, pp = 0, nn = 0;
  let ap1 = 0, an1 = 0, aa1 = 0, pp1 = 0, nn1 = 0;
  const end = base + D;
  let i = base;
  if (swap) {
    for (; i < end; i++) {
      const a = A[i], p = P[i], q = Q[i];
      ap += a * p;
      an += a * q;
      pn += p * q;
      aa += a * a;
      pp += p * p;
      nn += q * q;
    }
  } else {
    // Two accumulators per sum, as in squares.
    for (const pairs = base + (D & ~1); i < pairs; i += 2) {
      const a0 = A[i], p0 = P[i], q0 = Q[i], a1 = A[i + 1], p1 = P[i + 1], q1 = Q[i + 1];
      ap += a0 * p0;
      ap1 += a1 * p1;
      an += a0 * q0;
      an1 += a1 * q1;
      aa += a0 * a0;
      aa1 += a1 * a1;
      pp += p0 * p0;
      pp1 += p1 * p1;
      nn += q0 * q0;
      nn1 += q1 * q1;
    }
    if (i < end) {
      const a = A[i], p = P[i], q = Q[i];
      ap += a * p;
      an += a * q;
      aa += a * a;
      pp += p * p;
      nn += q * q;
    }
  }
  out[0] = ap + ap1;
  out[1] = an + an1;
  out[2] = pn;
  out[3] = aa + aa1;
  out[4] = pp + pp1;
  out[5] = nn + nn1;
}

/** `g[i] = k · (X[i] − Y[i] + eps)` over the row. */
function diff1(g: Grad, base: number, D: number, k: number, X: Data, Y: Data, eps: number): void {
  for (let i = base; i < base + D; i++) g[i] = k * (X[i] - Y[i] + eps);
}

/** `g[i] = k1 · (X1[i] − Y1[i] + eps) + k2 · (X2[i] − Y2[i] + eps)` over the row. */
function diff2(g: Grad, base: number, D: number, k1: number, X1: Data, Y1: Data, k2: number, X2: Data, Y2: Data, eps: number): void {
  for (let i = base; i < base + D; i++) g[i] = k1 * (X1[i] - Y1[i] + eps) + k2 * (X2[i] - Y2[i] + eps);
}

/** `g[i] = ka · A[i] + kp · P[i] + kn · Q[i]` over the row. */
function combine(g: Grad, base: number, D: number, ka: number, A: Data, kp: number, P: Data, kn: number, Q: Data): void {
  for (let i = base; i < base + D; i++) g[i] = ka * A[i] + kp * P[i] + kn * Q[i];
}

/**
 * The triplet margin loss over rows with a built-in distance d:
 * `loss = max(0, margin + d(a, pos) − min(d(a, neg), swap ? d(pos, neg) : ∞))`, and the gradients
 * asked for (argnums), written in the result's dtype. Where the hinge is active (`z ≥ 0`) its
 * upstream u goes `+u` into d(a, pos) and `−u` into the minimum, shared 1/0, 0/1 or ½/½ (a tie, as
 * PyTorch's `minimum`) between d(a, neg) and d(pos, neg); each distance passes it on:
 * - pairwise, p = 2: `∂d(x, y)/∂x = (x − y + eps) / d = −∂d/∂y` (0 at d = 0, as norm's backward),
 *   so each gradient row is one or two scaled differences;
 * - pairwise, other p: `sign(v) |v|^(p−1) / d^(p−1)` per element (rowDistance);
 * - cosine, `d = 1 − s / (m₁ m₂)` with `s = x·y`, `mᵢ = max(‖xᵢ‖, 1e-8)`: PyTorch clamps the norms
 *   under no_grad, so the gradient runs through the unclamped norm,
 *   `∂d/∂x = −y / (m₁ m₂) + s x / (m₁² m₂ ‖x‖)` (the last term 0 at x = 0), and each gradient row is
 *   a combination `k_a a + k_p p + k_n n` with per-row coefficients.
 */
export function tripletRows(call: KernelCall<unknown>, setup: TripletSetup, distance: RowDistance): KernelResult {
  const { anchor, positive, negative, margin, swap, D, N, reducer } = setup;
  const losses = new Float64Array(N);
  const tensors = [anchor, positive, negative];
  // Only the gradients asked for, in place in the result's dtype; every entry is written (zeros
  // where the hinge is flat), so the arrays need no zeroing first.
  const [ga, gp, gn] = tensors.map((t, k) => (call.wantGrad && call.wantGrads[k] ? gradBuffer(call, k, t, false) : null));
  const any = ga !== null || gp !== null || gn !== null;
  const [A, P, Q] = [anchor.data, positive.data, negative.data];
  const cosine = distance.kind === 'cosine';
  const p = distance.kind === 'pairwise' ? distance.p : 2;
  const eps = distance.kind === 'pairwise' ? distance.eps : 0;
  const terms = new Float64Array(6);
  // Per-element gradients of the three distances, for p ≠ 2 only.
  const [gAP, gAN, gPN] = [0, 1, 2].map(() => (any && !cosine && p !== 2 ? new Float64Array(D) : null));
  for (let n = 0; n < N; n++) {
    const base = n * D;
    let dAP: number, dAN: number, dPN: number;
    if (cosine) {
      products(A, P, Q, base, D, swap, terms);
      const [mA, mP, mN] = [Math.max(Math.sqrt(terms[3]), COSINE_EPS), Math.max(Math.sqrt(terms[4]), COSINE_EPS), Math.max(Math.sqrt(terms[5]), COSINE_EPS)];
      dAP = 1 - terms[0] / (mA * mP);
      dAN = 1 - terms[1] / (mA * mN);
      dPN = swap ? 1 - terms[2] / (mP * mN) : Infinity;
    } else if (p === 2) {
      squares(A, P, Q, base, D, eps, swap, terms);
      dAP = Math.sqrt(terms[0]);
      dAN = Math.sqrt(terms[1]);
      dPN = swap ? Math.sqrt(terms[2]) : Infinity;
    } else {
      dAP = rowDistance(A, P, base, D, p, eps, gAP);
      dAN = rowDistance(A, Q, base, D, p, eps, gAN);
      dPN = swap ? rowDistance(P, Q, base, D, p, eps, gPN) : Infinity;
    }
    const z = margin + dAP - Math.min(dAN, dPN);
    losses[n] = Number.isNaN(z) ? z : Math.max(z, 0);
    if (!any) continue;
    if (!(z >= 0)) {
      for (const g of [ga, gp, gn]) g?.fill(0, base, base + D);
      continue;
    }
    const u = reducer.upstream(n);
    const shareAN = !swap || dAN < dPN ? 1 : dAN === dPN ? 0.5 : 0;
    // The upstream gradients of d(a, pos), d(a, neg), d(pos, neg).
    const uAP = u;
    const uAN = -u * shareAN;
    const uPN = swap ? -u * (1 - shareAN) : 0;
    if (cosine) {
      const [s1, s2, s3] = [terms[0], terms[1], terms[2]];
      const [nA, nP, nN] = [Math.sqrt(terms[3]), Math.sqrt(terms[4]), Math.sqrt(terms[5])];
      const [mA, mP, mN] = [Math.max(nA, COSINE_EPS), Math.max(nP, COSINE_EPS), Math.max(nN, COSINE_EPS)];
      // ∂d(x, y)/∂x = −y / (m_x m_y) + own(s, x, y) x, with own = s / (m_x² m_y ‖x‖) (0 at x = 0).
      const own = (s: number, nx: number, mx: number, my: number) => (nx === 0 ? 0 : s / (mx * mx * my * nx));
      const [cAP, cAN, cPN] = [uAP / (mA * mP), uAN / (mA * mN), swap ? uPN / (mP * mN) : 0];
      if (ga) combine(ga, base, D, uAP * own(s1, nA, mA, mP) + uAN * own(s2, nA, mA, mN), A, -cAP, P, -cAN, Q);
      if (gp) combine(gp, base, D, -cAP, A, uAP * own(s1, nP, mP, mA) + (swap ? uPN * own(s3, nP, mP, mN) : 0), P, -cPN, Q);
      if (gn) combine(gn, base, D, -cAN, A, -cPN, P, uAN * own(s2, nN, mN, mA) + (swap ? uPN * own(s3, nN, mN, mP) : 0), Q);
    } else if (p === 2) {
      const [cAP, cAN, cPN] = [dAP === 0 ? 0 : uAP / dAP, dAN === 0 ? 0 : uAN / dAN, swap && dPN !== 0 ? uPN / dPN : 0];
      if (ga) diff2(ga, base, D, cAP, A, P, cAN, A, Q, eps);
      if (gp) {
        if (swap) diff2(gp, base, D, -cAP, A, P, cPN, P, Q, eps);
        else diff1(gp, base, D, -cAP, A, P, eps);
      }
      if (gn) {
        if (swap) diff2(gn, base, D, -cAN, A, Q, -cPN, P, Q, eps);
        else diff1(gn, base, D, -cAN, A, Q, eps);
      }
    } else {
      for (let d = 0; d < D; d++) {
        const ap = gAP![d] * uAP;
        const an = gAN![d] * uAN;
        const pn = swap ? gPN![d] * uPN : 0;
        if (ga) ga[base + d] = ap + an;
        if (gp) gp[base + d] = pn - ap;
        if (gn) gn[base + d] = -an - pn;
      }
    }
  }
  const wrap = (g: Grad | null, like: Tensor) => (g ? new Tensor(g, like.shape) : null);
  return { loss: reducer.reduce(losses), grads: call.wantGrad ? [wrap(ga, anchor), wrap(gp, positive), wrap(gn, negative)] : [] };
}
