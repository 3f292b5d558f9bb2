// Independent float64 formulas for the functions the issue found the TypeScript reference wrong
// on (rows of equal huge logits, −1e38 rows, +Inf logits, a NaN swallowed by CTC): softmax,
// logSoftmax, logSumExp along any dimension, cross-entropy without weights or smoothing,
// and the CTC loss's values. Written from PyTorch's
// definitions, not from losskit's code, and checked against PyTorch 2.13 (float64) on the
// special rows: a NaN anywhere in a row, or a row maximum of ±Inf, makes log_softmax and softmax
// NaN throughout (Inf − Inf); logsumexp is NaN with a NaN, +Inf with a +Inf, −Inf on a row of
// −Inf. Otherwise log_softmax = (x − m) − log Σ exp(x − m) with m the row maximum, in that
// order: (x − m) first, so equal rows of 1e17 give −log C, not x − (m + log C) = 0; and log Σ as
// log1p of the terms other than one maximum (exact where PyTorch's float64 log(Σ) rounds Σ ≈ 1).
import type { Arg, Case } from './differential.js';

export interface Result {
  value: { shape: number[]; data: Float64Array };
  grads: ({ shape: number[]; data: Float64Array } | null)[] | null;
  /** The magnitude of the terms of each value (the rule's S), where the formula knows it. */
  scales?: Float64Array;
  /**
   * The formula's own rounding, per gradient element (for the float64 comparison only): the
   * terms u·p·Σy and u·y of a probability target's gradient cancel in float64 too.
   */
  wideGradScales?: (Float64Array | null)[];
}

/** The rows along the last dimension of a tensor argument. */
function rowsOf(a: Arg): { rows: number; C: number; x: Float64Array } {
  const C = a.shape.length > 0 ? a.shape[a.shape.length - 1] : 1;
  const x = Float64Array.from(a.values);
  return { rows: C > 0 ? x.length / C : 0, C, x };
}

/**
 * The lanes along `dim` (an activation's option; default the last) as rows: row o·inner + i holds
 * the elements (o·C + k)·inner + i, k < C, of the argument — the order of the result of a reduction
 * over `dim`. `from[j]` is where element j of the rows came from.
 */
function lanesOf(a: Arg, dimOption: unknown): { rows: number; C: number; x: Float64Array; from: Int32Array } {
  const n = a.shape.length;
  const dim = typeof dimOption === 'number' ? (dimOption + n) % n : n - 1;
  const { rows, C, x } = rowsOf({ ...a, shape: n > 0 ? [...a.shape.filter((_, i) => i !== dim), a.shape[dim]] : [] });
  const inner = a.shape.slice(dim + 1).reduce((p, d) => p * d, 1);
  const from = new Int32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = Math.floor(r / inner);
    const i = r - o * inner;
    for (let k = 0; k < C; k++) from[r * C + k] = (o * C + k) * inner + i;
  }
  const lanes = Float64Array.from(from, (j) => a.values[j]);
  return { rows, C, x: n > 0 ? lanes : x, from };
}

interface RowStats {
  max: number;
  /** The first position of the maximum (−1 without a finite maximum). */
  argmax: number;
  /** Σ exp(x − max) over all but that position. */
  rest: number;
  hasNaN: boolean;
  /** log Σ exp(x − max), valid when max is finite and there is no NaN. */
  logSum: number;
}

function rowStats(x: Float64Array, base: number, C: number): RowStats {
  let max = -Infinity;
  let hasNaN = false;
  for (let c = 0; c < C; c++) {
    const v = x[base + c];
    if (Number.isNaN(v)) hasNaN = true;
    else if (v > max) max = v;
  }
  // log Σ exp(x − m) = log1p(Σ over all but one maximum): the maximum's exp(0) = 1 is not added,
  // so a confident row's log Σ ≈ 1e-16 keeps its digits (PyTorch's log(Σ) loses them in float64).
  let rest = 0;
  let first = -1;
  if (Number.isFinite(max)) {
    for (let c = 0; c < C; c++) {
      if (first < 0 && x[base + c] === max) first = c;
      else rest += Math.exp(x[base + c] - max);
    }
  }
  return { max, argmax: first, rest, hasNaN, logSum: Math.log1p(rest) };
}

/** log_softmax of one element of a row (PyTorch's order of operations). */
function logSoftmaxAt(x: Float64Array, base: number, c: number, s: RowStats): number {
  if (s.hasNaN || !Number.isFinite(s.max)) return NaN;
  return x[base + c] - s.max - s.logSum;
}

function logSumExpRow(s: RowStats): number {
  if (s.hasNaN) return NaN;
  if (!Number.isFinite(s.max)) return s.max;
  return s.max + s.logSum;
}

function activation(kind: 'softmax' | 'logSoftmax', a: Arg, dim: unknown): Result {
  const { rows, C, x, from } = lanesOf(a, dim);
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const s = rowStats(x, r * C, C);
    for (let c = 0; c < C; c++) {
      const l = logSoftmaxAt(x, r * C, c, s);
      out[from[r * C + c]] = kind === 'softmax' ? Math.exp(l) : l;
    }
  }
  return { value: { shape: [...a.shape], data: out }, grads: null };
}

function logSumExp(a: Arg, dimOption: unknown, keepdim: boolean): Result {
  const { rows, C, x } = lanesOf(a, dimOption);
  const out = new Float64Array(rows);
  const scales = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const s = rowStats(x, r * C, C);
    out[r] = logSumExpRow(s);
    // max + log Σ: the two terms may cancel (a result near 0 from max ≈ −log Σ).
    scales[r] = Math.abs(s.max) + Math.abs(s.logSum);
  }
  const n = a.shape.length;
  const dim = typeof dimOption === 'number' ? (dimOption + n) % n : n - 1;
  const shape = keepdim ? a.shape.map((d, i) => (i === dim ? 1 : d)) : a.shape.filter((_, i) => i !== dim);
  return { value: { shape, data: out }, grads: null, scales };
}

/**
 * Cross-entropy over [N, C] without weight or label smoothing (class indices none of which is
 * the ignore index, or probability rows): loss_i = −Σ_c y_ic log_softmax(x_i)_c, the gradient
 * PyTorch's autograd gives through log_softmax: ∂/∂x_ic = u_i (softmax_ic Σ_k y_ik − y_ic),
 * ∂/∂y_ic = −u_i log_softmax_ic, with u_i the upstream gradient of item i.
 */
function crossEntropy(c: Case, withGrad: boolean): Result | null {
  const o = c.options;
  if (o.weight !== undefined || (o.labelSmoothing !== undefined && o.labelSmoothing !== 0)) return null;
  const [input, target] = c.args;
  if (input.shape.length !== 2) return null;
  const { rows: N, C, x } = rowsOf(input);
  const probabilities = target.shape.length === 2;
  const t = Float64Array.from(target.values);
  if (!probabilities && o.ignoreIndex !== undefined && t.some((v) => v === o.ignoreIndex)) return null;
  const y = (i: number, k: number) => (probabilities ? t[i * C + k] : t[i] === k ? 1 : 0);
  const reduction = (o.reduction as string | undefined) ?? 'mean';
  const losses = new Float64Array(N);
  const stats: RowStats[] = [];
  for (let i = 0; i < N; i++) {
    const s = rowStats(x, i * C, C);
    stats.push(s);
    let loss = 0;
    for (let k = 0; k < C; k++) {
      // Class indices pick one log-probability (a gather: no 0 · (−Inf) for the other classes).
      if (!probabilities && k !== t[i]) continue;
      loss -= y(i, k) * logSoftmaxAt(x, i * C, k, s);
    }
    losses[i] = loss;
  }
  let value: { shape: number[]; data: Float64Array };
  if (reduction === 'none') value = { shape: [N], data: losses };
  else {
    let sum = 0;
    for (const v of losses) sum += v;
    value = { shape: [], data: Float64Array.of(reduction === 'sum' ? sum : sum / N) };
  }
  if (!withGrad) return { value, grads: null };
  const up = (i: number) => (reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[i] : 1) : reduction === 'sum' ? 1 : 1 / N);
  const gx = new Float64Array(N * C);
  const gy = probabilities ? new Float64Array(N * C) : null;
  const wide = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    const u = up(i);
    const s = stats[i];
    let total = 0;
    for (let k = 0; k < C; k++) total += y(i, k);
    if (!probabilities) total = 1;
    for (let k = 0; k < C; k++) {
      const l = logSoftmaxAt(x, i * C, k, s);
      if (!probabilities && k === t[i] && k === s.argmax && !s.hasNaN) {
        // p_t − 1 at the row's maximum: −rest / (1 + rest), without the cancellation.
        gx[i * C + k] = (-u * s.rest) / (1 + s.rest);
      } else gx[i * C + k] = u * Math.exp(l) * total - u * y(i, k);
      wide[i * C + k] = Math.abs(u) * (Math.exp(l) * Math.abs(total) + Math.abs(y(i, k)));
      if (gy) gy[i * C + k] = -u * l;
    }
  }
  return {
    value,
    grads: [{ shape: [N, C], data: gx }, gy ? { shape: [N, C], data: gy } : null],
    wideGradScales: [probabilities ? wide : null, null],
  };
}

/** log(e^a + e^b + e^c) with NaN propagating (as PyTorch's recursion does) and −Inf for no path. */
function logAddExp(values: number[]): number {
  let m = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) return NaN;
    if (v > m) m = v;
  }
  if (m === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - m);
  return m + Math.log(sum);
}

/**
 * CTC loss values (not gradients) by the forward recursion over the blank-extended target, as
 * PyTorch's: α_0 holds the first blank and the first label, every state reads its own, previous
 * and (between different labels) the one before; a NaN in a log-probability that some alignment
 * reads reaches the loss, one no alignment reads does not (checked with PyTorch 2.13: a NaN in a
 * class outside the target, or after the input length, leaves the loss finite). Input length 0:
 * 0 for an empty target, +Inf otherwise. 'mean' divides by the target length (at least 1).
 */
function ctc(c: Case): Result | null {
  const [logProbs, targets, inputLengths, targetLengths] = c.args;
  if (logProbs.shape.length !== 3 || targets.shape.length !== 2 || (c.options.blank ?? 0) !== 0) return null;
  const [, N, C] = logProbs.shape;
  const S = targets.shape[1];
  const lp = (t: number, n: number, k: number) => logProbs.values[(t * N + n) * C + k];
  const losses = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const T = inputLengths.values[n];
    const L = targetLengths.values[n];
    const ext = [0];
    for (let k = 0; k < L; k++) ext.push(targets.values[n * S + k], 0);
    losses[n] = T === 0 ? (L === 0 ? 0 : Infinity) : ctcSequence(ext, T, (t, k) => lp(t, n, k));
    if (c.options.zeroInfinity === true && losses[n] === Infinity) losses[n] = 0;
  }
  const reduction = (c.options.reduction as string | undefined) ?? 'mean';
  if (reduction === 'none') return { value: { shape: [N], data: losses }, grads: null };
  let sum = 0;
  for (let n = 0; n < N; n++) sum += reduction === 'mean' ? losses[n] / Math.max(targetLengths.values[n], 1) : losses[n];
  return { value: { shape: [], data: Float64Array.of(reduction === 'mean' ? sum / N : sum) }, grads: null };
}

/** −log of the probability of one blank-extended target over T steps. */
function ctcSequence(ext: number[], T: number, lp: (t: number, k: number) => number): number {
  let alpha = ext.map((label, s) => (s < 2 ? lp(0, label) : -Infinity));
  for (let t = 1; t < T; t++) {
    alpha = ext.map((label, s) => {
      const from = [alpha[s]];
      if (s >= 1) from.push(alpha[s - 1]);
      if (s >= 2 && label !== 0 && label !== ext[s - 2]) from.push(alpha[s - 2]);
      return lp(t, label) + logAddExp(from);
    });
  }
  const last = ext.length - 1;
  return -logAddExp(last >= 1 ? [alpha[last], alpha[last - 1]] : [alpha[last]]);
}

/** The independent reference of a target by name, or null where there is none for this case. */
export function independent(name: string, c: Case, withGrad: boolean): Result | null {
  switch (name) {
    case 'softmax':
      return activation('softmax', c.args[0], c.options.dim);
    case 'logSoftmax':
      return activation('logSoftmax', c.args[0], c.options.dim);
    case 'logSumExp':
      return logSumExp(c.args[0], c.options.dim, c.options.keepdim === true);
    case 'crossEntropy (class indices)':
    case 'crossEntropy (probabilities)':
      return crossEntropy(c, withGrad);
    case 'ctcLoss':
      return ctc(c);
    default:
      return null;
  }
}
