import { gradBuffer } from '../core/grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall, type Loss4 } from '../core/loss.js';
import { booleanOption, integerOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { shapeString } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { getBackend } from '../kernels/backend.js';

/** Options of {@link ctcLoss}. */
export interface CtcLossOptions {
  /** Index of the blank label; default 0. */
  blank?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'` (each loss divided by its target length, then averaged). */
  reduction?: Reduction;
  /** Replace infinite losses (impossible alignments) and their gradients by 0; default false. */
  zeroInfinity?: boolean;
}

/** `ctcLoss(logProbs, targets, inputLengths, targetLengths, options?)` with `withGrad`. */
export type CtcLoss = Loss4<CtcLossOptions>;

/** log(e^a + e^b + e^c), exact when all are -inf; -inf terms cost no exp; NaN if any is NaN (as PyTorch). */
function logAddExp3(a: number, b: number, c: number): number {
  const m = Math.max(a, b, c);
  if (m === -Infinity) return -Infinity;
  let sum = 0;
  if (a !== -Infinity) sum += Math.exp(a - m);
  if (b !== -Infinity) sum += Math.exp(b - m);
  if (c !== -Infinity) sum += Math.exp(c - m);
  return m + Math.log(sum);
}

function lengths(fn: string, arg: string, t: Tensor, count: number, limit: number, limitName: string): number[] {
  if (t.size !== count || t.shape.length > 1) {
    throw new Error(`${fn}: ${arg} must hold ${count} length${count === 1 ? '' : 's'} (one per sequence), got shape ${shapeString(t.shape)}`);
  }
  return Array.from(t.data, (v, i) => {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${fn}: ${arg}[${i}] = ${v} is not a non-negative integer`);
    if (v > limit) throw new Error(`${fn}: ${arg}[${i}] = ${v} is longer than ${limitName} (${limit})`);
    return v;
  });
}

/** What the validation of a call established: the sizes, the lengths and where each target starts. */
interface CtcSetup {
  T: number;
  N: number;
  C: number;
  blank: number;
  batched: boolean;
  inputLengths: number[];
  targetLengths: number[];
  /** Where sequence n's labels start in the targets' data. */
  offsets: number[];
}

/** Checks the shapes, lengths, blank and labels of a call (every error names its argument). */
function checkCtc(fn: string, call: KernelCall<CtcLossOptions>): CtcSetup {
  const [logProbs, targets, inputLengthsT, targetLengthsT] = call.tensors;
  if (logProbs.shape.length !== 3 && logProbs.shape.length !== 2) {
    throw new Error(`${fn}: logProbs must be [T, N, C] or unbatched [T, C], got shape ${shapeString(logProbs.shape)}`);
  }
  const batched = logProbs.shape.length === 3;
  const [T, N, C] = batched ? logProbs.shape : [logProbs.shape[0], 1, logProbs.shape[1]];
  const blank = integerOption(fn, 'blank', call.options.blank, 0);
  if (blank < 0 || blank >= C) throw new Error(`${fn}: blank ${blank} is out of range for ${C} classes`);

  // Targets: padded [N, S] ([S] unbatched), or concatenated [Σ targetLengths].
  const padded = batched ? targets.shape.length === 2 : false;
  if (batched && targets.shape.length === 2 && targets.shape[0] !== N) {
    throw new Error(`${fn}: targets shape ${shapeString(targets.shape)} does not match the batch of ${N} (expected [${N}, S] or concatenated 1-D)`);
  }
  if (targets.shape.length !== 1 && !padded) {
    throw new Error(`${fn}: targets must be padded [N, S] or concatenated 1-D, got shape ${shapeString(targets.shape)}`);
  }
  const S = padded ? targets.shape[1] : targets.size;
  const inputLengths = lengths(fn, 'inputLengths', inputLengthsT, N, T, 'the input (T)');
  const targetLengths = lengths(fn, 'targetLengths', targetLengthsT, N, S, padded || !batched ? 'the targets (S)' : 'the targets');
  const offsets: number[] = [];
  let total = 0;
  for (let n = 0; n < N; n++) {
    offsets.push(padded ? n * S : total);
    total += targetLengths[n];
  }
  if (!padded && batched && total > targets.size) {
    throw new Error(`${fn}: targetLengths add up to ${total} but the concatenated targets hold ${targets.size}`);
  }
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < targetLengths[n]; k++) {
      const label = targets.data[offsets[n] + k];
      if (!Number.isInteger(label) || label < 0 || label >= C) {
        throw new Error(`${fn}: target ${label} (sequence ${n}, position ${k}) is out of range for ${C} classes`);
      }
      if (label === blank) throw new Error(`${fn}: target (sequence ${n}, position ${k}) is the blank ${blank}`);
    }
  }
  return { T, N, C, blank, batched, inputLengths, targetLengths, offsets };
}

/**
 * One sequence of a call: l' (the labels with blanks around and between them, length L = 2S + 1),
 * skip[s] (l'_s may be reached from s − 2: a label differing from the previous label; repeated
 * labels need the blank between them), its input length, and where lp_t(·) starts (`row(t)`).
 */
interface Sequence {
  ext: Int32Array;
  skip: Uint8Array;
  L: number;
  Tn: number;
  /** Offset of lp_t(·) of this sequence in the logProbs data. */
  row: (t: number) => number;
}

function sequenceOf(setup: CtcSetup, targets: ArrayLike<number>, n: number): Sequence {
  const Sn = setup.targetLengths[n];
  const L = 2 * Sn + 1;
  const ext = new Int32Array(L).fill(setup.blank);
  const skip = new Uint8Array(L);
  for (let k = 0; k < Sn; k++) {
    ext[2 * k + 1] = targets[setup.offsets[n] + k];
    skip[2 * k + 1] = k > 0 && ext[2 * k + 1] !== ext[2 * k - 1] ? 1 : 0;
  }
  const { N, C } = setup;
  return { ext, skip, L, Tn: setup.inputLengths[n], row: (t) => (t * N + n) * C };
}

/**
 * The forward variables in log space (the reference): α_t(s) = lp_t(l'_s) + logsumexp of the
 * α_{t−1} of s, s − 1 and (skip) s − 2, and the loss −logsumexp(α_{T−1}(L − 1), α_{T−1}(L − 2)).
 * Tn >= 1.
 */
function alphaLog(LP: ArrayLike<number>, q: Sequence): { alpha: Float64Array; nll: number } {
  const { ext, skip, L, Tn, row } = q;
  const alpha = new Float64Array(Tn * L).fill(-Infinity);
  alpha[0] = LP[row(0) + ext[0]];
  if (L > 1) alpha[1] = LP[row(0) + ext[1]];
  for (let t = 1; t < Tn; t++) {
    const prev = (t - 1) * L;
    const lp = row(t);
    // Only s >= L − 2(Tn − t) can still reach the end. Those beyond the reach of the start
    // (s >= 2(t + 1)) are −inf + log p, so computed too: a NaN log-probability there reaches the
    // end and makes the loss NaN, as in PyTorch (which computes every cell).
    const first = Math.max(0, L - 2 * (Tn - t));
    for (let s = first; s < L; s++) {
      const a = alpha[prev + s];
      const b = s > 0 ? alpha[prev + s - 1] : -Infinity;
      const c = skip[s] ? alpha[prev + s - 2] : -Infinity;
      alpha[t * L + s] = logAddExp3(a, b, c) + LP[lp + ext[s]];
    }
  }
  const last = (Tn - 1) * L;
  return { alpha, nll: -logAddExp3(alpha[last + L - 1], L > 1 ? alpha[last + L - 2] : -Infinity, -Infinity) };
}

/**
 * The backward variables in log space (the reference), β_t(s) = lp_t(l'_s) + logsumexp of the
 * β_{t+1} of s, s + 1 and (skip) s + 2, and from them PyTorch's gradient, written into the
 * sequence's rows t < Tn: ∂/∂lp_t(c) = u (exp(lp_t(c)) − exp(log Σ_{s: l'_s = c} α_t(s) β_t(s) + nll − lp_t(c))).
 */
function gradientLog(LP: ArrayLike<number>, q: Sequence, C: number, alpha: Float64Array, nll: number, upstream: number, grad: Float32Array | Float64Array): void {
  const { ext, skip, L, Tn, row } = q;
  const beta = new Float64Array(Tn * L).fill(-Infinity);
  const last = (Tn - 1) * L;
  beta[last + L - 1] = LP[row(Tn - 1) + ext[L - 1]];
  if (L > 1) beta[last + L - 2] = LP[row(Tn - 1) + ext[L - 2]];
  for (let t = Tn - 2; t >= 0; t--) {
    const next = (t + 1) * L;
    const lp = row(t);
    const first = Math.max(0, L - 2 * (Tn - t));
    const end = Math.min(L, 2 * (t + 1));
    for (let s = first; s < end; s++) {
      const a = beta[next + s];
      const b = s + 1 < L ? beta[next + s + 1] : -Infinity;
      const c = s + 2 < L && skip[s + 2] ? beta[next + s + 2] : -Infinity;
      beta[t * L + s] = logAddExp3(a, b, c) + LP[lp + ext[s]];
    }
  }
  const lcab = new Float64Array(C);
  for (let t = 0; t < Tn; t++) {
    lcab.fill(-Infinity);
    for (let s = 0; s < L; s++) {
      const v = alpha[t * L + s] + beta[t * L + s];
      if (v !== -Infinity) lcab[ext[s]] = logAddExp3(lcab[ext[s]], v, -Infinity);
    }
    const lp = row(t);
    for (let c = 0; c < C; c++) {
      const x = LP[lp + c];
      grad[lp + c] = (Math.exp(x) - Math.exp(lcab[c] + nll - x)) * upstream;
    }
  }
}

/**
 * The same loss and gradient as alphaLog and gradientLog, in linear space with a scale per time
 * step (Rabiner's scaling): with m_t the largest lp_t over the sequence's classes and
 * q_t(c) = exp(lp_t(c) − m_t), the recursions become sums and products
 *   â_t(s) = (â_{t−1}(s) + â_{t−1}(s−1) + skip · â_{t−1}(s−2)) q_t(l'_s) / 2^k_t,
 * 2^k_t the power of two at or below σ_t = Σ_s of the step (an exact scaling), so that
 * α_t(s) = â_t(s) exp(Λ_t), Λ_t = Σ_{τ≤t} (m_τ + k_τ ln 2), and
 * loss = −Λ_{T−1} − log(â_{T−1}(L−1) + â_{T−1}(L−2)); likewise b̂ for β from the end. The
 * gradient's exp(log Σ_{l'_s = c} α_t β_t + nll − lp_t(c)) is the posterior of class c at t,
 *   (Σ_{l'_s = c} â_t(s) b̂_t(s) / q_t(c)) / Σ_s â_t(s) b̂_t(s) / q_t(l'_s),
 * since Σ_s α_t(s) β_t(s) / p_t(l'_s) = P for every t: no exp or log per cell, one exp per
 * (t, class). Returns the loss, or null where this form could lose digits that the log-space
 * reference keeps — a non-finite lp, or one beyond ±1e3, or more than 69 below its step's maximum (q < 1e-30)
 * among the sequence's classes, a step with nothing left (an impossible alignment), an end
 * probability below 1e-30 of the last step's mass, a posterior normaliser below 1e-250: then the
 * caller runs the reference.
 * Two copies of one loss: the differential suite (ctcLoss target, wasm32 and wasm64 paths, which
 * take this form) holds it to the log-space reference.
 */
function ctcScaled(LP: ArrayLike<number>, q: Sequence, C: number, upstream: number, grad: Float32Array | Float64Array | null): number | null {
  const { ext, skip, L, Tn, row } = q;
  const used = new Uint8Array(C);
  for (let s = 0; s < L; s++) used[ext[s]] = 1;
  const classes: number[] = [];
  for (let c = 0; c < C; c++) if (used[c]) classes.push(c);
  const Q = new Float64Array(Tn * C);
  const M = new Float64Array(Tn);
  for (let t = 0; t < Tn; t++) {
    const lp = row(t);
    let m = -Infinity;
    for (const c of classes) {
      const x = LP[lp + c];
      // Beyond 1e3 the reference's exponent lcab + nll − lp is a difference of large terms, off
      // by about ε · |nll| (at −1e38, by more than the result): PyTorch computes that form, and
      // so does the reference then, rather than this more accurate one.
      if (!(Math.abs(x) <= 1e3)) return null;
      if (x > m) m = x;
    }
    for (const c of classes) {
      const d = LP[lp + c] - m;
      if (d < -69) return null;
      Q[t * C + c] = Math.exp(d);
    }
    M[t] = m;
  }
  // Forward: â (all steps, for the gradient). Each step is scaled by a power of two (exact: no
  // rounding of its own), 2^−k_t with 2^k_t <= σ_t < 2^(k_t + 1), so Λ = Σ m_t + ln 2 · Σ k_t; a
  // single dominant path then keeps its product of q = 1 exactly, as the reference keeps its sum.
  const alpha = new Float64Array(Tn * L);
  // Step 0: s = 0 and 1, those that can still reach the end (s >= L − 2 Tn), as the reference:
  // a cell that cannot reach it would only add rounding to σ.
  const start = L - 2 * Tn;
  if (start > 1) return null;
  if (start <= 0) alpha[0] = Q[ext[0]];
  if (L > 1) alpha[1] = Q[ext[1]];
  let logShift = 0; // Σ m_t
  let shifts = 0; // Σ k_t
  for (let t = 0; t < Tn; t++) {
    const prev = (t - 1) * L;
    const here = t * L;
    const qt = t * C;
    const first = Math.max(0, L - 2 * (Tn - t));
    let sigma = 0;
    if (t === 0) sigma = alpha[0] + (L > 1 ? alpha[1] : 0);
    else {
      for (let s = first; s < L; s++) {
        let v = alpha[prev + s];
        if (s > 0) v += alpha[prev + s - 1];
        if (skip[s]) v += alpha[prev + s - 2];
        v *= Q[qt + ext[s]];
        alpha[here + s] = v;
        sigma += v;
      }
    }
    if (!(sigma > 0 && sigma < Infinity)) return null;
    const k = Math.floor(Math.log2(sigma));
    const scale = 2 ** -k;
    for (let s = first; s < L; s++) alpha[here + s] *= scale;
    logShift += M[t];
    shifts += k;
  }
  const last = (Tn - 1) * L;
  const end = alpha[last + L - 1] + (L > 1 ? alpha[last + L - 2] : 0);
  if (!(end >= 1e-30)) return null;
  const nll = -(logShift + shifts * Math.LN2 + Math.log(end));
  // A loss near 0 is the difference of terms near 1 in linear space (end ≈ 1 − nll): below 1e-6 it
  // keeps only float64's absolute accuracy there (a log-probability of −1e-40 gave −0 for 1e-40, seed
  // −1429741172), so the log-space reference computes it.
  if (!(Math.abs(nll) >= 1e-6)) return null;
  if (!grad) return nll;
  // Backward: b̂_t, one step at a time, and the gradient rows t < Tn as it goes.
  let beta = new Float64Array(L);
  let next = new Float64Array(L);
  beta[L - 1] = Q[(Tn - 1) * C + ext[L - 1]];
  if (L > 1) beta[L - 2] = Q[(Tn - 1) * C + ext[L - 2]];
  const posterior = new Float64Array(C);
  for (let t = Tn - 1; t >= 0; t--) {
    const here = t * L;
    const qt = t * C;
    if (t < Tn - 1) {
      // b̂_t from b̂_{t+1} (in `next`): cells s < 2(t + 1), reachable from the start.
      const stop = Math.min(L, 2 * (t + 1));
      beta.fill(0);
      for (let s = Math.max(0, L - 2 * (Tn - t)); s < stop; s++) {
        let v = next[s];
        if (s + 1 < L) v += next[s + 1];
        if (s + 2 < L && skip[s + 2]) v += next[s + 2];
        beta[s] = v * Q[qt + ext[s]];
      }
    }
    let mass = 0;
    for (let s = 0; s < L; s++) mass += beta[s];
    if (!(mass > 0 && mass < Infinity)) return null;
    const inverse = 2 ** -Math.floor(Math.log2(mass)); // exact, as in the forward pass
    // Σ_s â b̂ / q per class, and over all s.
    for (const c of classes) posterior[c] = 0;
    let total = 0;
    for (let s = 0; s < L; s++) {
      beta[s] *= inverse;
      const v = (alpha[here + s] * beta[s]) / Q[qt + ext[s]];
      posterior[ext[s]] += v;
      total += v;
    }
    // Σ â b̂ / q = P exp(m_t − Λ_t − Λ'_t) (within a factor 4 of the scales): small where the mass
    // at t lies on paths that fail later, exact down to where cells near float64's underflow
    // (1e-308, over q >= 1e-30) could matter.
    if (!(total >= 1e-250)) return null;
    const lp = row(t);
    // Classes outside l': exp(lp) − exp(−inf + nll − lp), which is NaN at lp = −inf (−inf + inf), as the reference and PyTorch.
    for (let c = 0; c < C; c++) {
      const x = LP[lp + c];
      grad[lp + c] = (x === -Infinity ? NaN : Math.exp(x)) * upstream;
    }
    for (const c of classes) grad[lp + c] = (Math.exp(LP[lp + c]) - posterior[c] / total) * upstream;
    // b̂_t becomes `next` for step t − 1; the other buffer is refilled.
    const free = next;
    next = beta;
    beta = free;
  }
  return nll;
}

/**
 * Connectionist temporal classification loss, as `torch.nn.functional.ctc_loss`: the negative log
 * of the probability of the target over all alignments of it (with blanks and repeats) to the input.
 *
 * With `l'` the target with blanks around and between its labels (length `2S + 1`), the forward
 * variables `α_t(s)` and backward variables `β_t(s)` are computed in log space with float64
 * accumulation, so sequences of thousands of steps do not underflow:
 * `α_t(s) = lp_t(l'_s) + logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if l'_s ≠ blank and l'_s ≠ l'_{s−2})`,
 * `loss = −logsumexp(α_{T−1}(2S), α_{T−1}(2S−1))`. An impossible alignment (T too short for the
 * target and its required blanks) gives `Infinity`.
 *
 * Gradient, exactly as PyTorch's autograd returns it: `∂/∂lp_t(c) = exp(lp_t(c)) − exp(log Σ_{s: l'_s = c} α_t(s) β_t(s) + loss − lp_t(c))`
 * for `t` below the sequence's input length, 0 after it. This is the gradient with respect to the
 * logits of a log-softmax (PyTorch's backward assumes `logProbs` came from one); it is not the
 * derivative with respect to free `logProbs`. An infinite loss has a NaN gradient, as in PyTorch,
 * unless `zeroInfinity` makes both 0.
 *
 * Shapes: `logProbs` `[T, N, C]` (log-probabilities, e.g. `logSoftmax` over C) or unbatched `[T, C]`;
 * `targets` padded `[N, S]` (or `[S]` unbatched) or all targets concatenated `[Σ targetLengths]`;
 * `inputLengths`, `targetLengths` `[N]` (numbers or arrays; `[]` or a number unbatched); result `[]`,
 * or `[N]` for `'none'`. `'mean'` divides each loss by its target length (at least 1), then averages.
 *
 * @example
 * ```ts
 * const logProbs = logSoftmax([[[0, 1, 2]], [[2, 1, 0]], [[0, 3, 1]]]);
 * console.log(ctcLoss(logProbs, [[1, 2]], [3], [2], { reduction: 'none' }).toString());
 * // tensor([3.4613])
 * ```
 * Differs from PyTorch: a target equal to the blank throws (PyTorch computes a meaningless value).
 */
export const ctcLoss = defineLoss(
  {
    name: 'ctcLoss',
    reference: 'torch.nn.functional.ctc_loss',
    args: [
      { name: 'logProbs', shape: '[T, N, C] or [T, C] (log-probabilities)', differentiable: true },
      { name: 'targets', shape: 'class indices [N, S], [S] or [Σ targetLengths]', differentiable: false, classIndices: true },
      { name: 'inputLengths', shape: '[N] or []', differentiable: false },
      { name: 'targetLengths', shape: '[N] or []', differentiable: false },
    ],
    options: {
      blank: { type: 'integer', default: 0, range: { min: 0 }, doc: 'index of the blank label' },
      zeroInfinity: { type: 'boolean', default: false, doc: 'replace infinite losses (impossible alignments) and their gradients by 0' },
    },
    items: 'sequences',
    plot: null,
  },
  (call: KernelCall<CtcLossOptions>) => {
    const fn = 'ctcLoss';
    const [logProbs, targets] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const zeroInfinity = booleanOption(fn, 'zeroInfinity', options.zeroInfinity, false);
    const setup = checkCtc(fn, call);
    const { N, C, batched, targetLengths } = setup;
    const reducer = new Reducer(fn, reduction, batched ? [N] : [], resultDtype([logProbs]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const LP = logProbs.data;
    const losses = new Float64Array(N);
    // Rows t >= Tn stay 0; the others are written by one of the two forms.
    const grad = wantGrad ? gradBuffer(call, 0, logProbs, true) : null;
    // The scaled linear-space form is the fast path (setBackend('ts') runs the log-space reference alone).
    const fast = getBackend() !== 'ts';

    for (let n = 0; n < N; n++) {
      const q = sequenceOf(setup, targets.data, n);
      const Sn = targetLengths[n];
      // Upstream gradient of this sequence ('mean' divides by its target length, at least 1).
      const upstream = grad ? reducer.upstream(n) / (reduction === 'mean' ? Math.max(Sn, 1) : 1) : 0;
      if (q.Tn === 0) {
        losses[n] = Sn === 0 || zeroInfinity ? 0 : Infinity;
        continue;
      }
      const scaled = fast ? ctcScaled(LP, q, C, upstream, grad) : null;
      if (scaled !== null) {
        losses[n] = scaled;
        continue;
      }
      const { alpha, nll } = alphaLog(LP, q);
      const infinite = nll === Infinity;
      losses[n] = infinite && zeroInfinity ? 0 : nll;
      if (!grad) continue;
      if (infinite && zeroInfinity) {
        for (let t = 0; t < q.Tn; t++) grad.fill(0, q.row(t), q.row(t) + C);
        continue;
      }
      gradientLog(LP, q, C, alpha, nll, upstream, grad);
    }
    // 'mean' averages the per-sequence losses divided by their target lengths.
    const items = reduction === 'mean' ? losses.map((l, n) => l / Math.max(targetLengths[n], 1)) : losses;
    return { loss: reducer.reduce(items), grads: grad ? [new Tensor(grad, logProbs.shape), null, null, null] : [] };
  },
);
