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

/** Largest element of a strided lane (NaN if any element is NaN, as torch.max). */
export function laneMax(data: ArrayLike<number>, offset: number, stride: number, length: number): number {
  let max = -Infinity;
  for (let k = 0; k < length; k++) {
    const v = data[offset + k * stride];
    if (v > max || Number.isNaN(v)) max = v;
    if (Number.isNaN(v)) break;
  }
  return max;
}

/**
 * log(sum(exp(x))) of a strided lane: m + log(sum(exp(x - m))) with m = max(x), so the largest
 * term is exp(0) = 1 and nothing overflows. An infinite m is replaced by 0 (as torch.logsumexp),
 * which gives -inf for an all -inf lane and +inf when any element is +inf.
 */
export function laneLogSumExp(data: ArrayLike<number>, offset: number, stride: number, length: number): number {
  let m = laneMax(data, offset, stride, length);
  if (m === Infinity || m === -Infinity) m = 0;
  let sum = 0;
  for (let k = 0; k < length; k++) sum += Math.exp(data[offset + k * stride] - m);
  return m + Math.log(sum);
}
