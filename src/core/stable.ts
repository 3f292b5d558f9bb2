// Numerically stable scalar primitives. Every formula here is finite wherever its result is.

/**
 * log(1 + exp(x)) without overflow: for x > 0, log(1 + e^x) = x + log(1 + e^-x), so only
 * exp of a non-positive number is ever taken: max(x, 0) + log1p(exp(-|x|)).
 */
export function log1pExp(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log(sigmoid(x)) = -log(1 + exp(-x)) = min(x, 0) - log1p(exp(-|x|)). */
export function logSigmoidScalar(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

/** sigmoid(x) = 1 / (1 + e^-x), written as e^x / (1 + e^x) for x < 0 so that exp never overflows. */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * (1 − y) x − (1 + (pw − 1) y) log σ(x), PyTorch's formula, which cancels: at y = 0 and x = −12 it
 * subtracts two numbers near −12 to get 6e-6. With −log σ(x) = max(−x, 0) + log1p(e^−|x|):
 *   x >= 0: (1 − y) x + ((1 − y) + pw y) log1p(e^−|x|),
 *   x < 0:  −pw y x  + ((1 − y) + pw y) log1p(e^−|x|),
 * sums of non-negative terms for y in [0, 1] and pw >= 0. At x = ±inf PyTorch's form is kept, so
 * the NaN it returns there (0 · inf or inf − inf: always at −inf, at +inf for y = 1) is returned too.
 */
export function bceWithLogitsScalar(x: number, y: number, posWeight: number, logSig: number): number {
  if (!Number.isFinite(x)) return (1 - y) * x - (1 + (posWeight - 1) * y) * logSig;
  const linear = x >= 0 ? (1 - y) * x : -posWeight * y * x;
  return linear + (1 - y + posWeight * y) * Math.log1p(Math.exp(-Math.abs(x)));
}

/** Largest element of a strided lane (NaN if any element is NaN, as torch.max). */
function laneMax(data: ArrayLike<number>, offset: number, stride: number, length: number): number {
  let max = -Infinity;
  for (let k = 0; k < length; k++) {
    const v = data[offset + k * stride];
    if (v > max || Number.isNaN(v)) max = v;
    if (Number.isNaN(v)) break;
  }
  return max;
}

/** What a softmax over one lane needs: see {@link laneSoftmax}. */
export interface LaneSoftmax {
  /** The lane's maximum (NaN if any element is NaN; ±inf as they come). */
  max: number;
  /** Σ exp(x_k − max) over the elements below the maximum (exactly 0 when the maximum is unique and dominates). */
  others: number;
  /** How many elements equal the maximum (each contributes exp(0) = 1 to the sum). */
  ties: number;
  /** log Σ_k exp(x_k − max) = log1p(ties − 1 + others), accurate when the sum is close to 1. */
  logSum: number;
}

/**
 * The stable softmax of a strided lane, in the form every caller uses:
 *
 *   log p_c = x_c − logSumExp(x) = (x_c − m) − log Σ_k exp(x_k − m),   m = max(x).
 *
 * - x_c − m is taken first: it is exactly 0 for the maximum, so log Σ (in [0, log C]) is never
 *   absorbed into a huge m (1e17 + ln 2 rounds to 1e17; log p = x − (m + log Σ) would be 0).
 * - Every exp(x_k − m) is ≤ 1: no overflow at any magnitude. x_k − m itself can only overflow to
 *   −inf (float64 inputs of opposite signs near 1.8e308), whose exp is the right limit, 0.
 * - Σ = ties + others, with the exp(0) = 1 terms of the maxima counted apart: when one logit
 *   dominates, Σ = 1 + others and log Σ = log1p(others) keeps the digits that 1 + others loses,
 *   and 1 − p_max = others / Σ has no cancellation.
 * - A non-finite m gives NaN everywhere, as PyTorch's log_softmax: +inf − +inf is NaN at the
 *   infinite logit and poisons Σ; an all −inf lane has x − m = NaN everywhere; a NaN anywhere
 *   makes m NaN.
 *
 * `exps`, where given, receives each exp(x_k − m) (1 at the maxima): a caller that needs the
 * probabilities divides them by Σ instead of taking every exp a second time.
 */
export function laneSoftmax(data: ArrayLike<number>, offset: number, stride: number, length: number, exps?: Float64Array): LaneSoftmax {
  const max = laneMax(data, offset, stride, length);
  let others = 0;
  let ties = 0;
  for (let k = 0; k < length; k++) {
    const d = data[offset + k * stride] - max;
    if (d === 0) {
      ties++;
      if (exps) exps[k] = 1;
    } else {
      const e = Math.exp(d);
      others += e;
      if (exps) exps[k] = e;
    }
  }
  return { max, others, ties, logSum: Math.log1p(ties - 1 + others) };
}

/**
 * log(sum(exp(x))) of a strided lane, as torch.logsumexp: m + log Σ exp(x − m) with m = max(x), so
 * the largest term is exp(0) = 1 and nothing overflows. An infinite m (and no NaN) is the result
 * itself: −inf for an all −inf lane, +inf when any element is +inf. NaN anywhere gives NaN.
 */
export function laneLogSumExp(data: ArrayLike<number>, offset: number, stride: number, length: number): number {
  const s = laneSoftmax(data, offset, stride, length);
  if (s.max === Infinity || s.max === -Infinity) {
    for (let k = 0; k < length; k++) if (Number.isNaN(data[offset + k * stride])) return NaN;
    return s.max;
  }
  return s.max + s.logSum;
}
