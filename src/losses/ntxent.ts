import { defineLoss, gradTensor, resultDtype, type KernelCall } from '../core/loss.js';
import { numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { shapeString } from '../core/shape.js';
import { log1pExp, sigmoidScalar } from '../core/stable.js';
import { kernelsFor } from '../kernels/backend.js';
import { linearForward, linearForwardWasm, matmulScratchBytes } from '../kernels/matmul.js';
import { kernelsCanRun, MAX_ROW_ELEMENTS } from '../kernels/wasm.js';

/** Options of {@link ntxentLoss}. */
export interface NtxentLossOptions {
  /** Temperature dividing the cosine similarities, `> 0`; default 0.07. */
  temperature?: number;
  /**
   * `'mean'` (default): the mean over positive pairs, optax's value; `'sum'`: their sum;
   * `'none'`: the `[N, N]` matrix of pair losses, 0 where (i, j) is not a positive pair.
   */
  reduction?: Reduction;
}

/**
 * Rows of A per call of linearForwardWasm for `A [rows, H] · Bᵀ`, B `[V, H]`: the most, halving
 * from n, whose scratch kernelsCanRun can reserve (nine regions of at most MAX_ROW_ELEMENTS floats).
 */
function productRows(n: number, V: number, H: number): number {
  let rows = Math.max(1, n);
  while (rows > 1 && matmulScratchBytes(rows, V, H, 8) > 9 * 4 * MAX_ROW_ELEMENTS) rows = Math.ceil(rows / 2);
  return rows;
}

/**
 * `out = A Bᵀ` (A `[n, H]`, B `[V, H]`, out `[n, V]`, float64) on the float64 matrix-product kernel
 * in blocks of rows; false (out untouched) where the kernels cannot run, and the caller computes it.
 */
function productOnKernels(a: Float64Array, b: Float64Array, n: number, V: number, H: number, out: Float64Array): boolean {
  const rows = productRows(n, V, H);
  if (!kernelsCanRun(Math.ceil(matmulScratchBytes(rows, V, H, 8) / 32))) return false;
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = Math.min(rows, n - r0);
    linearForwardWasm(a.subarray(r0 * H, (r0 + m) * H), b, null, m, V, H, out.subarray(r0 * V, (r0 + m) * V));
  }
  return true;
}

/** optax's floor on squared norms: `jnp.finfo(dtype).eps`. */
const NORM_FLOOR = { float32: 2 ** -23, float64: 2 ** -52 } as const;

/**
 * NT-Xent (normalized temperature-scaled cross-entropy), as `optax.losses.ntxent` (optax 0.2.8;
 * Chen et al., 2020, SimCLR).
 *
 * With `u_i = e_i / sqrt(max(‖e_i‖², eps))` (eps of the dtype) and `s_ij = u_i · u_j / T`, every
 * ordered positive pair (i ≠ j, same label) has the loss
 * `l_ij = −log(exp(s_ij) / (exp(s_ij) + Σ_{k: label_k ≠ label_i} exp(s_ik)))`
 * `= log(1 + exp(M_i − s_ij))` with `M_i` the log-sum-exp of row i's negatives (largest exponent
 * factored out, so no temperature overflows it): O(N²) for the whole batch. Gradient, with
 * `z = M_i − s_ij`: `∂l/∂s_ij = −σ(z)`, `∂l/∂s_ik = σ(z) exp(s_ik − M_i)`, summed over the pairs
 * (times their upstream gradients) into `G_ij`;
 * then `∂/∂u_i = Σ_j (G_ij + G_ji) u_j / T` and, through the normalization,
 * `∂/∂e_i = (∂/∂u_i − (u_i · ∂/∂u_i) u_i) / ‖e_i‖` (just `∂/∂u_i / sqrt(eps)` where the floor holds).
 *
 * Shapes: `embeddings` `[N, D]`; `labels` `[N]` (integers: equal labels mark positive pairs);
 * result `[]`, or `[N, N]` for `'none'`.
 *
 * @example
 * ```ts
 * const embeddings = [[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.8]];
 * console.log(ntxentLoss(embeddings, [0, 0, 1, 1]).toString());
 * console.log(ntxentLoss(embeddings, [0, 0, 1, 1], { temperature: 1 }).toString());
 * // tensor(1.3647e-05)
 * // tensor(0.6070)
 * ```
 * Differs from optax: optax returns only the mean (`'mean'`); `'sum'` and `'none'` are added.
 * The labels must be integers (optax compares any values). `ntxentLoss` over a batch without a
 * positive pair is NaN, as optax's 0 / 0.
 */
export const ntxentLoss = defineLoss(
  {
    name: 'ntxentLoss',
    reference: 'optax.losses.ntxent',
    args: [{ name: 'embeddings', shape: '[N, D]', differentiable: true }, { name: 'labels', shape: '[N] (integers)', differentiable: false, classIndices: true }],
    options: { temperature: { type: 'number', default: 0.07, range: { min: 0, minOpen: true }, doc: 'divides the cosine similarities' } },
    kernels: ['matmulNT_f64'],
    items: 'groups',
    plot: null,
  },
  (call: KernelCall<NtxentLossOptions>) => {
    const fn = 'ntxentLoss';
    const [e, labelTensor] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const T = numberOption(fn, 'temperature', options.temperature, 0.07);
    if (!(T > 0)) throw new Error(`${fn}: temperature must be > 0, got ${T}`);
    if (e.shape.length !== 2) throw new Error(`${fn}: embeddings must be [N, D], got shape ${shapeString(e.shape)}`);
    const [N, D] = e.shape;
    if (labelTensor.shape.length !== 1 || labelTensor.shape[0] !== N) {
      throw new Error(`${fn}: labels shape ${shapeString(labelTensor.shape)} does not match embeddings of shape ${shapeString(e.shape)} (expected [${N}])`);
    }
    const labels = labelTensor.data;
    const bad = labels.findIndex((v) => !Number.isInteger(v));
    if (bad >= 0) throw new Error(`${fn}: labels must be integers, got ${labels[bad]} at index ${bad}`);
    let pairs = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j && labels[i] === labels[j]) pairs++;
    const dtype = resultDtype([e]);
    const reducer = new Reducer(fn, reduction, [N, N], dtype, pairs);
    if (wantGrad) reducer.setGradOutput(call.gradOutput);

    // Unit vectors (optax: e / sqrt(max(‖e‖², eps))) and the scaled similarity matrix.
    const floor = NORM_FLOOR[dtype === 'float64' ? 'float64' : 'float32'];
    const E = e.data;
    const U = new Float64Array(N * D);
    const norm = new Float64Array(N);
    const floored = new Uint8Array(N);
    for (let i = 0; i < N; i++) {
      let sq = 0;
      for (let d = 0; d < D; d++) sq += E[i * D + d] * E[i * D + d];
      floored[i] = sq < floor ? 1 : 0;
      norm[i] = Math.sqrt(Math.max(sq, floor));
      for (let d = 0; d < D; d++) U[i * D + d] = E[i * D + d] / norm[i];
    }
    // The products U Uᵀ and, for the gradient, (G + Gᵀ) U on the float64 matrix-product kernel
    // (only their summation order differs from the TypeScript loops), where every unit vector is
    // finite: the TypeScript gradient skips the pairs of zero weight, so that a NaN vector reaches
    // only the rows that see it, where a product's 0 · NaN would reach every row.
    const kernels = kernelsFor(N * N) && N > 0 && D > 0 && U.every(Number.isFinite);
    const S = new Float64Array(N * N);
    if (!(kernels && productOnKernels(U, U, N, N, D, S))) linearForward(U, 0, U, null, N, N, D, S);
    for (let k = 0; k < N * N; k++) S[k] /= T;

    // Per row, the log-sum-exp of its negatives' similarities, M_i = log Σ_{k: label_k ≠ label_i} exp(s_ik)
    // (largest exponent factored out; −inf without negatives). Then every pair is one softplus:
    // l_ij = log(1 + exp(M_i − s_ij)), O(N²) in all.
    const negatives = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let m = -Infinity;
      for (let k = 0; k < N; k++) if (labels[k] !== labels[i]) m = Number.isNaN(S[i * N + k]) ? NaN : Math.max(m, S[i * N + k]);
      let sum = 0;
      if (m !== -Infinity) for (let k = 0; k < N; k++) if (labels[k] !== labels[i]) sum += Math.exp(S[i * N + k] - m);
      negatives[i] = m === -Infinity ? m : m + Math.log(sum);
    }
    const losses = new Float64Array(N * N);
    const G = wantGrad ? new Float64Array(N * N) : null; // ∂(result · gradOutput) / ∂s
    for (let i = 0; i < N; i++) {
      let toNegatives = 0; // Σ_j upstream_ij σ(z_ij): what row i's negatives share by their softmax
      for (let j = 0; j < N; j++) {
        if (i === j || labels[i] !== labels[j]) continue;
        const z = negatives[i] - S[i * N + j];
        losses[i * N + j] = log1pExp(z);
        if (!G) continue;
        // ∂l/∂s_ij = −σ(z); ∂l/∂s_ik = σ(z) · exp(s_ik − M_i) for the negatives k.
        const a = reducer.upstream(i * N + j) * sigmoidScalar(z);
        G[i * N + j] -= a;
        toNegatives += a;
      }
      if (G && toNegatives !== 0) for (let k = 0; k < N; k++) if (labels[k] !== labels[i]) G[i * N + k] += toNegatives * Math.exp(S[i * N + k] - negatives[i]);
    }
    if (!G || !call.wantGrads[0]) return { loss: reducer.reduce(losses), grads: [] };

    // ∂/∂u_i = Σ_j W_ij u_j, W_ij = (G_ij + G_ji) / T: on the kernels as W · (Uᵀ)ᵀ, else pair by pair.
    const dU = new Float64Array(N * D);
    let onKernels = false;
    if (kernels) {
      const W = new Float64Array(N * N);
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) W[i * N + j] = (G[i * N + j] + G[j * N + i]) / T;
      const Ut = new Float64Array(D * N);
      for (let j = 0; j < N; j++) for (let d = 0; d < D; d++) Ut[d * N + j] = U[j * D + d];
      onKernels = productOnKernels(W, Ut, N, D, N, dU);
    }
    if (!onKernels) {
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const w = (G[i * N + j] + G[j * N + i]) / T;
          if (w !== 0) for (let d = 0; d < D; d++) dU[i * D + d] += w * U[j * D + d];
        }
      }
    }
    const grad = new Float64Array(N * D);
    for (let i = 0; i < N; i++) {
      // Through u = e / ‖e‖: remove the radial part; where the floor holds, ‖e‖ is the constant sqrt(eps).
      let radial = 0;
      if (!floored[i]) for (let d = 0; d < D; d++) radial += U[i * D + d] * dU[i * D + d];
      for (let d = 0; d < D; d++) grad[i * D + d] = (dU[i * D + d] - radial * U[i * D + d]) / norm[i];
    }
    return { loss: reducer.reduce(losses), grads: [gradTensor(grad, e), null] };
  },
);
