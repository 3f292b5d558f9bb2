// The embedding losses' shared part: the triplet losses' argument checks, the row distances
// (PyTorch's pairwise_distance and 1 − cosine_similarity) and the loop over rows that turns them
// into the hinge and its gradients. tripletMarginLoss and tripletMarginWithDistanceLoss (with a
// built-in distance) both run tripletRows; cosineEmbeddingLoss runs the same row sums and
// combinations (onRows); a user's distance function keeps its own, generic path.
//
// Speed: rows go by chunks through a RowBackend: the chunk's rows reduced to a few sums each (one
// pass over the operands), each row's loss and gradient coefficients computed here from the sums
// (the one copy of that logic), then each wanted gradient row a combination of the operand rows
// with those coefficients (one more pass, the chunk still in cache). The backend is the WebAssembly
// kernels (src/kernels/rows.ts: float32 and float64, computed in float64 lanes) where they run, and
// the TypeScript loops below (the reference) otherwise. The kernels also keep the speed independent
// of the calls before: V8's TypeScript loops slow down 3–5 fold once they have seen both float32
// and float64 arrays (measured: tripletMarginWithDistanceLoss float32 [4096, 1024], 5.6 ms after
// float32 calls only, 31 ms after float64 ones). Measured: docs/benchmarks-notes.md.
import { gradBuffer, gradOf } from './grad-buffer.js';
import { resultDtype, type KernelCall, type KernelResult } from './loss.js';
import { booleanOption, numberOption } from './options.js';
import { checkReduction, Reducer, type Reduction } from './reduction.js';
import { assertSameShape, shapeString } from './shape.js';
import { Tensor } from './tensor.js';
import { kernelsFor } from '../kernels/backend.js';
import { withRowKernels } from '../kernels/rows.js';

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
 * The sums a chunk's rows are reduced to (six a row, at `6 r + k`): `squares`, Σ(a − b + eps)²,
 * Σ(a − c + eps)² (k = 0, 1) and with `squaresSwap` Σ(b − c + eps)² (k = 2); `products`, a·b, a·c,
 * a·a, b·b, c·c (k = 0, 1, 3, 4, 5) and with `productsSwap` b·c (k = 2); `pair` (two operands),
 * a·b, a·a, b·b (k = 0, 3, 4).
 */
export type RowSums = 'squares' | 'squaresSwap' | 'products' | 'productsSwap' | 'pair';

/**
 * Where a call's rows are computed, a chunk at a time: the TypeScript loops (rowLoops, the
 * reference) or the WebAssembly kernels (src/kernels/rows.ts). Operands and gradients are named by
 * their index in the call's lists; coefficients are three doubles a row (`3 r + k`).
 */
export interface RowBackend {
  /** Rows per chunk. */
  readonly chunk: number;
  /** Whether `sums` gives the reference's sums exactly (the TypeScript loops) or in another order and rounding (the kernels). */
  readonly exact: boolean;
  /** Makes rows r0 .. r0 + n the chunk. */
  load(r0: number, n: number): void;
  /** The chunk's row sums (see RowSums). */
  sums(mode: RowSums, eps: number): Float64Array;
  /** Gradient g's coefficients for the chunk's rows, to be filled before diffs or linear. */
  coef(g: number): Float64Array;
  /** Gradient g's rows: `k₀ (x₁ − y₁ + eps) + k₁ (x₂ − y₂ + eps)`, or the first term alone for x₂ < 0. */
  diffs(g: number, x1: number, y1: number, x2: number, y2: number, eps: number): void;
  /** Gradient g's rows: `k₀ x + k₁ y + k₂ z`, or the first two terms for z < 0. */
  linear(g: number, x: number, y: number, z: number): void;
  /** Row r of the chunk of gradient g is zero (after diffs or linear). */
  zero(g: number, r: number): void;
  /** The chunk of gradient g is complete. */
  finish(g: number): void;
}

/** The TypeScript RowBackend: plain loops over the operands, gradients written in place. */
function rowLoops(operands: Data[], grads: (Grad | null)[], N: number, D: number): RowBackend {
  const chunk = Math.max(1, Math.min(N, 256));
  const sums = new Float64Array(chunk * 6);
  const coefs = grads.map(() => new Float64Array(chunk * 3));
  let start = 0;
  let rows = 0;
  return {
    chunk,
    exact: true,
    load(r0, n) {
      start = r0;
      rows = n;
    },
    sums(mode, eps) {
      for (let r = 0; r < rows; r++) sumRow(mode, operands, (start + r) * D, D, eps, sums, 6 * r);
      return sums;
    },
    coef: (g) => coefs[g],
    diffs(g, x1, y1, x2, y2, eps) {
      const [out, c] = [grads[g]!, coefs[g]];
      for (let r = 0; r < rows; r++) {
        const base = (start + r) * D;
        if (x2 < 0) diff1(out, base, D, c[3 * r], operands[x1], operands[y1], eps);
        else diff2(out, base, D, c[3 * r], operands[x1], operands[y1], c[3 * r + 1], operands[x2], operands[y2], eps);
      }
    },
    linear(g, x, y, z) {
      const [out, c] = [grads[g]!, coefs[g]];
      for (let r = 0; r < rows; r++) {
        const base = (start + r) * D;
        if (z < 0) combine2(out, base, D, c[3 * r], operands[x], c[3 * r + 1], operands[y]);
        else combine3(out, base, D, c[3 * r], operands[x], c[3 * r + 1], operands[y], c[3 * r + 2], operands[z]);
      }
    },
    zero(g, r) {
      grads[g]!.fill(0, (start + r) * D, (start + r + 1) * D);
    },
    finish() {},
  };
}

/** Row `base` of the operands reduced to its sums (see RowSums) into out[o .. o + 5]. */
export function sumRow(mode: RowSums, [A, B, C]: Data[], base: number, D: number, eps: number, out: Float64Array, o: number): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0;
  const end = base + D;
  if (mode === 'squares' || mode === 'squaresSwap') {
    const swap = mode === 'squaresSwap';
    for (let i = base; i < end; i++) {
      const u = A[i] - B[i] + eps, v = A[i] - C[i] + eps;
      s0 += u * u;
      s1 += v * v;
      if (swap) {
        const w = B[i] - C[i] + eps;
        s2 += w * w;
      }
    }
  } else if (mode === 'pair') {
    for (let i = base; i < end; i++) {
      const a = A[i], b = B[i];
      s0 += a * b;
      s3 += a * a;
      s4 += b * b;
    }
  } else {
    const swap = mode === 'productsSwap';
    for (let i = base; i < end; i++) {
      const a = A[i], b = B[i], c = C[i];
      s0 += a * b;
      s1 += a * c;
      if (swap) s2 += b * c;
      s3 += a * a;
      s4 += b * b;
      s5 += c * c;
    }
  }
  out[o] = s0;
  out[o + 1] = s1;
  out[o + 2] = s2;
  out[o + 3] = s3;
  out[o + 4] = s4;
  out[o + 5] = s5;
}

/** `g[i] = k · (X[i] − Y[i] + eps)` over the row. */
function diff1(g: Grad, base: number, D: number, k: number, X: Data, Y: Data, eps: number): void {
  for (let i = base; i < base + D; i++) g[i] = k * (X[i] - Y[i] + eps);
}

/** `g[i] = k1 · (X1[i] − Y1[i] + eps) + k2 · (X2[i] − Y2[i] + eps)` over the row. */
function diff2(g: Grad, base: number, D: number, k1: number, X1: Data, Y1: Data, k2: number, X2: Data, Y2: Data, eps: number): void {
  for (let i = base; i < base + D; i++) g[i] = k1 * (X1[i] - Y1[i] + eps) + k2 * (X2[i] - Y2[i] + eps);
}

/** `g[i] = kx · X[i] + ky · Y[i]` over the row. */
function combine2(g: Grad, base: number, D: number, kx: number, X: Data, ky: number, Y: Data): void {
  for (let i = base; i < base + D; i++) g[i] = kx * X[i] + ky * Y[i];
}

/** `g[i] = kx · X[i] + ky · Y[i] + kz · Z[i]` over the row. */
function combine3(g: Grad, base: number, D: number, kx: number, X: Data, ky: number, Y: Data, kz: number, Z: Data): void {
  for (let i = base; i < base + D; i++) g[i] = kx * X[i] + ky * Y[i] + kz * Z[i];
}

/**
 * Runs `body` on the RowBackend for `[N, D]` operands and their gradient arrays (null: not
 * wanted): the kernels where the operands are all float32 or all float64 (the gradients then are
 * too), the call is large enough and they run; the TypeScript loops otherwise.
 */
export function onRows<R>(tensors: Tensor[], grads: (Grad | null)[], N: number, D: number, body: (rows: RowBackend) => R): R {
  const dtype = tensors[0].dtype;
  const data = tensors.map((t) => t.data);
  const uniform = dtype !== 'int32' && tensors.every((t) => t.dtype === dtype);
  // Rows of 2D: the kernels' regions (three operands, three gradients) take up to 48 D bytes for float64.
  if (uniform && N > 0 && D > 0 && kernelsFor(N * D, 2 * D)) return withRowKernels(data as Grad[], grads, N, D, body);
  return body(rowLoops(data, grads, N, D));
}

/** The share of the negative distance's gradient that goes to d(a, neg) (the rest to d(pos, neg)): 1/0, 0/1, ½/½ at a tie (PyTorch's `minimum`). */
function shareOfAN(swap: boolean, dAN: number, dPN: number): number {
  return !swap || dAN < dPN ? 1 : dAN === dPN ? 0.5 : 0;
}

/** A triplet row's distances d(a, pos), d(a, neg), d(pos, neg) (∞ without swap) from its sums at terms[t..]. */
function distancesOf(terms: Float64Array, t: number, cosine: boolean, swap: boolean): [number, number, number] {
  if (cosine) {
    const [mA, mP, mN] = [Math.max(Math.sqrt(terms[t + 3]), COSINE_EPS), Math.max(Math.sqrt(terms[t + 4]), COSINE_EPS), Math.max(Math.sqrt(terms[t + 5]), COSINE_EPS)];
    return [1 - terms[t] / (mA * mP), 1 - terms[t + 1] / (mA * mN), swap ? 1 - terms[t + 2] / (mP * mN) : Infinity];
  }
  return [Math.sqrt(terms[t]), Math.sqrt(terms[t + 1]), swap ? Math.sqrt(terms[t + 2]) : Infinity];
}

/**
 * How close (relative to the terms) a value computed from the kernels' sums may be to a branch
 * point before the row is summed again as the reference sums it: the float32 path's terms carry
 * 2⁻²³ or so, the sums' order a few ε64; 1e-5 leaves a wide margin at a negligible cost (such
 * rows are rare: a tie of distances, a hinge at exactly 0).
 */
export const BRANCH_TOLERANCE = 1e-5;

/** Whether the hinge `z` or the choice between d(a, neg) and d(pos, neg) is within BRANCH_TOLERANCE of flipping. */
function nearBranch(z: number, margin: number, dAP: number, dAN: number, dPN: number, swap: boolean): boolean {
  if (Math.abs(z) <= BRANCH_TOLERANCE * (Math.abs(margin) + Math.abs(dAP) + Math.abs(dAN))) return true;
  return swap && Math.abs(dAN - dPN) <= BRANCH_TOLERANCE * (Math.abs(dAN) + Math.abs(dPN));
}

/**
 * The triplet margin loss over rows with a built-in distance d:
 * `loss = max(0, margin + d(a, pos) − min(d(a, neg), swap ? d(pos, neg) : ∞))`, and the gradients
 * asked for (argnums), written in the result's dtype. Where the hinge is active (`z ≥ 0`) its
 * upstream u goes `+u` into d(a, pos) and `−u` into the minimum, shared 1/0, 0/1 or ½/½ (a tie, as
 * PyTorch's `minimum`) between d(a, neg) and d(pos, neg); each distance passes it on:
 * - pairwise, p = 2: `∂d(x, y)/∂x = (x − y + eps) / d = −∂d/∂y` (0 at d = 0, as norm's backward),
 *   so each gradient row is one or two scaled differences;
 * - pairwise, other p: `sign(v) |v|^(p−1) / d^(p−1)` per element (rowDistance, tripletRowsP);
 * - cosine, `d = 1 − s / (m₁ m₂)` with `s = x·y`, `mᵢ = max(‖xᵢ‖, 1e-8)`: PyTorch clamps the norms
 *   under no_grad, so the gradient runs through the unclamped norm,
 *   `∂d/∂x = −y / (m₁ m₂) + s x / (m₁² m₂ ‖x‖)` (the last term 0 at x = 0), and each gradient row is
 *   a combination `k_a a + k_p p + k_n n` with per-row coefficients.
 */
export function tripletRows(call: KernelCall<unknown>, setup: TripletSetup, distance: RowDistance): KernelResult {
  if (distance.kind === 'pairwise' && distance.p !== 2) return tripletRowsP(call, setup, distance.p, distance.eps);
  const { anchor, positive, negative, margin, swap, D, N, reducer } = setup;
  const losses = new Float64Array(N);
  const tensors = [anchor, positive, negative];
  // Only the gradients asked for, in place in the result's dtype; every entry is written (zeros
  // where the hinge is flat), so the arrays need no zeroing first.
  const grads = tensors.map((t, k) => (call.wantGrad && call.wantGrads[k] ? gradBuffer(call, k, t, false) : null));
  const wanted = [0, 1, 2].filter((k) => grads[k] !== null);
  const cosine = distance.kind === 'cosine';
  const eps = distance.kind === 'pairwise' ? distance.eps : 0;
  const mode: RowSums = cosine ? (swap ? 'productsSwap' : 'products') : swap ? 'squaresSwap' : 'squares';
  const [A, P, Q] = [0, 1, 2];
  const data = tensors.map((t) => t.data);
  onRows(tensors, grads, N, D, (rows) => {
    const flat: number[] = [];
    for (let r0 = 0; r0 < N; r0 += rows.chunk) {
      const n = Math.min(rows.chunk, N - r0);
      rows.load(r0, n);
      const terms = rows.sums(mode, eps);
      const [cA, cP, cN] = [0, 1, 2].map((k) => (grads[k] ? rows.coef(k) : null));
      flat.length = 0;
      for (let r = 0; r < n; r++) {
        const t = 6 * r;
        let [dAP, dAN, dPN] = distancesOf(terms, t, cosine, swap);
        let z = margin + dAP - Math.min(dAN, dPN);
        if (!rows.exact && nearBranch(z, margin, dAP, dAN, dPN, swap)) {
          // A branch (the hinge, or which negative distance is the minimum) that the kernels'
          // order of sums could decide otherwise than the reference: the row's sums as the reference makes them.
          sumRow(mode, data, (r0 + r) * D, D, eps, terms, t);
          [dAP, dAN, dPN] = distancesOf(terms, t, cosine, swap);
          z = margin + dAP - Math.min(dAN, dPN);
        }
        losses[r0 + r] = Number.isNaN(z) ? z : Math.max(z, 0);
        if (wanted.length === 0) continue;
        const c = 3 * r;
        if (!(z >= 0)) {
          // Flat: the rows are zeroed after the combinations (coefficients 0 meanwhile).
          flat.push(r);
          for (const k of [cA, cP, cN]) k?.fill(0, c, c + 3);
          continue;
        }
        const u = reducer.upstream(r0 + r);
        const shareAN = shareOfAN(swap, dAN, dPN);
        // The upstream gradients of d(a, pos), d(a, neg), d(pos, neg).
        const uAP = u;
        const uAN = -u * shareAN;
        const uPN = swap ? -u * (1 - shareAN) : 0;
        if (cosine) {
          const [s1, s2, s3] = [terms[t], terms[t + 1], terms[t + 2]];
          const [nA, nP, nN] = [Math.sqrt(terms[t + 3]), Math.sqrt(terms[t + 4]), Math.sqrt(terms[t + 5])];
          const [mA, mP, mN] = [Math.max(nA, COSINE_EPS), Math.max(nP, COSINE_EPS), Math.max(nN, COSINE_EPS)];
          // ∂d(x, y)/∂x = −y / (m_x m_y) + own(s, x, y) x, with own = s / (m_x² m_y ‖x‖) (0 at x = 0).
          const own = (s: number, nx: number, mx: number, my: number) => (nx === 0 ? 0 : s / (mx * mx * my * nx));
          const [kAP, kAN, kPN] = [uAP / (mA * mP), uAN / (mA * mN), swap ? uPN / (mP * mN) : 0];
          // Rows k_a a + k_p p + k_n n.
          cA?.set([uAP * own(s1, nA, mA, mP) + uAN * own(s2, nA, mA, mN), -kAP, -kAN], c);
          cP?.set([-kAP, uAP * own(s1, nP, mP, mA) + (swap ? uPN * own(s3, nP, mP, mN) : 0), -kPN], c);
          cN?.set([-kAN, -kPN, uAN * own(s2, nN, mN, mA) + (swap ? uPN * own(s3, nN, mN, mP) : 0)], c);
        } else {
          const [kAP, kAN, kPN] = [dAP === 0 ? 0 : uAP / dAP, dAN === 0 ? 0 : uAN / dAN, swap && dPN !== 0 ? uPN / dPN : 0];
          // Rows k₀ (x₁ − y₁ + eps) + k₁ (x₂ − y₂ + eps): a: (a − p), (a − n); p: (a − p), (p − n); n: (a − n), (p − n).
          cA?.set([kAP, kAN, 0], c);
          cP?.set([-kAP, kPN, 0], c);
          cN?.set([-kAN, -kPN, 0], c);
        }
      }
      for (const k of wanted) {
        if (cosine) rows.linear(k, A, P, Q);
        else if (k === A) rows.diffs(k, A, P, A, Q, eps);
        else if (k === P) rows.diffs(k, A, P, swap ? P : -1, Q, eps);
        else rows.diffs(k, A, Q, swap ? P : -1, Q, eps);
        for (const r of flat) rows.zero(k, r);
        rows.finish(k);
      }
    }
  });
  return { loss: reducer.reduce(losses), grads: call.wantGrad ? tensors.map((t, k) => gradOf(grads[k], t)) : [] };
}

/** tripletRows for a p-norm distance with p ≠ 2: per-element gradients of each distance (rowDistance), TypeScript only. */
function tripletRowsP(call: KernelCall<unknown>, setup: TripletSetup, p: number, eps: number): KernelResult {
  const { anchor, positive, negative, margin, swap, D, N, reducer } = setup;
  const losses = new Float64Array(N);
  const tensors = [anchor, positive, negative];
  const [ga, gp, gn] = tensors.map((t, k) => (call.wantGrad && call.wantGrads[k] ? gradBuffer(call, k, t, false) : null));
  const any = ga !== null || gp !== null || gn !== null;
  const [A, P, Q] = [anchor.data, positive.data, negative.data];
  const [gAP, gAN, gPN] = [0, 1, 2].map(() => (any ? new Float64Array(D) : null));
  for (let n = 0; n < N; n++) {
    const base = n * D;
    const dAP = rowDistance(A, P, base, D, p, eps, gAP);
    const dAN = rowDistance(A, Q, base, D, p, eps, gAN);
    const dPN = swap ? rowDistance(P, Q, base, D, p, eps, gPN) : Infinity;
    const z = margin + dAP - Math.min(dAN, dPN);
    losses[n] = Number.isNaN(z) ? z : Math.max(z, 0);
    if (!any) continue;
    if (!(z >= 0)) {
      for (const g of [ga, gp, gn]) g?.fill(0, base, base + D);
      continue;
    }
    const u = reducer.upstream(n);
    const shareAN = shareOfAN(swap, dAN, dPN);
    const [uAP, uAN, uPN] = [u, -u * shareAN, swap ? -u * (1 - shareAN) : 0];
    for (let d = 0; d < D; d++) {
      const ap = gAP![d] * uAP;
      const an = gAN![d] * uAN;
      const pn = swap ? gPN![d] * uPN : 0;
      if (ga) ga[base + d] = ap + an;
      if (gp) gp[base + d] = pn - ap;
      if (gn) gn[base + d] = -an - pn;
    }
  }
  return { loss: reducer.reduce(losses), grads: call.wantGrad ? [gradOf(ga, anchor), gradOf(gp, positive), gradOf(gn, negative)] : [] };
}
