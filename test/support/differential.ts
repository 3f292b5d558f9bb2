// The engine of the differential suite (test/differential-*.test.ts): one call of a loss or
// activation, run three ways on the same values, and compared element by element.
//
//   ts32   setBackend('ts'), float32 tensors: the TypeScript path (float64 inside, rounded once);
//   wasm32 setBackend('wasm') for small inputs, or 'auto' for inputs of at least WASM_THRESHOLD
//          elements: the WebAssembly kernel wherever one covers the call;
//   ref64  setBackend('ts'), float64 tensors holding exactly the same (float32-representable)
//          values: the float64 reference.
//   wasm64 (targets with float64Kernel) the kernel backend on those float64 tensors, held to the
//          float64 rule against ref64.
//
// Every generated value is rounded to float32 before any call, so the three runs see the same
// numbers; scalar options (beta, delta, margin, ...) are JavaScript numbers in all three, as they
// are in PyTorch (a Python float).
import { setBackend, tensor, type Tensor } from '../../src/index.js';
import { EPSILON } from './close.js';
import { independent } from './differential-independent.js';

/** A tensor argument (or tensor option) of a case: float (the run's dtype) or int32 class indices. */
export interface Arg {
  readonly kind: 'float' | 'int32';
  readonly shape: readonly number[];
  readonly values: readonly number[] | Float64Array;
  /** Real-valued (not labels, indices or probabilities): scaled by 1 ± ε32 to measure the terms' magnitude. */
  readonly scalable?: boolean;
}

/** One call: the tensor arguments, the options (tensor options as {@link Arg}), the upstream gradient. */
export interface Case {
  readonly args: readonly Arg[];
  readonly options: Readonly<Record<string, unknown>>;
  /** For withGrad under reduction 'none': the upstream gradient, shaped like the loss. */
  readonly gradOutput?: Arg;
  /** Write the first gradient into a caller's array (prefilled with NaN, so an unwritten element shows). */
  readonly gradInto?: boolean;
  /** How to print the case when its values are too many to list (large cases). */
  readonly summary?: string;
}

export type Runnable = (...args: unknown[]) => Tensor | number;

/** A loss (with withGrad) or an activation (forward only). */
export interface Target {
  readonly name: string;
  readonly fn: Runnable & { withGrad?: (...args: unknown[]) => { loss: Tensor; grads: (Tensor | null)[] } };
  /** Extra slack for the finite values, in units of the default rule (documented where used). */
  readonly slack?: number;
  /** Called without an options argument (sigmoid, logSigmoid take none). */
  readonly noOptions?: boolean;
  /** No float64 reference (a result that depends on the dtype by design): the backends are compared with each other only. */
  readonly noReference?: boolean;
  /**
   * The magnitude of the terms of gradient k's elements where a gradient is a difference of
   * terms by construction (rule 2's S; see differential-targets.ts for each), given the
   * reference gradient.
   */
  readonly gradScale?: (c: Case, k: number, ref: Float64Array) => Float64Array | null;
  /**
   * The same for the float64 rule only, where the float64 kernel's own sums enter such a
   * difference: it adds a row's terms in order along two lanes (error up to L ε of the sum, for L
   * terms) where the reference adds them pairwise, and float64 keeps no spare digits to hide it.
   */
  readonly wideGradScale?: (c: Case, k: number, ref: Float64Array) => Float64Array | null;
  /**
   * The size of the terms each loss item is a difference of (Poisson NLL's exp(x) and y·x), where
   * float32 keeps the item only to the absolute accuracy of those terms; a reduced loss takes their
   * mean (or sum). The input perturbation of termScale misses it where the item is flat in x.
   */
  readonly valueScale?: (c: Case) => Float64Array | null;
  /**
   * A float64 kernel covers the call: the kernel backend also runs it on the float64 tensors
   * ('wasm64'), held to the float64 rule (RTOL64, FLOOR64) against ref64.
   */
  readonly float64Kernel?: boolean;
}

export const F32_MAX = 3.4028234663852886e38;
export const isArg = (v: unknown): v is Arg =>
  typeof v === 'object' && v !== null && 'kind' in v && 'shape' in v && 'values' in v;

export const f32 = Math.fround;

function materialize(arg: Arg, dtype: 'float32' | 'float64', scale = 1): Tensor {
  if (arg.kind === 'int32') return tensor(Int32Array.from(arg.values), { shape: arg.shape });
  const values = scale !== 1 && arg.scalable ? Array.from(arg.values, (v) => v * scale) : arg.values;
  const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  return tensor(data, { shape: arg.shape });
}

interface Outcome {
  /** The loss (or activation) as float64 numbers, with its shape. */
  value: { shape: number[]; data: Float64Array };
  /** Gradients (withGrad only), null where the loss gives none. */
  grads: ({ shape: number[]; data: Float64Array } | null)[] | null;
  /** The error the call threw, if it threw (then value and grads are empty). */
  error?: string;
}

const snapshot = (t: Tensor) => ({ shape: [...t.shape], data: Float64Array.from(t.data) });

/**
 * Runs the case on one path. Checks on the way that no input (tensor argument, tensor option,
 * gradOutput) changed, and that a `gradInto` array was written entirely and returned.
 */
function runOn(target: Target, c: Case, dtype: 'float32' | 'float64', backend: 'ts' | 'wasm' | 'auto', withGrad: boolean, scale = 1): Outcome {
  const tensors = c.args.map((a) => materialize(a, dtype, scale));
  const options: Record<string, unknown> = {};
  const inputs: Tensor[] = [...tensors];
  for (const [k, v] of Object.entries(c.options)) {
    if (isArg(v)) {
      const t = materialize(v, dtype, scale);
      inputs.push(t);
      options[k] = t;
    } else options[k] = v;
  }
  if (withGrad && c.gradOutput) {
    const g = materialize(c.gradOutput, dtype);
    inputs.push(g);
    options.gradOutput = g;
  }
  let into: Float32Array | Float64Array | null = null;
  if (withGrad && c.gradInto) {
    into = dtype === 'float32' ? new Float32Array(tensors[0].size) : new Float64Array(tensors[0].size);
    into.fill(NaN);
    options.gradInto = into;
  }
  const copies = inputs.map((t) => Float64Array.from(t.data));
  setBackend(backend);
  try {
    let value: Tensor | number;
    let grads: (Tensor | null)[] | null = null;
    try {
      if (withGrad) {
        const r = target.fn.withGrad!(...tensors, options);
        value = r.loss;
        grads = r.grads;
      } else value = target.noOptions ? target.fn(...tensors) : target.fn(...tensors, options);
    } catch (e) {
      return { value: { shape: [], data: new Float64Array(0) }, grads: null, error: String(e) };
    }
    inputs.forEach((t, k) => {
      for (let i = 0; i < t.size; i++) {
        if (!Object.is(t.data[i], copies[k][i])) {
          throw new Error(`${target.name} (${dtype}, backend ${backend}) changed its input #${k} at element ${i}: ${copies[k][i]} became ${t.data[i]}`);
        }
      }
    });
    if (into && grads && grads[0] && grads[0].data !== into) {
      throw new Error(`${target.name} (${dtype}, backend ${backend}): the gradient was not returned in gradInto`);
    }
    const v = typeof value === 'number' ? { shape: [], data: Float64Array.of(value) } : snapshot(value);
    return { value: v, grads: grads ? grads.map((g) => (g ? snapshot(g) : null)) : null };
  } finally {
    setBackend('auto');
  }
}

type Kind = 'nan' | '+inf' | '-inf' | 'finite';
const kindOf = (v: number): Kind => (Number.isNaN(v) ? 'nan' : v === Infinity ? '+inf' : v === -Infinity ? '-inf' : 'finite');

/**
 * The agreement rule, for a float32 result `a` against the float64 reference `r` (or against the
 * other float32 path, with `r` the reference of that element):
 *
 * 1. Classification: NaN, +Inf, −Inf, finite must be the same as that of `fround(r)` — the
 *    reference rounded once to float32, exactly what "float64 inside, rounded once" promises.
 *    Only at the edge of the float32 range may a finite `fround(r)` meet ±Inf of the same sign:
 *    when |r| is within the relative tolerance of the float32 maximum, 1 ulp of rounding decides.
 * 2. Finite values: |a − r| ≤ RTOL·|r| + FLOOR·S + TINY, with
 *    RTOL  = 2e-5 (≈ 168 ε32), the relative agreement the README promises for float32;
 *    FLOOR = 8 ε32 times S, the magnitude of the terms the element is made of, the largest of
 *          - |r| itself;
 *          - for a reduced loss, the mean (or sum) of the absolute per-item losses, so that
 *            cancellation between items of opposite sign is not blamed on a path;
 *          - |r(x·(1 ± ε32)) − r(x)| / ε32: how much the float64 result moves when every real-valued
 *            tensor, arguments and tensor options (not labels, indices or probabilities), is scaled
 *            by 1 ± ε32 — the size of
 *            the terms a float32 evaluation has to round (x·y in x − x·y, m in m + log Σ...). A
 *            uniform scaling keeps ties (x = t) and signs, so it does not blur branch points; and
 *            a cancellation that rounding cannot explain stays strict (the issue's confident row:
 *            softmax − 1 moves by ~p(1 − p)·|Δx|, far less than its float32 error).
 *          - where a gradient is a difference of terms by construction, the terms' magnitude as
 *            the README states the kernels' accuracy (a target's gradScale: the row's largest
 *            entry for cross-entropy, the upstream × weight scale for the elementwise losses);
 *          An independent float64 formula may state S itself (log-sum-exp: |max| + |log Σ|);
 *    TINY  = 2^-126 · U · R, the smallest normal float32 scaled by the largest |upstream gradient| U
 *          (≥ 1) and the length R of the first argument's last dimension (a row sums R exps, each
 *          of which may be flushed): the kernels' exp flushes results below 2^-126 to 0 (documented), and float32
 *          subnormals hold fewer digits. An element whose whole reference value is below
 *          2^-126 · U · W (W ≥ 1: the largest sum of a tensor option, the weights a flushed
 *          probability is multiplied by) may be off by that much: p < 2^-126 flushed, times w.
 */
export const RTOL = 2e-5;
export const FLOOR = 8 * EPSILON.float32;
export const TINY = 2 ** -126;
/** The float64 path against an independent float64 formula: 1e-9 relative plus 8 ε64 of the terms' magnitude. */
export const RTOL64 = 1e-9;
export const FLOOR64 = 8 * EPSILON.float64;

export interface Mismatch {
  where: string;
  index: number;
  got: number;
  expected: number;
  against: 'ref64' | 'ts32' | 'independent';
}

function agree(a: number, r: number, scale: number, tiny: Tiny, slack: number, wide = false): boolean {
  const rounded = wide ? r : f32(r);
  const ka = kindOf(a);
  const kr = kindOf(rounded);
  if (ka !== kr) {
    // The float32 range edge: a finite reference within the tolerance of the maximum may round either way.
    if (ka !== 'nan' && kr !== 'nan' && Number.isFinite(r) && Math.abs(r) >= F32_MAX * (1 - RTOL * slack) && Math.sign(a) === Math.sign(r)) return true;
    return false;
  }
  if (ka !== 'finite') return true;
  if (wide) return Math.abs(a - r) <= RTOL64 * Math.abs(r) + FLOOR64 * scale;
  const flush = Math.abs(r) <= tiny.zone ? tiny.zone : 0;
  return Math.abs(a - r) <= slack * (RTOL * Math.abs(r) + FLOOR * scale) + tiny.always + flush;
}

function compareTensor(
  where: string,
  got: { shape: number[]; data: Float64Array } | null,
  ref: { shape: number[]; data: Float64Array } | null,
  scales: Float64Array | number | null,
  tiny: Tiny,
  slack: number,
  against: Mismatch['against'],
  out: Mismatch[],
  problems: string[],
  wide = false,
): void {
  if ((got === null) !== (ref === null)) {
    problems.push(`${where}: ${got === null ? 'null' : 'a tensor'} where ${against} gives ${ref === null ? 'null' : 'a tensor'}`);
    return;
  }
  if (!got || !ref) return;
  if (got.shape.join() !== ref.shape.join()) {
    problems.push(`${where}: shape [${got.shape}] where ${against} gives [${ref.shape}]`);
    return;
  }
  for (let i = 0; i < ref.data.length; i++) {
    const s = scales === null ? Math.abs(ref.data[i]) : typeof scales === 'number' ? scales : scales[i];
    if (!agree(got.data[i], ref.data[i], Number.isFinite(s) ? Math.max(s, Math.abs(ref.data[i])) : Math.abs(ref.data[i]), tiny, slack, wide)) {
      out.push({ where, index: i, got: got.data[i], expected: ref.data[i], against });
    }
  }
}

const fmt = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

/** A compact printing of a case: `name(args..., options)`. */
export function describeCase(name: string, c: Case): string {
  if (c.summary) return `${name} ${c.summary}`;
  const arg = (a: Arg) => `${a.kind === 'int32' ? 'int32' : ''}[${Array.from(a.values, fmt).join(', ')}] shape [${a.shape}]`;
  const opts = Object.entries(c.options).map(([k, v]) => `${k}: ${isArg(v) ? arg(v) : typeof v === 'number' ? fmt(v) : JSON.stringify(v)}`);
  if (c.gradOutput) opts.push(`gradOutput: ${arg(c.gradOutput)}`);
  if (c.gradInto) opts.push('gradInto: Float32Array');
  return `${name}(${c.args.map(arg).join(', ')}, { ${opts.join(', ')} })`;
}

interface Tiny {
  /** Always allowed: 2^-126 · U. */
  always: number;
  /** Allowed where the reference itself is this small: 2^-126 · U · W. */
  zone: number;
}

/** The subnormal allowances of a case (rule 2's TINY). */
function tinyOf(c: Case): Tiny {
  let u = 1;
  if (c.gradOutput) for (const v of c.gradOutput.values) if (Number.isFinite(v)) u = Math.max(u, Math.abs(v));
  let w = 1;
  for (const v of Object.values(c.options)) {
    if (!isArg(v)) continue;
    let sum = 0;
    for (const x of v.values) if (Number.isFinite(x)) sum += Math.abs(x);
    w = Math.max(w, sum);
  }
  // A row's log-sum-exp sums its exps: up to one flushed exp below 2^-126 per element of the row.
  const first = c.args[0];
  const row = first && first.shape.length > 0 ? Math.max(1, first.shape[first.shape.length - 1]) : 1;
  return { always: TINY * u * row, zone: TINY * u * w * row };
}

/**
 * Runs a case on the three paths and throws a readable error listing every disagreement: which
 * output (loss, grads[k]), which element, and what ts32, wasm32 and ref64 gave.
 * `large`: the case has at least WASM_THRESHOLD elements and runs under 'auto'.
 */
export function checkCase(target: Target, c: Case, large = false): void {
  const slack = target.slack ?? 1;
  const withGrad = target.fn.withGrad !== undefined;
  const kernelBackend = large ? 'auto' : 'wasm';
  const tiny = tinyOf(c);
  const problems: string[] = [];
  const passes = withGrad ? [false, true] : [false];
  for (const grad of passes) {
    const ref = runOn(target, c, 'float64', 'ts', grad);
    const ts = runOn(target, c, 'float32', 'ts', grad);
    const wasm = runOn(target, c, 'float32', kernelBackend, grad);
    const wasm64 = target.float64Kernel ? runOn(target, c, 'float64', kernelBackend, grad) : null;
    const label = grad ? 'withGrad' : 'plain call';
    // An error must be the same error on every path (bad input is refused everywhere alike).
    if (ref.error || ts.error || wasm.error || wasm64?.error) {
      if (!(ref.error && ref.error === ts.error && ts.error === wasm.error && (!wasm64 || wasm64.error === ref.error))) {
        problems.push(`${label}: errors differ: ref64 ${ref.error ?? 'none'} | ts32 ${ts.error ?? 'none'} | wasm32 ${wasm.error ?? 'none'}${wasm64 ? ` | wasm64 ${wasm64.error ?? 'none'}` : ''}`);
      }
      continue;
    }
    // The magnitude of the terms (rule 2): the reference on inputs scaled by 1 ± ε32.
    const moved = [1 + EPSILON.float32, 1 - EPSILON.float32].map((k) => runOn(target, c, 'float64', 'ts', grad, k));
    const termScale = (pick: (o: Outcome) => { data: Float64Array } | null | undefined, base: Float64Array | undefined): Float64Array | null => {
      if (!base) return null;
      const s = new Float64Array(base.length);
      for (const m of moved) {
        const d = m.error ? undefined : pick(m)?.data;
        if (!d || d.length !== base.length) continue;
        for (let i = 0; i < base.length; i++) {
          const change = Math.abs(d[i] - base[i]) / EPSILON.float32;
          s[i] = Number.isFinite(change) ? Math.max(s[i], change) : s[i];
        }
      }
      return s;
    };
    // The scale of a reduced loss: the mean (or sum) of |per-item losses| of the reference (a sum
    // of items that cancel, ±1e17 among items near 1, is only as exact as Σ|items|·eps: in the plain
    // call too, seed -496166118).
    let lossScale: number | null = null;
    let itemCount = 1;
    const reduction = c.options.reduction;
    if (reduction !== 'none' && ref.value.shape.length === 0) {
      const none = runOn(target, { ...c, options: { ...c.options, reduction: 'none' }, gradOutput: undefined, gradInto: false }, 'float64', 'ts', false);
      if (!none.error && none.value.data.length > 0) {
        let s = 0;
        for (const v of none.value.data) s += Math.abs(v);
        const count = reduction === 'sum' ? 1 : reduction === 'batchmean' ? (c.args[0].shape[0] ?? 1) : none.value.data.length;
        lossScale = s / count;
        itemCount = none.value.data.length;
      }
    }
    // Where an independent float64 formula exists, it is the reference of the float32 paths, and
    // the float64 path must meet it too (at float64 tolerance).
    const formula = independent(target.name, c, grad);
    // A formula without gradients (CTC) leaves the gradients to ref64.
    const reference: Outcome = formula ? { value: formula.value, grads: formula.grads ?? ref.grads } : ref;
    const referenceName = formula ? 'independent' : 'ref64';
    const found: Mismatch[] = [];
    const paths: [string, Outcome, boolean][] = [['ts32', ts, false], ['wasm32', wasm, false]];
    if (formula) paths.push(['ref64', ref, true]);
    if (wasm64) paths.push(['wasm64', wasm64, true]);
    const valueScale = termScale((o) => o.value, ref.value.data);
    if (valueScale && lossScale !== null) for (let i = 0; i < valueScale.length; i++) valueScale[i] = Math.max(valueScale[i], lossScale);
    if (valueScale && formula?.scales) for (let i = 0; i < valueScale.length; i++) valueScale[i] = Math.max(valueScale[i], formula.scales[i]);
    const itemTerms = target.valueScale?.(c);
    if (valueScale && itemTerms) {
      if (itemTerms.length === valueScale.length) for (let i = 0; i < valueScale.length; i++) valueScale[i] = Math.max(valueScale[i], itemTerms[i]);
      else if (valueScale.length === 1 && itemTerms.length > 0) {
        const total = itemTerms.reduce((a, v) => a + v, 0);
        valueScale[0] = Math.max(valueScale[0], c.options.reduction === 'sum' ? total : total / itemTerms.length);
      }
    }
    const gradScales = (ref.grads ?? []).map((g, k) => {
      const moved = termScale((o) => o.grads?.[k], g?.data);
      const terms = g && target.gradScale ? target.gradScale(c, k, g.data) : null;
      return moved && terms ? moved.map((v, i) => Math.max(v, terms[i])) : moved;
    });
    const wideScales = gradScales.map((g, k) => {
      const refGrad = ref.grads?.[k];
      const extras = [formula?.wideGradScales?.[k], g && refGrad && target.wideGradScale ? target.wideGradScale(c, k, refGrad.data) : null];
      return g ? extras.reduce<Float64Array>((s, extra) => (extra ? s.map((v, i) => Math.max(v, extra[i])) : s), g) : g;
    });
    // The float64 kernels sum a reduced loss along two lanes in order (error up to n·eps·Σ|items|)
    // where the reference sums pairwise: held to that bound (items of ±1e17 among items near 1
    // left 0.055 of a mean of 1.004 through the float64 kernel, seed -496166118).
    const wideValueScale = valueScale && lossScale !== null ? valueScale.map((v) => Math.max(v, lossScale! * itemCount)) : valueScale;
    for (const [path, out, wide] of target.noReference ? [] : paths) {
      compareTensor(`${label} ${path} loss`, out.value, reference.value, wide ? wideValueScale : valueScale, tiny, slack, referenceName, found, problems, wide);
      if (grad) {
        const n = Math.max(out.grads?.length ?? 0, reference.grads?.length ?? 0);
        for (let k = 0; k < n; k++) {
          const scales = (wide ? wideScales : gradScales)[k] ?? null;
          compareTensor(`${label} ${path} grads[${k}]`, out.grads?.[k] ?? null, reference.grads?.[k] ?? null, scales, tiny, slack, referenceName, found, problems, wide);
        }
      }
    }
    // The two float32 paths with each other: the same classification everywhere (the rule above,
    // with ts32 rounded as the reference), so a kernel cannot differ from the TypeScript path
    // even where both are within tolerance of ref64 by luck of rounding.
    const between: Mismatch[] = [];
    compareTensor(`${label} wasm32 loss`, wasm.value, ts.value, valueScale, tiny, 2 * slack, 'ts32', between, problems);
    if (grad) {
      const n = Math.max(wasm.grads?.length ?? 0, ts.grads?.length ?? 0);
      for (let k = 0; k < n; k++) compareTensor(`${label} wasm32 grads[${k}]`, wasm.grads?.[k] ?? null, ts.grads?.[k] ?? null, gradScales[k] ?? null, tiny, 2 * slack, 'ts32', between, problems);
    }
    const pick = (where: string, index: number, o: Outcome) => {
      const m = /loss$/.test(where) ? o.value : o.grads?.[Number(/grads\[(\d+)\]/.exec(where)?.[1] ?? -1)];
      return m ? fmt(m.data[index]) : '—';
    };
    const seen = new Set<string>();
    const listed = [...found, ...between].filter((m) => {
      const key = `${m.where.replace(/ (ts32|wasm32|ref64|wasm64) /, ' ')}[${m.index}]`;
      return !seen.has(key) && seen.add(key) !== undefined;
    });
    for (const m of listed.slice(0, 6)) {
      const key = m.where.replace(/ (ts32|wasm32|ref64|wasm64) /, ' ');
      const independentValue = formula ? ` | independent float64 ${pick(key, m.index, formula)}` : '';
      const wide = wasm64 ? ` | wasm64 ${pick(key, m.index, wasm64)}` : '';
      problems.push(`${key}[${m.index}]: ts32 ${pick(key, m.index, ts)} | wasm32 ${pick(key, m.index, wasm)} | ref64 ${pick(key, m.index, ref)}${wide}${independentValue}`);
    }
    if (listed.length > 6) problems.push(`... and ${listed.length - 6} more disagreeing elements`);
  }
  if (problems.length > 0) throw new Error(`${describeCase(target.name, c)}\n  ${problems.join('\n  ')}`);
}
