// `npm run bench`: losskit against PyTorch (1 thread), TF.js (wasm, cpu), jax-js (wasm), ONNX
// Runtime (native and wasm, where an inference graph applies) and plain JavaScript, side by side in
// one run, for every workload of bench/workloads.js (every loss and activation of the catalogue, its
// layouts, float32 and float64, forward and forward + gradient of argument 0), on Node 20 and
// Node 24, then a size sweep per family. Writes bench/results.json, bench/sweep-<family>.svg and
// docs/benchmarks.md (bench/report.js, from the results: nothing typed by hand).
//
//   node bench/run.js                 the full run, Node 20 then Node 24 (about 25 min each on a quiet
//                                     2-core machine: a model from measured per-call times, see
//                                     docs/benchmarks-notes.md; not yet timed end to end)
//   node bench/run.js --smoke         tiny sizes, one round, this Node only: checks that every
//                                     implementation runs (CI); writes results-smoke.json only
//   --scale 0.1                       batch dimensions × 0.1 (a reduced run; recorded as such)
//   --rounds 7 --only crossEntropy,mseLoss --node 24 (or 20,24; 'self' = this Node) --sweep-max 1e8
//                                     (the sweep: 1e3 to 1e7 elements by default)
//   --no-sweep, --out FILE (results file; docs/benchmarks.md is only written for bench/results.json)
//   --sweep-only                      only the sweep, its points put in place of the sweep of this
//                                     Node's run in the results file (which must hold one: the
//                                     workloads' rows stay as measured, with the date they were)
//   --append                          keep the other Node versions' runs of the results file (rerun one Node)
//   --impls losskit,jax-js            only the implementations whose names start so (PyTorch always runs)
//   --skip-impls cpu                  not the implementations whose names contain it (TF.js's cpu backend:
//                                     a third of a full run's time)
//   --warmup-ms 200 --sample-ms 30 --budget-ms 2000 --slow-ms 1000
//                                     the protocol's knobs (below); `--sample-ms 0 --warmup-ms 0
//                                     --budget-ms 1e9 --slow-ms 2500` is the protocol before batches
//
// Protocol per workload, the same for every implementation (PyTorch's worker included): inputs made
// once (seeded, scripts/random.mjs; the same bytes for PyTorch, which reads them from raw files).
// Per implementation: a warm-up of 2 single calls, then a batch making up --warmup-ms; a calibration
// as timeit's autorange (the smallest batch of 1, 2, 5, 10, ... consecutive calls lasting
// --sample-ms); then R rounds (--rounds, 7) in which each implementation times one batch of its
// calls, in an order rotated each round (fewer rounds, 3 at least, for an implementation whose
// rounds would last more than --budget-ms). A sample is the batch's time / its calls; the result is
// the median sample. Minor page faults per call are counted alongside (process.resourceUsage around
// a batch; getrusage in the worker). An implementation whose warm-up call exceeds --slow-ms (its
// first, compiling call: 3 × --slow-ms; losskit and PyTorch, the subjects: 3 × that) is skipped
// for the workload.
//
// Why batches: with single timed calls (2 warm-ups + R single calls, the protocol before), a
// workload's 16 MB result arrays were often fresh pages: V8 had not yet collected the previous
// calls' results, so malloc could not recycle their memory, and each such call page-faulted 4096
// times (mseLoss float32 fwd+grad [4096, 1024]: 18.7 ms in the harness, 7–8 ms in a loop of 20
// calls, on a quiet machine), where PyTorch frees each result at once. Consecutive calls are what a
// training loop makes (bench/page-faults.js shows the steady state). Results of 32 MB and more
// (float64 at 4M elements) are above glibc's largest mmap threshold: every call maps fresh pages, in
// PyTorch as in losskit. docs/benchmarks-notes.md has the measurements before and after.
//
// PyTorch runs in a persistent worker (bench/torch_worker.py, torch.set_num_threads(1)) that times
// its batches inside Python, when LOSSKIT_PYTHON (default: the repository's .venv-ref/bin/python,
// else python3) imports torch. The 1-minute load average is recorded per workload, and the seconds
// each workload took.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = path.resolve(here, '..');
function parseOptions(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`bench/run.js: ${error.message} (--help lists the options)`);
    process.exit(2);
  }
}
const { values: args } = parseOptions({
  options: {
    smoke: { type: 'boolean', default: false },
    scale: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    node: { type: 'string' },
    'sweep-max': { type: 'string' },
    'no-sweep': { type: 'boolean', default: false },
    'sweep-only': { type: 'boolean', default: false },
    out: { type: 'string' },
    append: { type: 'boolean', default: false },
    impls: { type: 'string' },
    'skip-impls': { type: 'string' },
    'slow-ms': { type: 'string' },
    'sample-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    'steady-calls': { type: 'string' },
    'budget-ms': { type: 'string' },
    child: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  // The usage is this file's opening comment (one place): print it.
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  console.log(source.slice(0, source.indexOf('\nimport ')).replace(/^\/\/ ?/gm, ''));
  process.exit(0);
}
const SMOKE = args.smoke;
const SCALE = SMOKE ? 1 / 1024 : Number(args.scale ?? 1);
const ROUNDS = Number(args.rounds ?? (SMOKE ? 1 : 7));
const WARMUP = SMOKE ? 1 : 2;
/** An implementation whose warm-up call takes longer than this (the first, compiling: 3 times this; losskit and PyTorch: 3 times) is skipped for the workload. */
const SLOW_MS = SMOKE ? 1e9 : Number(args['slow-ms'] ?? 1000);
/** Each implementation's timed rounds last about this long at most: fewer rounds (not under MIN_ROUNDS) for slow calls. */
const BUDGET_MS = Number(args['budget-ms'] ?? 2000);
const MIN_ROUNDS = Math.min(3, ROUNDS);
/** A timed sample is a batch of consecutive calls lasting at least this long (one call if it does alone). */
const SAMPLE_MS = SMOKE ? 0 : Number(args['sample-ms'] ?? 30);
/** The warm-up lasts at least WARMUP calls and this long, and STEADY_CALLS calls where they take under a second. */
const WARMUP_MS = SMOKE ? 0 : Number(args['warmup-ms'] ?? 200);
const STEADY_CALLS = SMOKE ? 0 : Number(args['steady-calls'] ?? 10);
const SWEEP_MAX = Number(args['sweep-max'] ?? (SMOKE ? 1e4 : 1e7));
const SWEEP = args['no-sweep'] ? [] : [1e3, 1e4, 1e5, 1e6, 1e7, 1e8].filter((n) => n <= SWEEP_MAX);
const OUT = args.out ? path.resolve(args.out) : path.join(here, SMOKE ? 'results-smoke.json' : args.only || SCALE !== 1 ? 'results-partial.json' : 'results.json');

// ---------------------------------------------------------------------------------------------
// The parent: one child process per Node version, then the report.

function python() {
  if (process.env.LOSSKIT_PYTHON) return process.env.LOSSKIT_PYTHON;
  const venv = path.join(root, '.venv-ref/bin/python');
  return existsSync(venv) ? venv : 'python3';
}

function nodeBinaries() {
  const wanted = (args.node ?? (SMOKE ? 'self' : '20,24')).split(',');
  return wanted.map((v) => {
    if (v === 'self' || process.version.startsWith(`v${v}.`)) return process.execPath;
    const got = spawnSync(process.execPath, [path.join(root, 'scripts/fetch-node.mjs'), v], { encoding: 'utf8' });
    if (got.status !== 0) throw new Error(`bench: no Node ${v}: ${got.stderr.trim()}`);
    return got.stdout.trim().split('\n').pop();
  });
}

const uptime = () => os.loadavg().map((v) => Number(v.toFixed(2)));

async function parent() {
  const started = new Date();
  const command = `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim();
  const runs = [];
  for (const node of nodeBinaries()) {
    const out = path.join(os.tmpdir(), `losskit-bench-${process.pid}-${runs.length}.json`);
    const childArgs = [fileURLToPath(import.meta.url), '--child', '--out', out, ...process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out')];
    const load = { start: uptime() };
    const date = new Date().toISOString();
    const code = await new Promise((resolve) => spawn(node, childArgs, { stdio: 'inherit' }).on('exit', resolve));
    if (code !== 0) process.exitCode = 1;
    if (existsSync(out)) {
      load.end = uptime();
      // Each run says how it was measured: a results file may hold runs of several commands (--append).
      runs.push({ ...JSON.parse(readFileSync(out, 'utf8')), command, date, scale: SCALE, rounds: ROUNDS, smoke: SMOKE, load });
      rmSync(out);
    }
  }
  const previous = (args.append || args['sweep-only']) && existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : null;
  if (args['sweep-only']) {
    // The new sweep points replace the old ones of the same Node's run; everything else is kept.
    for (const run of runs) {
      const old = previous?.runs.find((r) => r.node === run.node);
      if (!old) throw new Error(`bench: --sweep-only needs a run on Node ${run.node} in ${path.relative(root, OUT)}`);
      Object.assign(run, { ...old, sweepCommand: command, sweepDate: run.date, results: [...old.results.filter((r) => !r.sweep), ...run.results.filter((r) => r.sweep)] });
    }
  }
  // A run recorded before runs carried their own protocol takes its file's.
  const kept = (previous?.runs ?? [])
    .map((r) => ({ command: previous.command, date: previous.date, scale: previous.scale, rounds: previous.rounds, smoke: previous.smoke, load: previous.load, ...r }))
    .filter((r) => !runs.some((n) => n.node === r.node));
  // A sweep-only run keeps the file's order of runs; otherwise the new runs come last.
  const all = args['sweep-only'] ? previous.runs.map((r) => runs.find((n) => n.node === r.node) ?? r) : [...kept, ...runs];
  const results = {
    date: started.toISOString(),
    minutes: Number(((Date.now() - started) / 60000).toFixed(1)),
    command,
    smoke: all.some((r) => r.smoke),
    scale: all.every((r) => r.scale === 1) ? 1 : SCALE,
    rounds: ROUNDS,
    load: { start: all.map((r) => r.load.start[0]), end: all.map((r) => r.load.end[0]) },
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.type()} ${os.release()}` },
    runs: all,
  };
  // Written whole, then renamed: an interrupted run never leaves half a results file.
  writeFileSync(`${OUT}.tmp`, JSON.stringify(results, null, 1) + '\n');
  renameSync(`${OUT}.tmp`, OUT);
  console.log(`wrote ${path.relative(root, OUT)} (${results.minutes} min)`);
  const { writeReport } = await import('./report.js');
  // The sweep plots of bench/results.json are bench/sweep-<family>.svg; another run's go beside its
  // results file (results-partial.json: results-partial.sweep-<family>.svg), never over them.
  const official = OUT === path.join(here, 'results.json');
  await writeReport(results, { docs: official, svgDir: SMOKE ? null : path.dirname(OUT), svgPrefix: official ? '' : `${path.basename(OUT, '.json')}.`, file: OUT });
}

// ---------------------------------------------------------------------------------------------
// A child: every workload on this Node.

function torchWorker(dir) {
  const child = spawn(python(), [path.join(here, 'torch_worker.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.on('error', () => {});
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (request) => {
    child.stdin.write(JSON.stringify(request) + '\n');
    const { value, done } = await lines.next();
    if (done) throw new Error(`PyTorch worker stopped: ${stderr.trim().split('\n').pop()}`);
    const answer = JSON.parse(value);
    if (answer.error) throw new Error(answer.error);
    return answer;
  };
  /** Writes the arguments as raw files (the worker reads them with numpy) and prepares the call. */
  const prepare = async (w, d) => {
    const file = (name, array) => {
      const p = path.join(dir, `${name}.bin`);
      writeFileSync(p, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return p;
    };
    const spec = (name, array, shape) => ({ file: file(name, array), shape, dtype: array instanceof Int32Array ? 'int32' : w.dtype });
    const workload = {
      fn: w.fn,
      reference: w.reference,
      grad: w.grad,
      options: w.options,
      args: d.args.map((a, k) => spec(`a${k}`, a, w.args[k].shape)),
      tensorOptions: Object.fromEntries(Object.entries(d.tensorOptions).map(([k, a]) => [k, spec(k, a, w.tensorOptions[k].shape)])),
      gradOutput: d.gradOutput && w.grad ? spec('up', d.gradOutput.data, d.gradOutput.shape) : null,
    };
    return ask({ op: 'prepare', workload });
  };
  return { ask, prepare, close: () => child.stdin.end() };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * A batch of `calls` consecutive calls of a JavaScript implementation, timed as one: its total
 * milliseconds and the minor page faults the process took meanwhile (fresh result pages). Keeps
 * the last call's result on `row.value` (for the comparison with losskit's). A synchronous
 * implementation (its first call returns no promise) is called without `await` (a microtask per
 * call would be timed).
 */
async function timeBatch(row, calls) {
  let value;
  const faults = process.resourceUsage().minorPageFault;
  const start = performance.now();
  let i = 0;
  if (row.sync === undefined) {
    // The first call tells whether the implementation is synchronous.
    value = row.run();
    row.sync = !(value instanceof Promise);
    value = await value;
    i = 1;
  }
  if (row.sync) for (; i < calls; i++) value = row.run();
  else for (; i < calls; i++) value = await row.run();
  const ms = performance.now() - start;
  row.value = value;
  return { ms, faults: process.resourceUsage().minorPageFault - faults };
}

/** Batch sizes tried by the calibration (timeit's autorange): 1, 2, 5, 10, 20, 50, ... */
const batchSizes = function* () {
  for (let scale = 1; ; scale *= 10) for (const m of [1, 2, 5]) yield m * scale;
};

/**
 * How far an implementation's result is from losskit's: the largest difference relative to the
 * largest magnitude of losskit's result (a loss value, or the gradient); null when not comparable
 * (self-timed runs return their time, not their result).
 */
function difference(ours, theirs) {
  const flat = (v) => (typeof v === 'number' ? [v] : v && typeof v.length === 'number' ? v : null);
  const a = flat(ours);
  const b = flat(theirs);
  if (!a || !b || a.length !== b.length) return a && b ? { worst: Infinity, entries: 0, of: 0 } : null;
  let scale = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) scale = Math.max(scale, Math.abs(a[i]));
  scale ||= 1;
  let worst = 0;
  let entries = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(Number(a[i]) - Number(b[i]));
    if (!(d <= AGREE * scale)) entries++;
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return { worst: worst / scale, entries, of: a.length };
}
/** Beyond this, another implementation is not computing what losskit computes (float32 rounding is ~1e-6). */
const AGREE = 1e-3;
/**
 * A float32 loss value (a forward pass: one number, the mean of millions of terms) from a library
 * that sums in float32, term after term, is off by up to ~n·2^-24 of its magnitude: TF.js and
 * jax-js measured 1.4e-3 to 4.9e-3 on 4M terms, where losskit's sum is compensated (exact to the
 * last bit of float32 here). Such a row is timed all the same, its difference kept beside its time
 * (`accuracy`) and shown in the report; a gradient, or a larger difference, still fails.
 */
const FLOAT32_SUM = 1e-2;
/**
 * A gradient that differs at a handful of entries only (at most this fraction of them) is the same
 * gradient with another subgradient at a kink, where two inputs are exactly equal: on the
 * harness's 4M float32 inputs made from two seeds, l1Loss's and marginRankingLoss's x and y
 * coincide at one entry (940098). There PyTorch (and losskit) take l1_loss's sgn(0) = 0 and pass
 * margin_ranking_loss's gradient through clamp_min at 0, where TF.js and jax-js take abs's slope
 * at 0 as +1 and TF.js relu's as 0 (measured on [0.5, 1] against [0.5, 0.2]). Such a row is
 * timed, the count kept beside its time (`kinks`).
 */
const KINKS = 1e-6;

async function measure(w, implementations, torch, makeData) {
  const data = makeData(w);
  const rows = [];
  for (const [name, make] of implementations) {
    let run;
    try {
      run = await make(w, data);
    } catch (e) {
      run = `failed: ${String(e.message ?? e).split('\n')[0].slice(0, 100)}`;
    }
    rows.push(typeof run === 'function' ? { name, run, times: [], faults: [], note: '', selfTimed: Boolean(run.selfTimed) } : { name, run: null, times: [], faults: [], note: run.startsWith('failed') ? run : `n/a: ${run}` });
  }
  if (torch) {
    const row = { name: torch.name, run: null, times: [], faults: [], note: '', selfTimed: true };
    try {
      const ready = await torch.prepare(w, data);
      if (ready.skip) row.note = `n/a: ${ready.skip}`;
      else row.run = (calls) => torch.ask({ op: 'run', calls });
    } catch (e) {
      row.note = `failed: ${e.message.slice(0, 100)}`;
    }
    rows.push(row);
  }
  // A batch of calls, timed as one (self-timed implementations time it in their worker).
  const batch = (r, calls) => (r.selfTimed ? r.run(calls) : timeBatch(r, calls));
  const attempt = async (r, work) => {
    try {
      await work();
    } catch (e) {
      r.note = `failed: ${String(e.message ?? e).split('\n')[0].slice(0, 100)}`;
      r.times = [];
    }
  };
  const active = rows.filter((r) => r.run);
  // losskit and PyTorch are what the run compares: they are skipped only 3 times as late.
  for (const r of active) r.subject = r.name.startsWith('losskit') || r.name === torch?.name;
  for (const r of active) {
    await attempt(r, async () => {
      // Warm-up: WARMUP single calls, then a batch making up WARMUP_MS and STEADY_CALLS calls (when
      // those take under a second): the engines compile, and a loop's results reach their steady
      // state, where V8 has collected the first calls' result arrays and malloc reuses their pages
      // instead of taking fresh ones from the kernel (bench/page-faults.js: 4 to 9 calls on Node 24).
      let spent = 0;
      for (let i = 0; i < WARMUP; i++) {
        const t = (await batch(r, 1)).ms;
        if (t > (i === 0 ? 3 : 1) * (r.subject ? 3 : 1) * SLOW_MS) {
          r.note = `skipped: ${Math.round(t)} ms a call`;
          return;
        }
        r.last = t;
        spent += t;
      }
      const steady = Math.max(0, STEADY_CALLS - WARMUP);
      const more = Math.max(Math.ceil((WARMUP_MS - spent) / Math.max(r.last, 1e-3)), steady * r.last <= 1000 ? steady : 0);
      if (more > 0) await batch(r, more);
      // Calibration (timeit's autorange): the smallest batch of 1, 2, 5, 10, ... calls that takes
      // at least SAMPLE_MS, starting from the warm-up's estimate (its time counts as warm-up too).
      r.calls = 1;
      r.callMs = r.last;
      if (r.last < SAMPLE_MS) {
        const guess = SAMPLE_MS / Math.max(r.last, 1e-4);
        for (const calls of batchSizes()) {
          if (calls * 2 < guess) continue;
          r.calls = calls;
          r.callMs = (await batch(r, calls)).ms / calls;
          if (r.callMs * calls >= SAMPLE_MS) break;
        }
      }
      r.rounds = Math.max(MIN_ROUNDS, Math.min(ROUNDS, Math.floor(BUDGET_MS / (r.calls * r.callMs))));
    });
  }
  // Every implementation must compute what losskit computes (the same loss or gradient).
  const reference = rows.find((r) => r.name === 'losskit')?.value;
  for (const r of active) {
    if (r.selfTimed || r.name === 'losskit' || r.note || reference === undefined) continue;
    const d = difference(reference, r.value);
    if (d !== null && !(d.worst <= AGREE)) {
      if (w.dtype === 'float32' && !w.grad && d.worst <= FLOAT32_SUM) r.accuracy = d.worst;
      else if (w.grad && d.entries <= d.of * KINKS) r.kinks = d.entries;
      else r.note = `failed: differs from losskit's result by ${d.worst.toExponential(1)} of its magnitude${d.of > 1 ? ` (at ${d.entries} of ${d.of} entries)` : ''}`;
    }
  }
  // R rounds; in each, every implementation times one batch of its calls, in an order rotated
  // each round: a sample is the batch's time / its calls.
  const timed = active.filter((r) => !r.note);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < timed.length; k++) {
      const r = timed[(k + round) % timed.length];
      if (!r.note && round < r.rounds) {
        await attempt(r, async () => {
          const { ms, faults } = await batch(r, r.calls);
          r.times.push(ms / r.calls);
          if (faults !== undefined) r.faults.push(faults / r.calls);
        });
      }
    }
  }
  return rows.map((r) => ({ name: r.name, ms: r.times.length ? median(r.times) : null, calls: r.times.length ? r.calls : null, faults: r.faults.length ? Math.round(median(r.faults)) : null, runs: r.times.map((t) => Number(t.toPrecision(4))), note: r.note, ...(r.accuracy === undefined ? {} : { accuracy: Number(r.accuracy.toPrecision(2)) }), ...(r.kinks === undefined ? {} : { kinks: r.kinks }) }));
}

async function child() {
  const L = await import('losskit');
  const W = await import('./workloads.js');
  const I = await import('./implementations.js');
  // Read from the installed package.json (some packages do not export it).
  const version = (p) => JSON.parse(readFileSync(path.join(here, 'node_modules', p, 'package.json'), 'utf8')).version;
  await L.wasmReady(); // the kernels load lazily: without this the first runs would measure the TypeScript path
  const dir = path.join(os.tmpdir(), `losskit-bench-data-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  let torch = process.env.LOSSKIT_NO_TORCH ? null : torchWorker(dir);
  let torchNote = process.env.LOSSKIT_NO_TORCH ? 'LOSSKIT_NO_TORCH is set' : null;
  if (torch) {
    try {
      const hello = await torch.ask({ op: 'hello' });
      torch.name = `PyTorch ${hello.torch} (${hello.threads} thread)`;
    } catch (e) {
      torchNote = `${e.message} (set LOSSKIT_PYTHON to a Python with torch)`;
      torch = null;
      console.log(`PyTorch skipped: ${torchNote}`);
    }
  }
  const tfv = version('@tensorflow/tfjs');
  const ALL_IMPLEMENTATIONS = [
    ['losskit', I.losskit(false)],
    ['losskit (gradInto)', I.losskit(true)],
    ['plain JavaScript', I.plain],
    [`TF.js ${tfv} wasm`, I.tfjs('wasm')],
    [`TF.js ${tfv} cpu`, I.tfjs('cpu')],
    [`jax-js ${version('@jax-js/jax')} wasm`, I.jaxjs],
    [`ONNX Runtime ${version('onnxruntime-node')} native`, I.onnxNative],
    [`ONNX Runtime Web ${version('onnxruntime-web')} wasm`, I.onnxWeb],
  ];
  const wantedImpls = args.impls?.split(',');
  const skippedImpls = args['skip-impls']?.split(',') ?? [];
  const IMPLEMENTATIONS = ALL_IMPLEMENTATIONS.filter(([n]) => (!wantedImpls || wantedImpls.some((w) => n.startsWith(w))) && !skippedImpls.some((w) => n.includes(w)));
  const SWEEP_IMPLEMENTATIONS = IMPLEMENTATIONS.filter(([n]) => n === 'losskit' || n.includes('TF.js') && n.endsWith('wasm') || n.startsWith('jax-js'));
  const only = args.only ? args.only.split(',') : null;
  const { workloads, missing } = W.workloads({ scale: SCALE, only, smoke: SMOKE });
  const sweep = only ? [] : W.sweepWorkloads(SWEEP);
  if (args['sweep-only']) workloads.length = 0;
  console.log(`# losskit benchmark on Node ${process.version}${SMOKE ? ' (smoke run: tiny sizes, not a measurement)' : ''}: ${workloads.length} workloads + ${sweep.length} sweep points, ${ROUNDS} rounds, load ${uptime().join(' ')}`);
  if (missing.length) console.log(`not benchmarked: ${missing.join(', ')}`);
  const results = [];
  for (const w of [...workloads, ...sweep]) {
    const loadBefore = os.loadavg()[0];
    const began = performance.now();
    const rows = await measure(w, w.sweep ? SWEEP_IMPLEMENTATIONS : IMPLEMENTATIONS, torch, W.makeData);
    const resultBytes = w.grad ? w.elements * (w.dtype === 'float64' ? 8 : 4) : 0;
    const { args: _a, ...rest } = w;
    results.push({ ...rest, shapes: w.args.map((a) => a.shape), resultBytes, load: Number(((loadBefore + os.loadavg()[0]) / 2).toFixed(2)), seconds: Number(((performance.now() - began) / 1000).toFixed(2)), rows });
    const fmt = (r) => (r.ms === null ? r.note.split(':')[0] : `${r.ms.toFixed(2)}${r.calls > 1 ? ` (×${r.calls})` : ''}`);
    console.log(`${w.id}: ${rows.map((r) => `${r.name} ${fmt(r)}`).join(' | ')}`);
  }
  torch?.close();
  rmSync(dir, { recursive: true, force: true });
  const failures = results.flatMap((r) => r.rows.filter((row) => row.note.startsWith('failed')).map((row) => `${r.id}: ${row.name} ${row.note}`));
  if (failures.length) console.error(`failures:\n${failures.join('\n')}`);
  // A smoke run is CI's check that every implementation still runs: a failure fails it.
  if (SMOKE && failures.length) process.exitCode = 1;
  const protocol = { warmupCalls: WARMUP, warmupMs: WARMUP_MS, steadyCalls: STEADY_CALLS, sampleMs: SAMPLE_MS, slowMs: SLOW_MS, budgetMs: BUDGET_MS, minRounds: MIN_ROUNDS };
  const run = { node: process.version, v8: process.versions.v8, losskitKernels: L.wasmVariant(), torch: torch?.name ?? null, torchNote, protocol, implementations: IMPLEMENTATIONS.map(([n]) => n), missing, results };
  writeFileSync(args.out, JSON.stringify(run) + '\n');
  // Worker threads and wasm runtimes of the other libraries may keep the event loop alive.
  process.exit();
}

await (args.child ? child() : parent());
