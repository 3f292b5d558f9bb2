// `npm run bench`: losskit (WebAssembly and TypeScript paths) against plain JavaScript, TF.js
// (cpu and wasm backends), ONNX Runtime (native, 1 thread) and PyTorch (1 thread, when a Python with
// torch is available: LOSSKIT_PYTHON, default python3), side by side in one process run.
// Every implementation starts from and ends with plain typed arrays (TF.js and ONNX Runtime include
// their tensor creation and read-back). Each workload: 2 warm-up runs, then 7 rounds in which every
// implementation runs once (rotating the order); the table gives medians and ratios to losskit.
// Options: --smoke (tiny sizes, 3 rounds: checks the harness, not the speed), --only a,b (workloads;
// written to results-partial.json), --warm (each round runs every implementation 5 times back to
// back and keeps the last 4: caches warm with its own data, as in a training loop; results-warm.json).
// On Node 20, `node --experimental-wasm-relaxed-simd bench/run.js` runs losskit's fused multiply-add
// kernels (the default on Node 22+); the header says which ran.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import ort from 'onnxruntime-node';
import * as L from 'losskit';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { crossEntropyOnnx } from './onnx-model.js';

const { values: args } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, only: { type: 'string' }, warm: { type: 'boolean', default: false } } });
const SMOKE = args.smoke;
const WARM = args.warm;
const BLOCK = WARM ? 5 : 1; // runs of one implementation back to back per round; with --warm the first of each is dropped
const ROUNDS = SMOKE ? 3 : 7;
const WARMUP = 2;
const SLOW_MS = SMOKE ? 1e9 : 3000; // an implementation slower than this per run is skipped for the workload (see measure)
const scale = (n) => (SMOKE ? Math.max(1, Math.round(n / 1000)) : n);
const PROTOCOL = WARM
  ? `medians of ${ROUNDS} rounds × ${BLOCK - 1} back-to-back runs (each block's first run dropped) after ${WARMUP} warm-ups`
  : `medians of ${ROUNDS} interleaved runs after ${WARMUP} warm-ups`;
const here = fileURLToPath(new URL('.', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Workloads and inputs

const M4 = scale(4 << 20);
const WORKLOADS = [
  { id: 'ce-fwd', title: 'cross-entropy, class indices [4096, 1000], forward', kind: 'ce', grad: false, size: [scale(4096), 1000] },
  { id: 'ce-grad', title: 'cross-entropy, class indices [4096, 1000], forward + gradient', kind: 'ce', grad: true, size: [scale(4096), 1000] },
  { id: 'ce-large-fwd', title: 'cross-entropy [2048, 32000] (LM vocabulary), forward', kind: 'ce', grad: false, size: [scale(2048), 32000] },
  { id: 'ce-large-grad', title: 'cross-entropy [2048, 32000] (LM vocabulary), forward + gradient', kind: 'ce', grad: true, size: [scale(2048), 32000] },
  { id: 'softmax', title: 'softmax [4096, 1000] along the last dimension', kind: 'softmax', size: [scale(4096), 1000] },
  ...['bce-with-logits', 'bce', 'l1', 'mse', 'smooth-l1', 'huber', 'sigmoid-focal'].map((id) => ({ id, title: `${id}, ${M4} elements, forward + gradient`, kind: 'elementwise', size: [M4] })),
];
const SWEEP = (SMOKE ? [1e3, 1e4] : [1e3, 1e4, 1e5, 1e6, 1e7, 1e8]).map((n) => ({ id: 'sweep', title: `cross-entropy forward + gradient, ${n} elements`, kind: 'ce', grad: true, size: [Math.max(1, n / 1000), Math.min(1000, n)], elements: n }));

let seed = 12345;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

function inputs(w) {
  if (w.kind === 'ce' || w.kind === 'softmax') {
    const [n, c] = w.size;
    return { n, c, x: Float32Array.from({ length: n * c }, () => random() * 6 - 3), t: Int32Array.from({ length: n }, () => Math.floor(random() * c)) };
  }
  const n = w.size[0];
  const x = Float32Array.from({ length: n }, () => (w.id === 'bce' ? 0.01 + 0.98 * random() : random() * 4 - 2));
  const y = Float32Array.from({ length: n }, () => (w.id === 'sigmoid-focal' ? (random() < 0.5 ? 0 : 1) : random()));
  return { n, x, y };
}

// ---------------------------------------------------------------------------------------------
// Implementations: each returns a function that runs the workload once, or null where it has none.

const LOSSKIT = { 'bce-with-logits': L.binaryCrossEntropyWithLogits, bce: L.binaryCrossEntropy, l1: L.l1Loss, mse: L.mseLoss, 'smooth-l1': L.smoothL1Loss, huber: L.huberLoss, 'sigmoid-focal': L.sigmoidFocalLoss };

const losskit = (backend, reuse = false) => (w, d) => {
  const use = () => L.setBackend(backend);
  if (reuse && !((w.kind === 'ce' && w.grad) || w.kind === 'elementwise')) return null;
  if (w.kind === 'ce') {
    const logits = new L.Tensor(d.x, [d.n, d.c]);
    const targets = new L.Tensor(d.t, [d.n]);
    // reuse: the gradient goes into one caller-owned array (withGrad's gradInto), as in a training loop
    const into = reuse ? { gradInto: new Float32Array(d.n * d.c) } : {};
    return w.grad ? () => (use(), L.crossEntropy.withGrad(logits, targets, into).grad.data) : () => (use(), L.crossEntropy(logits, targets).item());
  }
  if (w.kind === 'softmax') {
    const logits = new L.Tensor(d.x, [d.n, d.c]);
    return () => (use(), L.softmax(logits).data);
  }
  const fn = LOSSKIT[w.id];
  const x = new L.Tensor(d.x, [d.n]);
  const y = new L.Tensor(d.y, [d.n]);
  // The gradient of the input only (argnums), as the other implementations compute it.
  const options = reuse ? { argnums: [0], gradInto: new Float32Array(d.n) } : { argnums: [0] };
  return () => (use(), fn.withGrad(x, y, options).grad.data);
};

/** Plain scalar JavaScript, the way one writes it by hand: max, Math.exp, sum, log per row. */
const plain = (w, d) => {
  if (w.kind === 'ce' || w.kind === 'softmax') {
    const { n, c, x, t } = d;
    return () => {
      const grad = w.kind === 'softmax' || w.grad ? new Float32Array(n * c) : null;
      let total = 0;
      for (let r = 0; r < n; r++) {
        const o = r * c;
        let m = -Infinity;
        for (let k = 0; k < c; k++) if (x[o + k] > m) m = x[o + k];
        let s = 0;
        for (let k = 0; k < c; k++) s += Math.exp(x[o + k] - m);
        total += Math.log(s) + m - x[o + t[r]];
        if (grad) {
          for (let k = 0; k < c; k++) grad[o + k] = Math.exp(x[o + k] - m) / s / (w.kind === 'softmax' ? 1 : n);
          if (w.kind !== 'softmax') grad[o + t[r]] -= 1 / n;
        }
      }
      return grad ?? total / n;
    };
  }
  const { n, x, y } = d;
  const point = {
    'bce-with-logits': (a, b) => [Math.max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a))), 1 / (1 + Math.exp(-a)) - b],
    bce: (a, b) => [-(b * Math.max(Math.log(a), -100) + (1 - b) * Math.max(Math.log1p(-a), -100)), (a - b) / Math.max(a * (1 - a), 1e-12)],
    l1: (a, b) => [Math.abs(a - b), Math.sign(a - b)],
    mse: (a, b) => [(a - b) ** 2, 2 * (a - b)],
    'smooth-l1': (a, b) => (Math.abs(a - b) < 1 ? [0.5 * (a - b) ** 2, a - b] : [Math.abs(a - b) - 0.5, Math.sign(a - b)]),
    huber: (a, b) => (Math.abs(a - b) < 1 ? [0.5 * (a - b) ** 2, a - b] : [Math.abs(a - b) - 0.5, Math.sign(a - b)]),
    'sigmoid-focal': null,
  }[w.id];
  if (!point) return null;
  return () => {
    const grad = new Float32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const [l, g] = point(x[i], y[i]);
      total += l;
      grad[i] = g / n;
    }
    return grad;
  };
};

const tfjs = (backend) => (w, d) => {
  const use = () => tf.setBackend(backend);
  if (w.kind === 'ce') {
    const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(d.t, 'int32'), d.c));
    const loss = (logits) => tf.losses.softmaxCrossEntropy(onehot, logits);
    const gradient = tf.grad(loss);
    return async () => {
      await use();
      return tf.tidy(() => {
        const logits = tf.tensor2d(d.x, [d.n, d.c]);
        return w.grad ? gradient(logits).dataSync() : loss(logits).dataSync();
      });
    };
  }
  if (w.kind === 'softmax') {
    return async () => (await use(), tf.tidy(() => tf.softmax(tf.tensor2d(d.x, [d.n, d.c])).dataSync()));
  }
  const loss = { 'bce-with-logits': (y, x) => tf.losses.sigmoidCrossEntropy(y, x), bce: (y, x) => tf.losses.logLoss(y, x), l1: (y, x) => tf.losses.absoluteDifference(y, x), mse: (y, x) => tf.losses.meanSquaredError(y, x), huber: (y, x) => tf.losses.huberLoss(y, x) }[w.id];
  if (!loss) return null;
  return async () => {
    await use();
    return tf.tidy(() => {
      const x = tf.tensor1d(d.x);
      const y = tf.tensor1d(d.y);
      return tf.grad((p) => loss(y, p))(x).dataSync();
    });
  };
};

let ortSession = null;
const onnx = async (w, d) => {
  if (w.kind !== 'ce' || w.grad) return null;
  ortSession ??= await ort.InferenceSession.create(crossEntropyOnnx(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const labels = new ort.Tensor('int64', BigInt64Array.from(d.t, (v) => BigInt(v)), [d.n]);
  return async () => (await ortSession.run({ logits: new ort.Tensor('float32', d.x, [d.n, d.c]), labels })).loss.data[0];
};

/** PyTorch in a persistent Python process: one request per timed run, timed inside Python. */
function torchWorker() {
  const python = process.env.LOSSKIT_PYTHON ?? 'python3';
  const child = spawn(python, [`${here}torch_worker.py`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (request) => {
    child.stdin.write(JSON.stringify(request) + '\n');
    const { value, done } = await lines.next();
    if (done) throw new Error(`PyTorch worker stopped: ${stderr.trim().split('\n').pop()}`);
    return JSON.parse(value);
  };
  return { ask, close: () => child.stdin.end(), version: null };
}

// ---------------------------------------------------------------------------------------------
// Timing

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeOnce(run) {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function measure(w, implementations, torch) {
  const data = inputs(w);
  const runs = [];
  for (const [name, make] of implementations) {
    const run = await make(w, data);
    if (run) runs.push({ name, run, times: [], note: '' });
  }
  let torchVersion = null;
  if (torch) {
    try {
      const ready = await torch.ask({ workload: w.id === 'sweep' ? 'sweep' : w.id, size: w.size, prepare: true });
      torchVersion = ready.torch;
      runs.push({ name: `PyTorch ${torchVersion} CPU, 1 thread`, run: async () => (await torch.ask({ workload: w.id === 'sweep' ? 'sweep' : w.id, size: w.size })).ms, times: [], note: '', selfTimed: true });
    } catch (e) {
      console.error(`  PyTorch: ${e.message}`);
    }
  }
  const attempt = async (r, work) => {
    try {
      await work();
    } catch (e) {
      r.note = `failed: ${String(e.message ?? e).split('\n')[0].slice(0, 80)}`;
      r.times = [];
    }
  };
  for (const r of runs) {
    // The first run may include one-time work (kernel compilation, gradient tapes): an
    // implementation is skipped when its last warm-up run is too slow, or its first hopelessly so.
    await attempt(r, async () => {
      for (let i = 0; i < WARMUP; i++) {
        const t = r.selfTimed ? await r.run() : await timeOnce(r.run);
        if ((i === WARMUP - 1 && t > SLOW_MS) || t > 5 * SLOW_MS) {
          r.note = `skipped: ${Math.round(t)} ms per run`;
          break;
        }
      }
    });
  }
  const active = runs.filter((r) => !r.note);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < active.length; k++) {
      const r = active[(k + round) % active.length];
      if (r.note) continue;
      await attempt(r, async () => {
        for (let b = 0; b < BLOCK; b++) {
          const t = r.selfTimed ? await r.run() : await timeOnce(r.run);
          if (BLOCK === 1 || b > 0) r.times.push(t);
        }
      });
    }
  }
  return runs.map((r) => ({ name: r.name, ms: r.times.length ? median(r.times) : null, runs: r.times, note: r.note }));
}

// ---------------------------------------------------------------------------------------------

const IMPLEMENTATIONS = [
  ['losskit (WebAssembly SIMD)', losskit('wasm')],
  ['losskit (WebAssembly SIMD, gradInto)', losskit('wasm', true)],
  ['losskit (TypeScript)', losskit('ts')],
  ['plain JavaScript', plain],
  ['TF.js 4.22 cpu', tfjs('cpu')],
  ['TF.js 4.22 wasm', tfjs('wasm')],
  ['ONNX Runtime 1.30 (native, 1 thread)', onnx],
];

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  await L.wasmReady(); // losskit's kernels load lazily: without this the first runs would measure its TypeScript path
  const torch = process.env.LOSSKIT_NO_TORCH ? null : torchWorker();
  let torchAvailable = Boolean(torch);
  if (torch) {
    try {
      await torch.ask({ workload: 'l1', size: [8], prepare: true });
    } catch (e) {
      torchAvailable = false;
      console.log(`PyTorch skipped: ${e.message} (set LOSSKIT_PYTHON to a Python with torch)`);
    }
  }
  const only = args.only ? new Set(args.only.split(',')) : null;
  const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.type()} ${os.release()}`, node: process.version, losskitKernels: L.wasmVariant() };
  console.log(`# losskit benchmark${SMOKE ? ' (smoke run: tiny sizes, not a measurement)' : ''}\n`);
  console.log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, losskit kernels: ${machine.losskitKernels}; ${PROTOCOL}\n`);
  const results = [];
  for (const w of [...WORKLOADS, ...SWEEP]) {
    if (only && !only.has(w.id)) continue;
    const rows = await measure(w, w.id === 'sweep' ? IMPLEMENTATIONS.filter(([n]) => !n.includes('cpu') && !n.includes('ONNX')) : IMPLEMENTATIONS, torchAvailable ? torch : null);
    results.push({ workload: w.id, title: w.title, size: w.size, elements: w.elements ?? w.size.reduce((a, b) => a * b, 1), rows });
    const base = rows.find((r) => r.name === 'losskit (WebAssembly SIMD)')?.ms;
    console.log(`## ${w.title}\n\n| implementation | median ms | × losskit |\n|---|---|---|`);
    for (const r of rows) console.log(`| ${r.name} | ${r.ms === null ? r.note : r.ms.toFixed(2)} | ${r.ms === null || !base ? '' : (r.ms / base).toFixed(2)} |`);
    console.log('');
  }
  torch?.close();
  // A smoke run is CI's check that every implementation still runs: a failure fails it.
  const failures = results.flatMap((r) => r.rows.filter((row) => row.note.startsWith('failed')).map((row) => `${r.title}: ${row.name} ${row.note}`));
  if (SMOKE && failures.length) {
    console.error(failures.join('\n'));
    process.exitCode = 1;
  }
  // A smoke run or a partial run (--only) never overwrites the recorded full run.
  const suffix = (SMOKE ? '-smoke' : only ? '-partial' : '') + (WARM ? '-warm' : '');
  const out = `${here}results${suffix}.json`;
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, smoke: SMOKE, rounds: ROUNDS, protocol: PROTOCOL, results }, null, 1) + '\n');
  console.log(`wrote ${out}`);
  const sweep = results.filter((r) => r.workload === 'sweep').flatMap((r) => r.rows.filter((row) => row.ms !== null).map((row) => ({ elements: r.elements, ms: row.ms, implementation: row.name })));
  if (sweep.length) {
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'cross-entropy forward + gradient: time against size',
      width: 520,
      height: 320,
      data: { values: sweep },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'elements', type: 'quantitative', scale: { type: 'log' }, title: 'logits (elements, 1000 classes)' },
        y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'median time (ms)' },
        color: { field: 'implementation', type: 'nominal', title: null },
      },
      config: { font: 'sans-serif', legend: { labelLimit: 320, orient: 'bottom', columns: 2 } },
    };
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    const svgPath = `${here}results${suffix}.svg`;
    writeFileSync(svgPath, await view.toSVG());
    console.log(`wrote ${svgPath}`);
  }
}

await main();
