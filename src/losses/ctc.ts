import { defineLoss, gradTensor, resultDtype, type Loss4 } from '../core/loss.js';
import { booleanOption, integerOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { shapeString } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';

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
export const ctcLoss = defineLoss<CtcLossOptions>(
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
  (call) => {
    const fn = 'ctcLoss';
    const [logProbs, targets, inputLengthsT, targetLengthsT] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const zeroInfinity = booleanOption(fn, 'zeroInfinity', options.zeroInfinity, false);
    if (logProbs.shape.length !== 3 && logProbs.shape.length !== 2) {
      throw new Error(`${fn}: logProbs must be [T, N, C] or unbatched [T, C], got shape ${shapeString(logProbs.shape)}`);
    }
    const batched = logProbs.shape.length === 3;
    const [T, N, C] = batched ? logProbs.shape : [logProbs.shape[0], 1, logProbs.shape[1]];
    const blank = integerOption(fn, 'blank', options.blank, 0);
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

    const reducer = new Reducer(fn, reduction, batched ? [N] : [], resultDtype([logProbs]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const LP = logProbs.data;
    const losses = new Float64Array(N);
    const grad = wantGrad ? new Float64Array(logProbs.size) : null;

    for (let n = 0; n < N; n++) {
      const Tn = inputLengths[n];
      const Sn = targetLengths[n];
      const L = 2 * Sn + 1;
      // l': blanks around and between the labels; skip[s]: l'_s may be reached from s − 2 (a label
      // differing from the previous label; repeated labels need the blank between them).
      const ext = new Int32Array(L).fill(blank);
      const skip = new Uint8Array(L);
      for (let k = 0; k < Sn; k++) {
        ext[2 * k + 1] = targets.data[offsets[n] + k];
        skip[2 * k + 1] = k > 0 && ext[2 * k + 1] !== ext[2 * k - 1] ? 1 : 0;
      }
      const row = (t: number) => (t * N + n) * C; // offset of lp_t(·) of this sequence
      const alpha = new Float64Array(Math.max(Tn, 1) * L).fill(-Infinity);
      let nll: number;
      if (Tn === 0) {
        nll = Sn === 0 ? 0 : Infinity;
      } else {
        alpha[0] = LP[row(0) + blank];
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
        nll = -logAddExp3(alpha[last + L - 1], L > 1 ? alpha[last + L - 2] : -Infinity, -Infinity);
      }
      const infinite = nll === Infinity;
      losses[n] = infinite && zeroInfinity ? 0 : nll;
      if (!grad || Tn === 0 || (infinite && zeroInfinity)) continue;

      // Upstream gradient of this sequence ('mean' divides by its target length, at least 1).
      const upstream = reducer.upstream(n) / (reduction === 'mean' ? Math.max(Sn, 1) : 1);
      const beta = new Float64Array(Tn * L).fill(-Infinity);
      const last = (Tn - 1) * L;
      beta[last + L - 1] = LP[row(Tn - 1) + blank];
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
      // log Σ_{s: l'_s = c} α_t(s) β_t(s) per class, then PyTorch's exp(lp) − exp(lcab + nll − lp).
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
    // 'mean' averages the per-sequence losses divided by their target lengths.
    const items = reduction === 'mean' ? losses.map((l, n) => l / Math.max(targetLengths[n], 1)) : losses;
    return { loss: reducer.reduce(items), grads: grad ? [gradTensor(grad, logProbs), null, null, null] : [] };
  },
) as unknown as CtcLoss;
