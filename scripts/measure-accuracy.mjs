// Measures the WebAssembly kernels' accuracy against a float64 reference: every kernel, on a
// battery of random and special inputs (scales 1e-3 to 1e4, confident rows, ties, ±1e4 rows,
// subnormal probabilities, saturated logits). The reference is the TypeScript path on the same
// float32 values given as float64 (it computes in float64: softmax by (x − m) − log1p of the other
// terms, everything else in the closed forms of src/losses/). For each output (loss per item,
// gradient of every argument) it reports the largest error in float32 ulps (against the float64
// value rounded to float32) and relative to the float64 value, over the results that are normal
// float32 numbers; NaN/±inf must sit at the same positions (counted as mismatches otherwise).
//
//   npm run build && node scripts/measure-accuracy.mjs            # plain SIMD (Node 20)
//   node --experimental-wasm-relaxed-simd scripts/measure-accuracy.mjs   # fused multiply-add build
//   node scripts/measure-accuracy.mjs --json                      # machine-readable
//
// src/kernels/wasm.test.ts runs the same battery (measureAccuracy) and asserts the bounds the
// README states.
import * as L from '../dist/index.js';
import { mulberry32 as rng } from './random.mjs';

const MIN_NORMAL = 2 ** -126;
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
function ordered(v) {
  f32[0] = v;
  return i32[0] < 0 ? -2147483648 - i32[0] : i32[0];
}

/** Below this, results come from exps the kernels flush to 0 (2^-126) and are compared absolutely. */
const TINY = 2 ** -100;

/**
 * Errors of `actual` (float32 kernel) against `reference` (float64), into `worst`:
 * - ulps, rel: componentwise, over results of magnitude >= TINY (in float32 ulps of the rounded
 *   reference, and relative). Results that are a difference of nearly equal terms (a gradient
 *   p A − a near 0, σ(x) − y with y ≈ σ(x)) show large componentwise errors in any float32 code;
 * - floored: |actual − reference| / max(|reference|, scale), with scale the largest |result| of
 *   the row (rows of softmax / cross-entropy: the normwise error of a gradient row) or 1
 *   (elementwise: relative above 1, absolute below);
 * - tiny: the largest |actual − reference| where |reference| < TINY.
 * NaN and ±inf must match exactly (mismatches).
 */
function compare(actual, reference, worst, rowLength) {
  for (let start = 0; start < reference.length; start += rowLength) {
    let scale = 1;
    if (rowLength > 1) {
      scale = 0;
      for (let i = start; i < start + rowLength; i++) if (Number.isFinite(reference[i])) scale = Math.max(scale, Math.abs(reference[i]));
    }
    for (let i = start; i < start + rowLength; i++) {
      const r = reference[i];
      const a = actual[i];
      const r32 = Math.fround(r);
      if (!Number.isFinite(r32) || !Number.isFinite(a)) {
        if (!(Object.is(r32, a) || (Number.isNaN(r32) && Number.isNaN(a)))) worst.mismatches++;
        continue;
      }
      const err = a === r32 ? 0 : Math.abs(a - r); // the correctly rounded float32 value counts as exact
      const floored = err === 0 ? 0 : err / Math.max(Math.abs(r), scale, TINY);
      worst.floored = Math.max(worst.floored, floored);
      if (Math.abs(r) < TINY) {
        worst.tiny = Math.max(worst.tiny, err);
        continue;
      }
      const ulps = Math.abs(ordered(a) - ordered(r32));
      if (ulps > worst.ulps) Object.assign(worst, { ulps, at: [i, a, r] });
      worst.rel = Math.max(worst.rel, err / Math.abs(r));
      worst.count++;
    }
  }
}

/** The loss per item and every gradient; on 'ts' from the same values as float64. */
function run(fn, args, shape, options, backend) {
  L.setBackend(backend);
  const wide = backend === 'ts' ? args.map((a) => (a instanceof Float32Array ? Float64Array.from(a) : a)) : args;
  const shaped = wide.map((a, k) => (shape[k] ? L.tensor(a, { shape: shape[k], dtype: a instanceof Float64Array ? 'float64' : 'float32' }) : a));
  const r = fn.withGrad(...shaped, { ...options, reduction: 'none' });
  return [r.loss.data, ...r.grads.map((g) => (g ? g.data : null))];
}

/** One kernel: results of the wasm path against the float64 path on the same inputs. */
function measure(name, fn, cases) {
  const parts = ['loss', 'grad input', 'grad target'];
  const worst = parts.map(() => ({ ulps: 0, rel: 0, floored: 0, tiny: 0, mismatches: 0, count: 0 }));
  for (const { args, shape, options, rows } of cases) {
    const k = run(fn, args, shape, options ?? {}, 'wasm');
    // A non-finite total sends a loss call to the TypeScript path (src/core/elementwise.ts,
    // src/losses/cross-entropy.ts): such a case would measure the reference against itself.
    if (!k[0].every(Number.isFinite)) throw new Error(`measure-accuracy: a ${name} case has a non-finite loss, so the kernel is not what runs`);
    const r = run(fn, args, shape, options ?? {}, 'ts');
    // Gradient rows of the row kernels are compared normwise per row; losses and elementwise results one by one.
    k.forEach((out, j) => out && r[j] && compare(out, r[j], worst[j], rows && j > 0 ? shape[0][1] : 1));
  }
  L.setBackend('auto');
  return { name, ...Object.fromEntries(parts.map((p, j) => [p, worst[j]]).filter(([, w]) => w.count > 0 || w.mismatches > 0)) };
}

function activation(name, fn, rowsList) {
  const worst = { ulps: 0, rel: 0, floored: 0, tiny: 0, mismatches: 0, count: 0 };
  for (const [x, shape] of rowsList) {
    L.setBackend('wasm');
    const k = fn(L.tensor(x, { shape })).data;
    L.setBackend('ts');
    const r = fn(L.tensor(Float64Array.from(x), { shape, dtype: 'float64' })).data;
    compare(k, r, worst, fn === L.logSumExp ? 1 : shape[1]);
  }
  L.setBackend('auto');
  return { name, result: worst };
}

/** Rows of logits: random at several scales, confident rows, ties, ±1e4 rows, with special values. */
export function logitRows(seed) {
  const next = rng(seed);
  const out = [];
  for (const C of [3, 7, 10, 64, 1000]) {
    for (const scale of [1e-3, 1, 5, 30, 1e4]) {
      const N = C >= 1000 ? 8 : 64;
      const x = new Float32Array(N * C);
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < C; c++) x[r * C + c] = (next() * 2 - 1) * scale;
        const kind = r % 8;
        if (kind === 1) x[r * C + Math.floor(next() * C)] += 10 + 20 * next(); // confident
        if (kind === 2) x[r * C + Math.floor(next() * C)] += 3 + 5 * next();
        if (kind === 3) for (let c = 0; c < C; c++) x[r * C + c] = (next() < 0.5 ? 1 : -1) * 1e4; // ±1e4 ties
        if (kind === 4) for (let c = 0; c < C; c++) x[r * C + c] = scale; // all equal
        if (kind === 5) x[r * C] = -Infinity;
      }
      out.push({ x, N, C });
    }
  }
  return out;
}

export async function measureAccuracy() {
  await L.wasmReady();
  const next = rng(2026);
  const results = [];
  const rows = logitRows(11);
  const ceCases = [];
  const probCases = [];
  for (const { x: withInf, N, C } of rows) {
    // −inf logits give an infinite loss wherever a coefficient touches them (label smoothing,
    // probabilities): the losses get −1e30 instead (exp underflows to 0 all the same).
    const x = withInf.map((v) => (v === -Infinity ? -1e30 : v));
    const t = Float64Array.from({ length: N }, (_, r) => (r % 8 === 1 ? argmax(x, r, C) : Math.floor(next() * C)));
    ceCases.push({ args: [x, t], shape: [[N, C], null], options: {}, rows: true });
    const w = Float32Array.from({ length: C }, () => 0.2 + 2 * next());
    ceCases.push({ args: [x, t], shape: [[N, C], null], options: { labelSmoothing: 0.1, weight: L.tensor(w) }, rows: true });
    const y = new Float32Array(N * C);
    for (let r = 0; r < N; r++) {
      if (r % 2 === 0) y[r * C + argmax(x, r, C)] = 1; // one-hot on the maximum: the confident case
      else {
        let s = 0;
        for (let c = 0; c < C; c++) s += y[r * C + c] = next();
        for (let c = 0; c < C; c++) y[r * C + c] /= s;
      }
    }
    probCases.push({ args: [x, y], shape: [[N, C], [N, C]], options: {}, rows: true });
    probCases.push({ args: [x, y], shape: [[N, C], [N, C]], options: { labelSmoothing: 0.2, weight: L.tensor(w) }, rows: true });
  }
  results.push(measure('crossEntropy (class indices)', L.crossEntropy, ceCases));
  results.push(measure('crossEntropy (probabilities)', L.crossEntropy, probCases));
  for (const [name, fn] of [['softmax', L.softmax], ['logSoftmax', L.logSoftmax], ['logSumExp', L.logSumExp]]) {
    results.push(activation(name, fn, rows.map(({ x, N, C }) => [x, [N, C]])));
  }
  // Elementwise: differences and logits at several scales with special values, probabilities down to subnormals.
  const n = 1 << 16;
  const spread = (scale) => Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale * 10 ** (-3 * next()));
  const pairs = [1e-3, 1, 30, 1e4].map((s) => [spread(s), spread(s)]);
  // (±1e38, not float32's max: Huber's delta · |d| must stay finite, see the non-finite check above)
  const specials = Float32Array.from([0, -0, 1e-40, -1e-40, 1e30, -1e30, 1e38, -1e38]);
  pairs.push([specials, Float32Array.from([0, 0, 0, 1, -1e30, 1e30, 0, 1])]);
  const elementwise = (args) => args.map(([a, b]) => ({ args: [a, b], shape: [[a.length], [b.length]] }));
  results.push(measure('l1Loss', L.l1Loss, elementwise(pairs)));
  results.push(measure('mseLoss', L.mseLoss, elementwise(pairs.slice(0, 3))));
  for (const beta of [1, 0.5, 1e39]) results.push(measure(`smoothL1Loss (beta ${beta})`, L.smoothL1Loss, elementwise(pairs).map((c) => ({ ...c, options: { beta } }))));
  results.push(measure('huberLoss (delta 1.5)', L.huberLoss, elementwise(pairs).map((c) => ({ ...c, options: { delta: 1.5 } }))));
  const probs = Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 10 ** (-45 * next()) : i % 4 === 1 ? 1 - 10 ** (-7 * next()) : next()));
  const targets01 = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : next()));
  results.push(measure('binaryCrossEntropy', L.binaryCrossEntropy, [{ args: [probs, targets01], shape: [[n], [n]] }]));
  const logits = Float32Array.from({ length: n }, () => (next() * 2 - 1) * 10 ** (3 * next() - 1));
  const pw = Float32Array.from({ length: 4 }, () => 0.3 + 3 * next());
  results.push(measure('binaryCrossEntropyWithLogits', L.binaryCrossEntropyWithLogits, [{ args: [logits, targets01], shape: [[n], [n]] }]));
  results.push(measure('binaryCrossEntropyWithLogits (posWeight)', L.binaryCrossEntropyWithLogits, [{ args: [logits, targets01], shape: [[n / 4, 4], [n / 4, 4]], options: { posWeight: L.tensor(pw) } }]));
  for (const gamma of [2, 0.5, 1.5]) {
    results.push(measure(`sigmoidFocalLoss (gamma ${gamma})`, L.sigmoidFocalLoss, [{ args: [logits, targets01], shape: [[n], [n]], options: { gamma } }]));
  }
  return { variant: L.wasmVariant(), results };
}

function argmax(x, r, C) {
  let best = 0;
  for (let c = 1; c < C; c++) if (x[r * C + c] > x[r * C + best]) best = c;
  return best;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await measureAccuracy();
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 1));
  else {
    const f = (v) => v.toExponential(1);
    console.log(`WebAssembly kernels (${report.variant}) against float64, per output:`);
    console.log('  componentwise: max error in float32 ulps and relative, over results >= 2^-100;');
    console.log("  floored: max error relative to max(|result|, the row's largest |result|) for rows, max(|result|, 1) elementwise;");
    console.log('  tiny: max absolute error where |result| < 2^-100 (exps below 2^-126 flush to 0)');
    for (const r of report.results) {
      for (const [k, w] of Object.entries(r).filter(([key]) => key !== 'name')) {
        const mismatch = w.mismatches ? `  ${w.mismatches} NaN/inf MISMATCHES` : '';
        console.log(`${`${r.name}, ${k}`.padEnd(56)} ${String(w.ulps).padStart(9)} ulp  ${f(w.rel)}   floored ${f(w.floored)}   tiny ${f(w.tiny)}${mismatch}`);
      }
    }
  }
}
