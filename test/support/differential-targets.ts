// What the differential suite covers: every loss and activation of src/index.ts with a recipe of
// valid arguments (shapes, value domains) and every option it takes, extreme values included.
// Kept beside test/support/all-losses.ts (the property tests' list), which checks that both lists
// name the same losses.
import fc from 'fast-check';
import * as L from '../../src/index.js';
import { EPSILON } from './close.js';
import { isArg, type Case, type Runnable, type Target } from './differential.js';
import {
  BINARY, classes, defined, dims, LOG_PROB, NONNEG, optional, POS_WEIGHT, PROB, REAL, reduction, SIGNS, SOFT, WEIGHT, want,
  fixed, type Recipe,
} from './differential-values.js';

export interface DiffTarget extends Target {
  /** Small cases (forced 'wasm'), from the shape of a batch. */
  recipe: (d: { N: number; C: number }) => fc.Arbitrary<Recipe>;
  /** Shapes of large cases (≥ WASM_THRESHOLD elements, under 'auto'): losses and activations with a kernel. */
  large?: { N: number; C: number }[];
}

const fnOf = (f: unknown) => f as Target['fn'];

/**
 * linearCrossEntropy's gradients are products `G W` (input) and `Gᵀ X` (weight) of the logits'
 * gradient G, summed in float32 on the kernels (as PyTorch's float32 matmul): their terms'
 * magnitude is `Σ_j |G_nj| |W_jh|` and `Σ_n |G_nj| |X_nh|` (G from the float64 logits here), however
 * much the sum cancels (a weight of 1e38 makes G's entries ~1e38 whose sum is ~1e21).
 */
/**
 * linearCrossEntropy's class weights: WEIGHT without its extremes 1e-40 and 1e38. With those, the
 * input's gradient is Σ_v g_v w_vh over logits' gradients of ~1e79 that cancel: float64's answer is
 * its rounding noise (1.3e64 where the terms are 1e79, seed 648190282), which float32 rounds to ±inf
 * or to 0 depending on the order of the sums, so no float32 result can be held to it. crossEntropy's
 * own target keeps the extremes (no product follows there).
 */
const LINEAR_CE_WEIGHT = { ...WEIGHT, name: 'linearCrossEntropy weight', specials: WEIGHT.specials.filter((w) => w === 0 || (w >= 2 ** -60 && w <= 2 ** 60)) };

function linearScale(c: Case, k: number): Float64Array | null {
  if (k > 1) return null;
  const [x, w, t] = c.args;
  const [N, H] = [x.shape[0], x.shape[1]];
  const V = w.shape[0];
  const logits = new Float64Array(N * V);
  for (let n = 0; n < N; n++) for (let j = 0; j < V; j++) for (let h = 0; h < H; h++) logits[n * V + j] += x.values[n * H + h] * w.values[j * H + h];
  const { weight, chunkSize: _, ...rest } = c.options;
  const options = { ...rest, ...(isArg(weight) ? { weight: L.tensor(Float64Array.from(weight.values)) } : {}), ...(c.gradOutput ? { gradOutput: L.tensor(Float64Array.from(c.gradOutput.values), { shape: [...c.gradOutput.shape] }) } : {}) };
  const grad = L.crossEntropy.withGrad(L.tensor(logits, { shape: [N, V] }), L.tensor(Int32Array.from(t.values)), options).grad.data;
  // The logits' gradient entries as crossEntropy's own target bounds them: with label smoothing a
  // difference p·A − a of nearly equal terms (weights of 1e4 left 2.2e-4 from terms of 5e3, seed
  // 1829088406), kept to float32's absolute accuracy of those terms, not relatively.
  const logitCase = { ...c, args: [{ ...x, values: logits, shape: [N, V] }, t], options: { ...c.options, chunkSize: undefined } } as Case;
  const g = crossEntropyScale(logitCase, 0, Float64Array.from(grad, Math.abs));
  const out = new Float64Array(k === 0 ? N * H : V * H);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < V; j++) {
      for (let h = 0; h < H; h++) {
        if (k === 0) out[n * H + h] += Math.abs(g[n * V + j] * w.values[j * H + h]);
        else out[j * H + h] += Math.abs(g[n * V + j] * x.values[n * H + h]);
      }
    }
  }
  return out;
}

/** Hidden states and projection weights (linearCrossEntropy): moderate values, zeros and subnormals. */
const HIDDEN = { name: 'hidden', ordinary: (u: number) => Math.fround(4 * u - 2), specials: [0, -0, 1, -1, 1e-40, 4, -4].map(Math.fround) };
// Forward only: a wrapper without an activation's withGrad (logLoss, whose gradient is tested by its own file).
const activation = (f: unknown) => Object.defineProperty((...args: unknown[]) => (f as Runnable)(...args), 'name', { value: (f as Runnable).name }) as Runnable;

/** An activation with its withGrad, its `value` read as the suite reads a loss (`{ loss, grads }`). */
function activationWithGrad(f: unknown): Target['fn'] {
  const a = f as Runnable & { withGrad: (...args: unknown[]) => L.ActivationWithGrad };
  const withGrad = (...args: unknown[]) => {
    const r = a.withGrad(...args);
    return { loss: r.value, grads: r.grads };
  };
  return Object.assign(activation(a), { withGrad });
}

/** The case's input as a float64 tensor, and its gradOutput's values (ones when absent). */
function activationInput(c: Case): { x: L.Tensor; g: (i: number) => number } {
  const [x] = c.args;
  const g = c.gradOutput?.values;
  return { x: L.tensor(Float64Array.from(x.values), { shape: [...x.shape] }), g: (i) => (g ? g[i] : 1) };
}

/**
 * softmax's and logSoftmax's gradients are differences of terms by construction — y_i (g_i − Σ g y)
 * and g_i − p_i Σ g — which a path keeps only to the absolute accuracy of the terms, y_i (|g_i| +
 * L Σ |g_j| y_j) and |g_i| + p_i L Σ |g_j|: the lane's sum of L terms is exact to L ε of Σ |terms|
 * in any order of summation (the kernels add blocks, the reference adds in order), and its
 * rounding is not cancelled where g − Σ g y is small (PyTorch's float32 backward rounds alike: a
 * confident lane's 1 − y_max from a rounded y_max).
 */
function softmaxGradScale(log: boolean) {
  return (c: Case): Float64Array => {
    const { x, g } = activationInput(c);
    const dim = (c.options.dim as number | undefined) ?? -1;
    const p = L.softmax(x, { dim }).data;
    const d = dim < 0 ? x.shape.length + dim : dim;
    const outer = x.shape.slice(0, d).reduce((a, b) => a * b, 1);
    const length = x.shape[d];
    const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const out = new Float64Array(x.size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let s = 0;
        for (let k = 0; k < length; k++) {
          const e = (o * length + k) * inner + i;
          s += Math.abs(g(e)) * (log ? 1 : p[e]);
        }
        for (let k = 0; k < length; k++) {
          const e = (o * length + k) * inner + i;
          out[e] = log ? Math.abs(g(e)) + p[e] * length * s : p[e] * (Math.abs(g(e)) + length * s);
        }
      }
    }
    return out;
  };
}

/** softmax and logSoftmax along every dim of [N, C] and of [N, 2, C] (dim 1: outer and inner both > 1). */
const alongDimRecipe = ({ N, C }: { N: number; C: number }) =>
  fc.record({ dim: optional(fc.constantFrom(-1, 0, 1)), wide: fc.boolean() }).map(({ dim, wide }) => {
    const shape = wide ? [N, 2, C] : [N, C];
    return { args: [want(REAL, shape)], options: defined({ dim }), itemShape: null, gradOutputShape: shape };
  });

/** Large shapes: 4-lane tails of every length, rows of 4 (many short rows) and long rows. */
const LARGE = [{ N: 4097, C: 4 }, { N: 512, C: 33 }, { N: 16, C: 1027 }];

/**
 * The embedding losses (cosineEmbeddingLoss, the triplet losses with p = 2 or the cosine distance)
 * on the row kernels: their gradients are differences of terms by construction — the cosine
 * similarity's `∂cos/∂x = y / (m_x m_y) − cos · x / m_x²` (all of it cancels where x ∥ y), a
 * triplet row's `(a − p + eps) / d(a, p) − (a − n + eps) / d(a, n)` — and their items differences
 * of distances (`margin + d(a, p) − d(a, n)`, `1 − cos`). The kernels' float32 path rounds each
 * term once or twice in float32 (as PyTorch's float32 arithmetic) and every path sums in its own
 * order, so both are held to those terms' magnitude: per element of an argument, |u| times
 * `|y_i| / (m_x m_y) + |x_i| / m_x²` for each cosine pair (x, y) the argument is in, or
 * `|x_i − y_i + eps| / d` for each pairwise one; per item, |margin| plus the row's distances (1 + |cos| for
 * cosineEmbeddingLoss). u is the row's upstream (gradOutput, or 1/N for 'mean').
 */
function embeddingTerms(c: Case): { grads: Float64Array[]; items: Float64Array } | null {
  const cosineEmbedding = c.args.length === 2 || c.args[2].shape.length < c.args[0].shape.length;
  const distance = c.options.distance ?? 'pairwise';
  if (!cosineEmbedding && (c.options.p ?? 2) !== 2) return null;
  const rows = c.args.slice(0, cosineEmbedding ? 2 : 3).map((a) => a.values);
  const D = c.args[0].shape[c.args[0].shape.length - 1] ?? 1;
  const N = D === 0 ? 0 : rows[0].length / D;
  const eps = typeof c.options.eps === 'number' ? c.options.eps : 1e-6;
  const cosine = cosineEmbedding || distance === 'cosine';
  const reduction = c.options.reduction ?? 'mean';
  // The argument pairs whose distance (or similarity) the loss takes.
  const pairs: [number, number][] = cosineEmbedding ? [[0, 1]] : c.options.swap ? [[0, 1], [0, 2], [1, 2]] : [[0, 1], [0, 2]];
  const grads = rows.map(() => new Float64Array(N * D));
  const items = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const u = Math.abs(reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[n] : 1) : reduction === 'sum' ? 1 : 1 / N);
    const row = (k: number) => Array.from(rows[k].slice(n * D, (n + 1) * D));
    items[n] = Math.abs(Number(c.options.margin ?? 1));
    for (const [kx, ky] of pairs) {
      const [x, y] = [row(kx), row(ky)];
      if (cosine) {
        const norm = (v: number[]) => (cosineEmbedding ? Math.sqrt(v.reduce((s, e) => s + e * e, 0) + 1e-12) : Math.max(Math.hypot(...v), 1e-8));
        const [mx, my] = [norm(x), norm(y)];
        items[n] += 1 + (cosineEmbedding ? 0 : 1);
        for (let i = 0; i < D; i++) {
          grads[kx][n * D + i] += u * (Math.abs(y[i]) / (mx * my) + Math.abs(x[i]) / (mx * mx));
          grads[ky][n * D + i] += u * (Math.abs(x[i]) / (mx * my) + Math.abs(y[i]) / (my * my));
        }
      } else {
        const v = x.map((e, i) => e - y[i] + eps);
        const d = Math.hypot(...v);
        items[n] += d;
        if (d === 0) continue;
        for (let i = 0; i < D; i++) {
          grads[kx][n * D + i] += (u * Math.abs(v[i])) / d;
          grads[ky][n * D + i] += (u * Math.abs(v[i])) / d;
        }
      }
    }
  }
  return { grads, items };
}
const embeddingGradScale = (c: Case, k: number): Float64Array | null => embeddingTerms(c)?.grads[k] ?? null;
/**
 * The float64 kernel's rule (wideGradScale): every term divides by a norm whose square is a sum of
 * the row's D products, added in order along two lanes (exact to D ε of itself) where the
 * reference takes Math.hypot, so the terms are held to D times their size (a triplet row of 1027
 * entries of 1e17, swap on, left 1.3e-16 of terms of 0.062 there, 9.5 ε64 of them, seed 251412995).
 */
const embeddingGradScale64 = (c: Case, k: number): Float64Array | null => {
  const terms = embeddingGradScale(c, k);
  const D = c.args[0].shape[c.args[0].shape.length - 1] ?? 1;
  return terms && terms.map((v) => v * D);
};
const embeddingValueScale = (c: Case): Float64Array | null => embeddingTerms(c)?.items ?? null;

/**
 * cosineSimilarityLoss is the same difference of terms: its item `−Σ x_i y_i ix iy` sums terms of
 * either sign (the float32 row kernels add them in float32, as Keras's float32 arithmetic does),
 * held to `Σ |x_i y_i| ix iy`; its gradient `−y ix iy − cos x ix²`, all of it cancelling where
 * x ∥ y, to `|u| (|y_i| ix iy + |x_i| ix²)` per element (and symmetrically for the target), with
 * `ix = min(1 / ‖x‖, 1e7)` (Keras's clamp) and u the lane's upstream, along the case's axis of its
 * [N, C] arguments.
 */
function cosineSimilarityTerms(c: Case): { grads: Float64Array[]; items: Float64Array } {
  const [N, C] = c.args[0].shape;
  const axis = c.options.axis === 0 ? 0 : 1;
  const [lanes, length, stride] = axis === 1 ? [N, C, 1] : [C, N, C];
  const [x, y] = [c.args[0].values, c.args[1].values];
  const reduction = c.options.reduction ?? 'mean';
  const grads = [new Float64Array(N * C), new Float64Array(N * C)];
  const items = new Float64Array(lanes);
  for (let lane = 0; lane < lanes; lane++) {
    const start = axis === 1 ? lane * C : lane;
    const u = Math.abs(reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[lane] : 1) : reduction === 'sum' ? 1 : 1 / lanes);
    let [sx, sy, sxy] = [0, 0, 0];
    for (let i = 0, p = start; i < length; i++, p += stride) [sx, sy, sxy] = [sx + x[p] * x[p], sy + y[p] * y[p], sxy + Math.abs(x[p] * y[p])];
    const [ix, iy] = [Math.min(1 / Math.sqrt(sx), 1e7), Math.min(1 / Math.sqrt(sy), 1e7)];
    items[lane] = sxy * ix * iy;
    for (let i = 0, p = start; i < length; i++, p += stride) {
      grads[0][p] = u * (Math.abs(y[p]) * ix * iy + Math.abs(x[p]) * ix * ix);
      grads[1][p] = u * (Math.abs(x[p]) * ix * iy + Math.abs(y[p]) * iy * iy);
    }
  }
  return { grads, items };
}

// Scalars of the options, extremes included: a beta or delta of 1e39 is past float32's range.
const SCALE_OPTION = fc.constantFrom(1, 0.5, 1e-3, 2, 1e4, 1e17, 1e39, 1e-40);
const none = (r: Recipe): fc.Arbitrary<Recipe> => fc.constant(r);

/** Options of an elementwise loss: reduction, and an 'exact' weight (the input's shape) when it takes one. */
const exactWeight = (shape: number[]) => optional(fc.constant(want(WEIGHT, shape)));

/** A broadcast weight: the input's shape, its last dimension, or a single element. */
const broadcastWeight = (N: number, C: number, domain = WEIGHT) =>
  optional(fc.constantFrom(want(domain, [N, C]), want(domain, [C]), want(domain, [1]), want(domain, [1, C])));

/**
 * Class-index targets with the ignore index: absent (−100), a class of the batch (so some rows
 * are ignored), or far outside int32 (2^32 + 1, which must not wrap to class 1).
 */
const ignoreIndex = (C: number) => optional(fc.constantFrom(0, C - 1, 1, -1, 2 ** 32 + 1, -100));

/**
 * Cross-entropy gradients are `p·A − a` (and `−(1 − ε) w log p` for soft targets): the README
 * states their accuracy relative to the row's largest entry (a difference of nearly equal terms
 * under smoothing or soft targets keeps that absolute accuracy). S = max |reference| over the row.
 */
function rowMax(c: Case, _k: number, ref: Float64Array): Float64Array {
  const C = c.args[0].shape[c.args[0].shape.length - 1] ?? 1;
  const out = new Float64Array(ref.length);
  // The float64 reference's own rounding of p·A − a: about ε64 · |u| · A, A ≤ max(1, Σ|w|) (an
  // exact 0, as 0.2·0.1 − 0.02 under smoothing, comes out as 3.5e-18 in float64), expressed in
  // units of the float32 floor.
  const weight = c.options.weight;
  let W = 1;
  if (isArg(weight)) for (const v of weight.values) if (Number.isFinite(v)) W += Math.abs(v);
  const rows = ref.length / C;
  const reduction = c.options.reduction ?? 'mean';
  for (let r = 0; r < rows; r++) {
    const u = reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[r] : 1) : 1;
    let m = 4 * (EPSILON.float64 / EPSILON.float32) * Math.abs(u) * W;
    for (let i = r * C; i < r * C + C; i++) if (Number.isFinite(ref[i])) m = Math.max(m, Math.abs(ref[i]));
    out.fill(m, r * C, r * C + C);
  }
  return out;
}

/**
 * With label smoothing or probability targets, an entry `p_c·A − a_c` may be a difference of
 * nearly equal terms anywhere in the row (a soft target of 1e-14 beside a smoothing share of 0.02):
 * the README states that such an entry keeps the absolute accuracy of its terms, so S also holds
 * |u|·(p_c·A + |a_c|) there (computed here in float64 from the arguments). Without smoothing
 * and with class indices the row's largest entry rules (the confident row stays strict).
 * `summed` multiplies p_c·A by the row's length C, for the float64 kernel (wideGradScale): its
 * Σ exp and A are sums of C non-negative terms added in order along two lanes, each exact to
 * C ε of itself, and p_c·A = e_c·A/Σ carries both (a row of 1027 soft targets with smoothing
 * 0.5 left 9.1e-15 of terms near 0.43 there, 95 ε64 of them, seed -640070354).
 */
function crossEntropyScale(c: Case, k: number, ref: Float64Array, summed = false): Float64Array {
  const out = rowMax(c, k, ref);
  const smoothing = (c.options.labelSmoothing as number | undefined) ?? 0;
  const [input, target] = c.args;
  const probabilities = target.shape.length === input.shape.length;
  if (k !== 0 || (smoothing === 0 && !probabilities)) return out;
  const C = input.shape[input.shape.length - 1];
  const rows = ref.length / C;
  const weight = c.options.weight;
  const w = (j: number) => (isArg(weight) ? weight.values[j] : 1);
  const ignore = c.options.ignoreIndex ?? -100;
  const reduction = c.options.reduction ?? 'mean';
  let denominator = rows;
  if (!probabilities) {
    denominator = 0;
    for (let r = 0; r < rows; r++) if (target.values[r] !== ignore) denominator += w(target.values[r]);
  }
  for (let r = 0; r < rows; r++) {
    if (!probabilities && target.values[r] === ignore) continue;
    const u = reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[r] : 1) : reduction === 'sum' ? 1 : 1 / denominator;
    const x = Array.from({ length: C }, (_, j) => input.values[r * C + j]);
    const m = Math.max(...x);
    const e = x.map((v) => Math.exp(v - m));
    const total = e.reduce((a, v) => a + v, 0);
    const a = x.map((_, j) => (probabilities ? w(j) * ((1 - smoothing) * target.values[r * C + j] + smoothing / C) : (j === target.values[r] ? (1 - smoothing) * w(j) : 0) + (smoothing / C) * w(j)));
    const A = a.reduce((s, v) => s + v, 0);
    for (let j = 0; j < C; j++) {
      const terms = Math.abs(u) * ((e[j] / total) * Math.abs(A) * (summed ? C : 1) + Math.abs(a[j]));
      if (Number.isFinite(terms)) out[r * C + j] = Math.max(out[r * C + j], terms);
    }
  }
  return out;
}

/** crossEntropyScale for the float64 kernel's rule (see `summed` there). */
const crossEntropyScale64 = (c: Case, k: number, ref: Float64Array): Float64Array => crossEntropyScale(c, k, ref, true);

/**
 * A K-dimensional case [N, C, S] (classes strided by S) seen as rows: the input [N·S, C], the
 * targets and gradOutput [N·S] (already in item order), so that a row-based gradScale applies.
 */
function asRows(c: Case): { rows: Case; N: number; C: number; S: number } {
  const [input, target, ...rest] = c.args;
  const [N, C, ...inner] = input.shape;
  const S = inner.reduce((a, d) => a * d, 1);
  const permute = (v: readonly number[] | Float64Array) => {
    const out = new Float64Array(v.length);
    for (let n = 0; n < N; n++) for (let k = 0; k < C; k++) for (let s = 0; s < S; s++) out[(n * S + s) * C + k] = v[(n * C + k) * S + s];
    return out;
  };
  const probabilities = target.shape.length === input.shape.length;
  const rowTarget = probabilities ? { ...target, shape: [N * S, C], values: permute(target.values) } : { ...target, shape: [N * S] };
  return { rows: { ...c, args: [{ ...input, shape: [N * S, C], values: permute(input.values) }, rowTarget, ...rest] }, N, C, S };
}

/** A row-based gradScale applied to a K-dimensional case (its result laid back out as [N, C, S]). */
const spatialScale = (scale: NonNullable<Target['gradScale']>) => (c: Case, k: number, ref: Float64Array): Float64Array | null => {
  const { rows, N, C, S } = asRows(c);
  const at = (n: number, j: number, s: number) => (n * C + j) * S + s;
  const refRows = new Float64Array(ref.length);
  for (let n = 0; n < N; n++) for (let j = 0; j < C; j++) for (let s = 0; s < S; s++) refRows[(n * S + s) * C + j] = ref[at(n, j, s)];
  const out = scale(rows, k, refRows);
  if (!out) return null;
  const back = new Float64Array(out.length);
  for (let n = 0; n < N; n++) for (let j = 0; j < C; j++) for (let s = 0; s < S; s++) back[at(n, j, s)] = out[(n * S + s) * C + j];
  return back;
};

/**
 * The K-dimensional shape of a case: [N, C, S] with S from 1 to 6 (small), or [2, C, N/2] for the
 * large shapes (N·C elements, so that the suite's size check holds), and sometimes [N, C, S, 2].
 */
const spatialShape = ({ N, C }: { N: number; C: number }): fc.Arbitrary<number[]> =>
  N * C >= L.WASM_THRESHOLD ? fc.constantFrom([2, C, N / 2], [2, C, N / 4, 2]) : fc.tuple(fc.integer({ min: 1, max: 6 }), fc.boolean()).map(([S, two]) => (two ? [N, C, S, 2] : [N, C, S]));

/** Large K-dimensional shapes: many short columns (C = 4), segmentation-like (21 classes), long class columns. */
const LARGE_SPATIAL = [{ N: 4100, C: 4 }, { N: 784, C: 21 }, { N: 68, C: 257 }];

/**
 * CTC gradients are `u (exp(lp) − posterior)`, a difference of terms of order exp(lp) (the
 * posterior of a likely class is close to its probability), the posterior itself computed as
 * exp(lcab + nll − lp) by the log-space reference: an exponent summed from up to 2 T of the
 * sequence's log-probabilities, whose rounding is relative to their magnitude B (Σ_t of the
 * largest |lp_t| of the sequence). So S = |u| exp(lp) + |u| posterior (1 + 2 B + |lp|), u the
 * upstream of the element's sequence.
 */
function ctcScale(c: Case, k: number, ref: Float64Array): Float64Array | null {
  if (k !== 0) return null;
  const [lp, , inputLengths, targetLengths] = c.args;
  const [T, N, C] = lp.shape.length === 3 ? lp.shape : [lp.shape[0], 1, lp.shape[1]];
  const reduction = c.options.reduction ?? 'mean';
  const magnitude = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < Math.min(T, inputLengths.values[n]); t++) {
      let m = 0;
      for (let j = 0; j < C; j++) {
        const v = Math.abs(lp.values[(t * N + n) * C + j]);
        if (Number.isFinite(v)) m = Math.max(m, v);
      }
      magnitude[n] += m;
    }
  }
  const out = new Float64Array(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const n = Math.floor(i / C) % N;
    const u = reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[n] : 1) : reduction === 'sum' ? 1 : 1 / (N * Math.max(1, targetLengths.values[n]));
    const x = lp.values[i];
    const p = Math.abs(u) * Math.exp(x);
    const posterior = Math.abs(Math.sign(u) * p - ref[i]);
    const s = p + posterior * (1 + 2 * magnitude[n] + Math.abs(x));
    out[i] = Number.isFinite(s) ? s : 0;
  }
  return out;
}

/** A tensor option's value at element i of the input (trailing-dimension broadcasting), or 1. */
function optionAt(c: Case, name: string, i: number): number {
  const v = c.options[name];
  if (!isArg(v) || v.values.length === 0) return 1;
  return v.values[i % v.values.length];
}

/**
 * Elementwise gradients are `u·w·g(x, y)` with g a difference of terms of order 1 (σ(x) − y,
 * sign(x − t), ...): the README states their accuracy as relative above 1 and absolute below, so
 * S = |u·w|·max(1, |posWeight|) (times 1 + |x| for a target gradient, whose terms are
 * log σ(±x)), u the upstream of the element (gradOutput, or 1/count or 1/Σw for 'mean').
 */
function upstreamTimesWeight(c: Case, k: number, ref: Float64Array): Float64Array {
  const n = ref.length;
  const reduction = c.options.reduction ?? 'mean';
  const out = new Float64Array(n);
  // A weighted mean may divide by Σ w (l1Loss, mseLoss) rather than the count: the larger of the two upstreams.
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += Math.abs(optionAt(c, 'weight', i));
  const mean = Math.max(1 / n, weightSum > 0 && isArg(c.options.weight) ? 1 / weightSum : 0);
  for (let i = 0; i < n; i++) {
    const u = reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[i] : 1) : reduction === 'sum' ? 1 : reduction === 'batchmean' ? 1 / (c.args[0].shape[0] ?? 1) : mean;
    const terms = k === 0 ? 1 : 1 + Math.abs(c.args[0].values[i]);
    out[i] = Math.abs(u * optionAt(c, 'weight', i)) * Math.max(1, Math.abs(optionAt(c, 'posWeight', i))) * terms;
  }
  return out;
}

/**
 * Poisson NLL's input gradient is u·(exp(x) − y) (logInput) or u·(1 − y / (x + eps)): a difference
 * of terms of size exp(x) + y (or y / (x + eps)), whose float32 rounding the kernels keep absolutely,
 * not relatively, near exp(x) ≈ y (a gradient of 9.76e-5 from terms near 8: seed 198365187). Its
 * target gradient's terms are x and, with `full`, log y.
 */
/** Poisson NLL's item terms: exp(x) and y·x (logInput), else x and y·log(x + eps); `full` adds Stirling's y log y − y. */
function poissonItemTerms(c: Case): Float64Array {
  const [x, y] = [c.args[0].values, c.args[1].values];
  const logInput = c.options.logInput !== false;
  const eps = typeof c.options.eps === 'number' ? c.options.eps : 1e-8;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const t = logInput ? Math.exp(x[i]) + Math.abs(y[i] * x[i]) : Math.abs(x[i]) + Math.abs(y[i] * Math.log(x[i] + eps));
    const stirling = c.options.full === true && y[i] > 1 ? Math.abs(y[i] * Math.log(y[i])) + y[i] : 0;
    out[i] = Number.isFinite(t + stirling) ? t + stirling : 0;
  }
  return out;
}

function poissonScale(c: Case, k: number, ref: Float64Array): Float64Array {
  const out = upstreamTimesWeight(c, 0, ref);
  const [x, y] = [c.args[0].values, c.args[1].values];
  const logInput = c.options.logInput !== false;
  const eps = typeof c.options.eps === 'number' ? c.options.eps : 1e-8;
  for (let i = 0; i < out.length; i++) {
    const logY = y[i] > 0 ? Math.abs(Math.log(y[i])) : 0;
    const terms = k === 0 ? (logInput ? Math.exp(x[i]) + y[i] : 1 + y[i] / (x[i] + eps)) : 1 + Math.abs(x[i]) + logY;
    out[i] *= Math.max(1, Math.abs(terms));
  }
  return out;
}

/**
 * Gaussian NLL's gradient with respect to a broadcast variance sums, per variance entry, the
 * terms u·(1/v − d²/v²)/2 of its elements: a sum that cancels, kept to float32's accuracy of
 * Σ|terms| (a gradient of 1.96e-3 from 33 terms, seed -1054400265 of a soak).
 */
function gaussianVarScale(c: Case, k: number, ref: Float64Array): Float64Array | null {
  if (k !== 2) return null;
  const [x, t] = [c.args[0].values, c.args[1].values];
  const v = c.args[2].values;
  const n = x.length;
  const eps = typeof c.options.eps === 'number' ? c.options.eps : 1e-6;
  const reduction = c.options.reduction ?? 'mean';
  const per = n / Math.max(v.length, 1);
  const out = new Float64Array(ref.length);
  for (let i = 0; i < n; i++) {
    const u = reduction === 'none' ? (c.gradOutput ? c.gradOutput.values[i] : 1) : reduction === 'sum' ? 1 : 1 / n;
    const vi = Math.max(v[Math.floor(i / per)], eps);
    const d = x[i] - t[i];
    const term = Math.abs(u) * 0.5 * (1 / vi + (d * d) / (vi * vi));
    if (Number.isFinite(term)) out[Math.floor(i / per)] += term;
  }
  return out;
}

export const TARGETS: DiffTarget[] = [
  {
    name: 'crossEntropy (class indices)',
    fn: fnOf(L.crossEntropy),
    gradScale: crossEntropyScale,
    wideGradScale: crossEntropyScale64,
    float64Kernel: true,
    recipe: ({ N, C }) =>
      fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [C]))), ignoreIndex: ignoreIndex(C), labelSmoothing: optional(fc.constantFrom(0, 0.1, 0.5, 1)) }).map((o) => ({
        args: [want(REAL, [N, C]), want(classes(C), [N])],
        options: defined(o),
        itemShape: [N],
      })),
    large: LARGE,
  },
  {
    name: 'crossEntropy (probabilities)',
    fn: fnOf(L.crossEntropy),
    gradScale: crossEntropyScale,
    wideGradScale: crossEntropyScale64,
    float64Kernel: true,
    recipe: ({ N, C }) =>
      fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [C]))), labelSmoothing: optional(fc.constantFrom(0, 0.1, 0.5, 1)) }).map((o) => ({
        args: [want(REAL, [N, C]), want(SOFT, [N, C])],
        options: defined(o),
        itemShape: [N],
      })),
    large: LARGE,
  },
  {
    name: 'crossEntropy K-dim (class indices)',
    fn: fnOf(L.crossEntropy),
    gradScale: spatialScale(crossEntropyScale),
    wideGradScale: spatialScale(crossEntropyScale64),
    float64Kernel: true,
    recipe: (d) =>
      fc
        .tuple(spatialShape(d), fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [d.C]))), ignoreIndex: ignoreIndex(d.C), labelSmoothing: optional(fc.constantFrom(0, 0.1, 0.5, 1)) }))
        .map(([shape, o]) => ({
          args: [want(REAL, shape), want(classes(d.C), [shape[0], ...shape.slice(2)])],
          options: defined(o),
          itemShape: [shape[0], ...shape.slice(2)],
        })),
    large: LARGE_SPATIAL,
  },
  {
    name: 'crossEntropy K-dim (probabilities)',
    fn: fnOf(L.crossEntropy),
    gradScale: spatialScale(crossEntropyScale),
    recipe: (d) =>
      fc.tuple(spatialShape(d), fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [d.C]))), labelSmoothing: optional(fc.constantFrom(0, 0.1, 0.5, 1)) })).map(([shape, o]) => ({
        args: [want(REAL, shape), want(SOFT, shape)],
        options: defined(o),
        itemShape: [shape[0], ...shape.slice(2)],
      })),
    large: LARGE_SPATIAL,
  },
  {
    name: 'crossEntropy unbatched [C]',
    fn: fnOf(L.crossEntropy),
    gradScale: crossEntropyScale,
    wideGradScale: crossEntropyScale64,
    float64Kernel: true,
    recipe: ({ C }) =>
      fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [C]))), ignoreIndex: ignoreIndex(C), labelSmoothing: optional(fc.constantFrom(0, 0.1, 1)) }).map((o) => ({
        args: [want(REAL, [C]), want(classes(C), [])],
        options: defined(o),
        itemShape: [],
      })),
  },
  {
    name: 'nllLoss K-dim',
    fn: fnOf(L.nllLoss),
    recipe: (d) =>
      fc.tuple(spatialShape(d), fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [d.C]))), ignoreIndex: ignoreIndex(d.C) })).map(([shape, o]) => ({
        args: [want(LOG_PROB, shape), want(classes(d.C), [shape[0], ...shape.slice(2)])],
        options: defined(o),
        itemShape: [shape[0], ...shape.slice(2)],
      })),
    large: LARGE_SPATIAL,
  },
  {
    name: 'nllLoss',
    fn: fnOf(L.nllLoss),
    recipe: ({ N, C }) =>
      fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [C]))), ignoreIndex: ignoreIndex(C) }).map((o) => ({
        args: [want(LOG_PROB, [N, C]), want(classes(C), [N])],
        options: defined(o),
        itemShape: [N],
      })),
  },
  {
    name: 'binaryCrossEntropy',
    fn: fnOf(L.binaryCrossEntropy),
    gradScale: upstreamTimesWeight,
    recipe: ({ N, C }) =>
      fc.record({ reduction, weight: broadcastWeight(N, C) }).map((o) => ({ args: [want(PROB, [N, C]), want(SOFT, [N, C])], options: defined(o), itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'binaryCrossEntropyWithLogits',
    fn: fnOf(L.binaryCrossEntropyWithLogits),
    gradScale: upstreamTimesWeight,
    recipe: ({ N, C }) =>
      fc.record({ reduction, weight: broadcastWeight(N, C), posWeight: broadcastWeight(N, C, POS_WEIGHT) }).map((o) => ({
        args: [want(REAL, [N, C]), want(SOFT, [N, C])],
        options: defined(o),
        itemShape: [N, C],
      })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'l1Loss',
    fn: fnOf(L.l1Loss),
    gradScale: upstreamTimesWeight,
    recipe: ({ N, C }) => fc.record({ reduction, weight: exactWeight([N, C]) }).map((o) => ({ args: [want(REAL, [N, C]), want(REAL, [N, C])], options: defined(o), itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'mseLoss',
    fn: fnOf(L.mseLoss),
    gradScale: upstreamTimesWeight,
    recipe: ({ N, C }) => fc.record({ reduction, weight: exactWeight([N, C]) }).map((o) => ({ args: [want(REAL, [N, C]), want(REAL, [N, C])], options: defined(o), itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'smoothL1Loss',
    fn: fnOf(L.smoothL1Loss),
    gradScale: upstreamTimesWeight,
    recipe: ({ N, C }) =>
      fc.record({ reduction, beta: optional(fc.oneof(SCALE_OPTION, fc.constant(0))) }).map((o) => ({ args: [want(REAL, [N, C]), want(REAL, [N, C])], options: defined(o), itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'huberLoss',
    fn: fnOf(L.huberLoss),
    gradScale: upstreamTimesWeight,
    recipe: ({ N, C }) =>
      fc.record({ reduction, delta: optional(SCALE_OPTION), weight: exactWeight([N, C]) }).map((o) => ({ args: [want(REAL, [N, C]), want(REAL, [N, C])], options: defined(o), itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'sigmoidFocalLoss',
    fn: fnOf(L.sigmoidFocalLoss),
    gradScale: upstreamTimesWeight,
    recipe: ({ N, C }) =>
      fc.record({ reduction, alpha: optional(fc.constantFrom(0.25, -1, 0, 1, 0.5)), gamma: optional(fc.constantFrom(0, 0.5, 1, 2, 3.5)), soft: fc.boolean() }).map(({ soft, ...o }) => ({
        args: [want(REAL, [N, C]), want(soft ? SOFT : BINARY, [N, C])],
        options: defined(o),
        itemShape: [N, C],
      })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'klDiv',
    // ∂/∂y = u (log y + 1 − x): a difference of terms (float32's log y is within an ulp of its magnitude).
    gradScale: upstreamTimesWeight,
    fn: fnOf(L.klDiv),
    recipe: ({ N, C }) =>
      fc.record({ reduction: fc.constantFrom('none', 'mean', 'sum', 'batchmean'), logTarget: optional(fc.boolean()) }).map((o) => ({
        args: [want(LOG_PROB, [N, C]), want(o.logTarget ? LOG_PROB : SOFT, [N, C])],
        options: defined(o),
        itemShape: [N, C],
      })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'poissonNllLoss',
    fn: fnOf(L.poissonNllLoss),
    gradScale: poissonScale,
    valueScale: poissonItemTerms,
    recipe: ({ N, C }) =>
      fc.record({ reduction, logInput: optional(fc.boolean()), full: optional(fc.boolean()), eps: optional(fc.constantFrom(1e-8, 1e-3, 1e-40)) }).map((o) => ({
        args: [want(o.logInput === false ? NONNEG : REAL, [N, C]), want(NONNEG, [N, C])],
        options: defined(o),
        itemShape: [N, C],
      })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'gaussianNllLoss',
    fn: fnOf(L.gaussianNllLoss),
    gradScale: gaussianVarScale,
    recipe: ({ N, C }) =>
      fc.record({ reduction, full: optional(fc.boolean()), eps: optional(fc.constantFrom(1e-6, 1e-3, 1e-40)), varShape: fc.constantFrom([N, C], [N], [N, 1]) }).map(({ varShape, ...o }) => ({
        args: [want(REAL, [N, C]), want(REAL, [N, C]), want(NONNEG, varShape)],
        options: defined(o),
        itemShape: [N, C],
      })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'marginRankingLoss',
    fn: fnOf(L.marginRankingLoss),
    recipe: ({ N, C }) =>
      fc.record({ reduction, margin: optional(fc.constantFrom(0, 0.5, -1, 1e4, 1e39)) }).map((o) => ({
        args: [want(REAL, [N * C]), want(REAL, [N * C]), want(SIGNS, [N * C])],
        options: defined(o),
        itemShape: [N * C],
      })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'hingeEmbeddingLoss',
    fn: fnOf(L.hingeEmbeddingLoss),
    recipe: ({ N, C }) =>
      fc.record({ reduction, margin: optional(fc.constantFrom(1, 0, 0.5, 1e4, 1e39)) }).map((o) => ({ args: [want(REAL, [N, C]), want(SIGNS, [N, C])], options: defined(o), itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'softMarginLoss',
    fn: fnOf(L.softMarginLoss),
    recipe: ({ N, C }) => fc.record({ reduction }).map((o) => ({ args: [want(REAL, [N, C]), want(SIGNS, [N, C])], options: o, itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'multilabelSoftMarginLoss',
    fn: fnOf(L.multilabelSoftMarginLoss),
    recipe: ({ N, C }) =>
      fc.record({ reduction, weight: optional(fc.constant(want(WEIGHT, [C]))) }).map((o) => ({ args: [want(REAL, [N, C]), want(BINARY, [N, C])], options: defined(o), itemShape: [N] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'multiMarginLoss',
    fn: fnOf(L.multiMarginLoss),
    float64Kernel: true,
    large: LARGE,
    recipe: ({ N, C }) =>
      fc.record({ reduction, p: optional(fc.constantFrom(1, 2)), margin: optional(fc.constantFrom(1, 0, 0.5, 1e4)), weight: optional(fc.constant(want(WEIGHT, [C]))) }).map((o) => ({
        args: [want(REAL, [N, C]), want(classes(C), [N])],
        options: defined(o),
        itemShape: [N],
      })),
  },
  {
    name: 'multilabelMarginLoss',
    fn: fnOf(L.multilabelMarginLoss),
    float64Kernel: true,
    large: LARGE,
    recipe: ({ N, C }) =>
      fc.record({ reduction, targets: fc.array(fc.array(fc.nat({ max: C - 1 }), { maxLength: C }), { minLength: N, maxLength: N }) }).map(({ reduction: r, targets }) => {
        // Each row: class indices, then −1 (the end), then anything.
        const rows = targets.map((t) => [...t, ...Array<number>(C - t.length).fill(-1)].slice(0, C));
        return { args: [want(REAL, [N, C]), fixed(rows.flat(), [N, C])], options: { reduction: r }, itemShape: [N] };
      }),
  },
  {
    name: 'cosineEmbeddingLoss',
    fn: fnOf(L.cosineEmbeddingLoss),
    // The row kernels (src/kernels/assembly/rows.ts), float32 and float64.
    float64Kernel: true,
    large: LARGE,
    gradScale: embeddingGradScale,
    wideGradScale: embeddingGradScale64,
    valueScale: embeddingValueScale,
    recipe: ({ N, C }) =>
      fc.record({ reduction, margin: optional(fc.constantFrom(0, -0.5, 0.5, 1)) }).map((o) => ({
        args: [want(REAL, [N, C]), want(REAL, [N, C]), want(SIGNS, [N])],
        options: defined(o),
        itemShape: [N],
      })),
  },
  {
    name: 'tripletMarginLoss',
    fn: fnOf(L.tripletMarginLoss),
    // The row kernels (src/kernels/assembly/rows.ts), float32 and float64.
    float64Kernel: true,
    large: LARGE,
    gradScale: embeddingGradScale,
    wideGradScale: embeddingGradScale64,
    valueScale: embeddingValueScale,
    recipe: ({ N, C }) =>
      fc.record({ reduction, margin: optional(fc.constantFrom(1, 0.5, 1e4)), p: optional(fc.constantFrom(1, 2, 3)), eps: optional(fc.constantFrom(1e-6, 0, 1e-40)), swap: optional(fc.boolean()) }).map((o) => ({
        args: [want(REAL, [N, C]), want(REAL, [N, C]), want(REAL, [N, C])],
        options: defined(o),
        itemShape: [N],
      })),
  },
  {
    name: 'ctcLoss',
    fn: fnOf(L.ctcLoss),
    float64Kernel: true,
    gradScale: ctcScale,
    recipe: ({ N, C }) => {
      const classesC = Math.max(C, 2);
      return fc
        .record({
          T: fc.integer({ min: 1, max: 6 }),
          reduction,
          zeroInfinity: optional(fc.boolean()),
          lengths: fc.array(fc.tuple(fc.nat({ max: 6 }), fc.nat({ max: 3 })), { minLength: N, maxLength: N }),
          labels: fc.array(fc.integer({ min: 1, max: classesC - 1 }), { minLength: N * 3, maxLength: N * 3 }),
        })
        .map(({ T, reduction: r, zeroInfinity, lengths, labels }) => {
          return {
            args: [want(LOG_PROB, [T, N, classesC]), fixed(labels, [N, 3]), fixed(lengths.map(([t]) => Math.min(t, T)), [N]), fixed(lengths.map(([, s]) => s), [N])],
            options: defined({ reduction: r, zeroInfinity }),
            itemShape: [N],
          };
        });
    },
  },
  // Issue 16 (PyTorch and torchvision): boxes of any real coordinates (torchvision checks none).
  // Their kernel (src/kernels/assembly/box-iou.ts) runs float64 terms for both dtypes.
  ...(['generalizedBoxIouLoss', 'distanceBoxIouLoss', 'completeBoxIouLoss'] as const).map((name) => ({
    name,
    fn: fnOf(L[name]),
    float64Kernel: true,
    recipe: ({ N }: { N: number }) =>
      fc.record({ reduction, eps: optional(fc.constantFrom(1e-7, 1e-3, 0)) }).map((o) => ({
        args: [want(REAL, [N, 4]), want(REAL, [N, 4])],
        options: defined(o),
        itemShape: [N],
      })),
  })),
  {
    name: 'tripletMarginWithDistanceLoss',
    fn: fnOf(L.tripletMarginWithDistanceLoss),
    // The row kernels (src/kernels/assembly/rows.ts), float32 and float64.
    float64Kernel: true,
    large: LARGE,
    gradScale: embeddingGradScale,
    wideGradScale: embeddingGradScale64,
    valueScale: embeddingValueScale,
    recipe: ({ N, C }) =>
      fc.record({ reduction, distance: optional(fc.constantFrom('pairwise', 'cosine')), margin: optional(fc.constantFrom(1, 0.5, 1e4)), swap: optional(fc.boolean()) }).map((o) => ({
        args: [want(REAL, [N, C]), want(REAL, [N, C]), want(REAL, [N, C])],
        options: defined(o),
        itemShape: [N],
      })),
  },
  {
    // Its float32 path is float32 matrix products (as PyTorch's): no values near the float32 range's
    // edge (x · w overflows there where float64 does not), and the dot products' rounding, up to
    // H terms of |x w| each, is allowed as slack.
    name: 'linearCrossEntropy',
    fn: fnOf(L.linearCrossEntropy),
    float64Kernel: true,
    slack: 16,
    gradScale: linearScale,
    recipe: ({ N, C }) =>
      fc.record({ reduction, labelSmoothing: optional(fc.constantFrom(0.1, 1)), ignoreIndex: optional(fc.constantFrom(0, 2)), chunkSize: optional(fc.constantFrom(1, 2)), weight: optional(fc.constant(want(LINEAR_CE_WEIGHT, [5]))) }).map((o) => ({
        args: [want(HIDDEN, [N, C]), want(HIDDEN, [5, C]), want(classes(5), [N])],
        options: defined(o),
        itemShape: [N],
      })),
  },
  // Keras and optax losses (no kernels: the TypeScript path against its float64 reference).
  ...(['diceLoss', 'tverskyLoss'] as const).map((name) => ({
    name,
    fn: fnOf(L[name]),
    recipe: ({ N, C }: { N: number; C: number }) =>
      fc
        .record({ reduction, axis: optional(fc.constantFrom(1, 0, -1, [0, 1])), alpha: optional(fc.constantFrom(0.5, 0, 1, 0.3)), beta: optional(fc.constantFrom(0.5, 0, 1, 0.7)) })
        .map(({ alpha, beta, ...o }) => ({
          args: [want(SOFT, [N, C]), want(SOFT, [N, C])],
          options: defined({ ...o, ...(name === 'tverskyLoss' ? { alpha, beta } : {}) }),
          itemShape: o.axis === 1 || o.axis === -1 ? [N] : o.axis === 0 ? [C] : [],
        })),
  })),
  {
    name: 'logCoshLoss',
    fn: fnOf(L.logCoshLoss),
    recipe: ({ N, C }) => fc.record({ reduction }).map((o) => ({ args: [want(REAL, [N, C]), want(REAL, [N, C])], options: o, itemShape: [N] })),

    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'squaredHingeLoss',
    fn: fnOf(L.squaredHingeLoss),
    recipe: ({ N, C }) =>
      fc.record({ reduction, binary: fc.boolean() }).map(({ binary, ...o }) => ({ args: [want(REAL, [N, C]), want(binary ? BINARY : SIGNS, [N, C])], options: o, itemShape: [N] })),

    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'categoricalHingeLoss',
    fn: fnOf(L.categoricalHingeLoss),
    recipe: ({ N, C }) => fc.record({ reduction }).map((o) => ({ args: [want(REAL, [N, C]), want(SOFT, [N, C])], options: o, itemShape: [N] })),
  },
  {
    name: 'cosineSimilarityLoss',
    fn: fnOf(L.cosineSimilarityLoss),
    gradScale: (c, k) => cosineSimilarityTerms(c).grads[k],
    // the float64 kernel's norms, sums of a row's products in order along two lanes: as embeddingGradScale64
    wideGradScale: (c, k) => cosineSimilarityTerms(c).grads[k].map((v) => v * (c.args[0].shape[c.options.axis === 0 ? 0 : 1] ?? 1)),
    valueScale: (c) => cosineSimilarityTerms(c).items,
    // the last axis on the row kernels (float32 and float64) under 'auto'
    float64Kernel: true,
    large: LARGE,
    recipe: ({ N, C }) =>
      fc.record({ reduction, axis: optional(fc.constantFrom(0, 1, -1)) }).map((o) => ({ args: [want(REAL, [N, C]), want(REAL, [N, C])], options: defined(o), itemShape: o.axis === 0 ? [C] : [N] })),
  },
  {
    // Keras clips probabilities at 1e-7 and 1 − 1e-7 in the input's dtype (float32: 1 − 2^-23), so
    // float32 and float64 differ by design near those bounds: compared between backends only.
    name: 'categoricalFocalCrossEntropy',
    fn: fnOf(L.categoricalFocalCrossEntropy),
    noReference: true,
    // fromLogits: the softmax on the float64 kernels under 'auto'
    large: LARGE,
    recipe: ({ N, C }) =>
      fc
        .record({
          reduction,
          fromLogits: optional(fc.boolean()),
          alpha: optional(fc.constantFrom(0.25, 1, 0)),
          gamma: optional(fc.constantFrom(0, 0.5, 2, 3.5)),
          labelSmoothing: optional(fc.constantFrom(0, 0.1, 1)),
          axis: optional(fc.constantFrom(0, 1)),
        })
        .map((o) => ({ args: [want(o.fromLogits ? REAL : PROB, [N, C]), want(SOFT, [N, C])], options: defined(o), itemShape: o.axis === 0 ? [C] : [N] })),
  },
  {
    name: 'sparsemaxLoss',
    fn: fnOf(L.sparsemaxLoss),
    recipe: ({ N, C }) => fc.record({ reduction }).map((o) => ({ args: [want(REAL, [N, C]), want(BINARY, [N, C])], options: o, itemShape: [N, C] })),
    large: LARGE,
    float64Kernel: true,
  },
  {
    name: 'polyLossCrossEntropy',
    fn: fnOf(L.polyLossCrossEntropy),
    gradScale: rowMax,
    // the softmax and logSoftmax on the float64 kernels under 'auto'
    large: LARGE,
    recipe: ({ N, C }) =>
      fc.record({ reduction, epsilon: optional(fc.constantFrom(2, -1, 0, 0.5)) }).map((o) => ({ args: [want(REAL, [N, C]), want(SOFT, [N, C])], options: defined(o), itemShape: [N] })),
  },
  {
    // optax floors squared norms at the dtype's epsilon (2^-23 or 2^-52): float32 and float64
    // differ by design for embeddings shorter than that: compared between backends only.
    name: 'ntxentLoss',
    fn: fnOf(L.ntxentLoss),
    noReference: true,
    // [N + 1, C] embeddings, [N + 1, N + 1] pairs: the products U Uᵀ and (G + Gᵀ) U on the kernels under 'auto'
    large: [{ N: 40, C: 16 }, { N: 129, C: 5 }],
    recipe: ({ N, C }) =>
      fc
        .record({ reduction, temperature: optional(fc.constantFrom(0.07, 0.5, 1, 1e-3)), labels: fc.array(fc.nat({ max: 2 }), { minLength: N + 1, maxLength: N + 1 }) })
        .map(({ labels, ...o }) => ({ args: [want(REAL, [N + 1, C]), fixed(labels, [N + 1])], options: defined(o), itemShape: [N + 1, N + 1] })),
  },
  // Activations: forward and withGrad (the VJP with a gradOutput, or ones), every dim.
  {
    name: 'softmax',
    float64Kernel: true,
    fn: activationWithGrad(L.softmax),
    gradScale: softmaxGradScale(false),
    recipe: alongDimRecipe,
    large: LARGE,
  },
  {
    name: 'logSoftmax',
    float64Kernel: true,
    fn: activationWithGrad(L.logSoftmax),
    gradScale: softmaxGradScale(true),
    recipe: alongDimRecipe,
    large: LARGE,
  },
  {
    name: 'logSumExp',
    float64Kernel: true,
    fn: activationWithGrad(L.logSumExp),
    recipe: (d) =>
      alongDimRecipe(d).chain((r) =>
        fc.record({ keepdim: optional(fc.boolean()) }).map(({ keepdim }) => {
          const shape = r.gradOutputShape!;
          const at = r.options.dim === undefined ? shape.length - 1 : ((r.options.dim as number) + shape.length) % shape.length;
          const reduced = keepdim ? shape.map((n, i) => (i === at ? 1 : n)) : shape.filter((_, i) => i !== at);
          return { ...r, options: defined({ ...r.options, keepdim }), gradOutputShape: reduced };
        }),
      ),
    large: LARGE,
  },
  { name: 'sigmoid', fn: activationWithGrad(L.sigmoid), noOptions: true, float64Kernel: true, recipe: ({ N, C }) => none({ args: [want(REAL, [N, C])], options: {}, itemShape: null, gradOutputShape: [N, C] }), large: LARGE },
  { name: 'logSigmoid', fn: activationWithGrad(L.logSigmoid), noOptions: true, float64Kernel: true, recipe: ({ N, C }) => none({ args: [want(REAL, [N, C])], options: {}, itemShape: null, gradOutputShape: [N, C] }), large: LARGE },
  {
    // Returns a number; it clips at the dtype's epsilon (as scikit-learn), so float32 and float64
    // differ by design where a probability is within ε32 of 0 or 1: compared between backends only.
    name: 'logLoss',
    fn: activation(L.logLoss),
    noReference: true,
    recipe: ({ N }) =>
      fc.record({ normalize: optional(fc.boolean()), labels: fc.array(fc.nat({ max: 1 }), { minLength: N + 2, maxLength: N + 2 }) }).map(({ labels, ...o }) => ({
        args: [fixed([0, 1, ...labels.slice(2)], [N + 2], 'float'), want(PROB, [N + 2])],
        options: defined(o),
        itemShape: null,
      })),
  },
  {
    name: 'softplus',
    fn: activationWithGrad(L.softplus),
    float64Kernel: true,
    recipe: ({ N, C }) =>
      fc
        .record({ beta: optional(fc.constantFrom(1, 0.5, 2, 1e4, -1, 1e39)), threshold: optional(fc.constantFrom(20, 1, 1e4, -2)) })
        .map((o) => ({ args: [want(REAL, [N, C])], options: defined(o), itemShape: null, gradOutputShape: [N, C] })),
    large: LARGE,
  },
];

export { dims };
