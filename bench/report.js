// docs/benchmarks.md and the sweep plots (bench/sweep-<family>.svg), written from a results file
// of bench/run.js: every number in them comes from that run. `node bench/report.js [results.json]`
// rewrites them from a recorded run (run.js calls writeReport itself at the end of a run).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = path.resolve(here, '..');

/** Load at which the numbers are not a measurement of the code but of the machine's other work. */
const LOADED = 1.5;

const LOSSKIT = 'losskit';
const isTorch = (name) => name.startsWith('PyTorch');
const isOurs = (name) => name.startsWith('losskit');

/** An implementation's name without its version: `TF.js wasm`, `PyTorch (1 thread)`. */
const shortName = (name) => name.replace(/ \d+\.\d+\.\d+(\+\w+)?/, '');

const ms = (v) => (v === null || v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined ? '—' : (a / b).toFixed(2));

/** The columns of a run's main table: every implementation it ran, losskit first and PyTorch after. */
function columns(run) {
  const names = new Set();
  for (const r of run.results) if (!r.sweep) for (const row of r.rows) names.add(row.name);
  return [...names];
}

/** A workload whose reference is not a PyTorch function (Keras, optax): no PyTorch time, no ratio. */
const notTorch = (r) => r.library !== undefined && !['PyTorch', 'torchvision'].includes(r.library);

/** Per workload: losskit's time, the fastest other implementation (not losskit's gradInto row) and PyTorch. */
export function summarize(r) {
  const get = (name) => r.rows.find((row) => row.name === name)?.ms ?? null;
  const others = r.rows.filter((row) => !isOurs(row.name) && row.ms !== null);
  const best = others.reduce((a, b) => (a === null || b.ms < a.ms ? b : a), null);
  const torch = r.rows.find((row) => isTorch(row.name))?.ms ?? null;
  return { losskit: get(LOSSKIT), into: get('losskit (gradInto)'), torch, best };
}

function mainTable(run) {
  const cols = columns(run);
  const lines = [];
  lines.push(`| workload | ${cols.join(' | ')} | losskit / PyTorch | losskit / best other (which) | gradient allocated (MB) | page faults a call (losskit / PyTorch) | load |`);
  lines.push(`|---|${cols.map(() => '---:').join('|')}|---:|---|---:|---:|---:|`);
  for (const r of run.results.filter((x) => !x.sweep)) {
    const s = summarize(r);
    const cells = cols.map((c) => {
      const row = r.rows.find((x) => x.name === c);
      if (!row) return '';
      if (row.ms !== null) {
        if (row.accuracy !== undefined) return `${ms(row.ms)} (off by ${row.accuracy.toExponential(1)})`;
        return row.kinks === undefined ? ms(row.ms) : `${ms(row.ms)} (${row.kinks} kink${row.kinks === 1 ? '' : 's'})`;
      }
      return row.note.startsWith('n/a') ? '' : row.note.startsWith('skipped') ? `> ${row.note.match(/\d+/)?.[0] ?? ''}` : 'failed';
    });
    const bestName = s.best ? shortName(s.best.name) : '';
    const faults = (name) => r.rows.find((x) => x.name === name || (name === 'PyTorch' && isTorch(x.name)))?.faults ?? '—';
    const skipped = r.rows.find((x) => x.name === LOSSKIT)?.note.match(/^skipped: (\d+)/);
    const torchRatio = notTorch(r) ? `— (${r.library})` : skipped && s.torch !== null ? `> ${ratio(Number(skipped[1]), s.torch)}` : ratio(s.losskit, s.torch);
    lines.push(`| ${r.fn} ${r.layout} [${r.shapes[0].join(', ')}] ${r.dtype} ${r.grad ? 'fwd+grad' : 'fwd'} | ${cells.join(' | ')} | ${torchRatio} | ${s.best ? `${ratio(s.losskit, s.best.ms)} (${bestName})` : '—'} | ${r.grad ? (r.resultBytes / 1e6).toFixed(1) : ''} | ${faults(LOSSKIT)} / ${faults('PyTorch')} | ${r.load} |`);
  }
  return lines.join('\n');
}

/** Counts of workloads where losskit is at or under PyTorch's time, forward and forward + gradient. */
function scoreboard(run) {
  const rows = run.results.filter((r) => !r.sweep);
  const out = [];
  for (const grad of [false, true]) {
    const both = rows.filter((r) => r.grad === grad).map(summarize).filter((s) => s.losskit !== null && s.torch !== null);
    const within = both.filter((s) => s.losskit <= s.torch).length;
    const ratios = both.map((s) => s.losskit / s.torch).sort((a, b) => a - b);
    const med = ratios.length ? ratios[Math.floor(ratios.length / 2)] : null;
    const others = rows.filter((r) => r.grad === grad && notTorch(r)).length;
    // losskit skipped as too slow where PyTorch ran: over PyTorch's time, counted as such.
    const slow = rows.filter((r) => r.grad === grad && r.rows.find((x) => x.name === LOSSKIT)?.note.startsWith('skipped') && summarize(r).torch !== null).length;
    const notes = [slow ? `${slow} more where losskit was skipped as too slow` : '', others ? `${others} more have no PyTorch function` : ''].filter(Boolean);
    out.push(`${grad ? 'forward + gradient' : 'forward'}: ${within} of ${both.length + slow} workloads at or under PyTorch's time; median ratio ${med === null ? '—' : med.toFixed(2)}, worst ${ratios.length ? ratios[ratios.length - 1].toFixed(2) : '—'}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  }
  return out;
}

/** The sweep of a family: time per element at each size, and the 1e7 / 1e6 growth (10 = linear). */
function sweepTable(run, family) {
  const points = run.results.filter((r) => r.sweep && r.family === family);
  if (!points.length) return null;
  const fns = [...new Set(points.map((p) => p.fn))];
  const lines = [];
  for (const fn of fns) {
    const ps = points.filter((p) => p.fn === fn).sort((a, b) => a.elements - b.elements);
    const names = [...new Set(ps.flatMap((p) => p.rows.map((r) => r.name)))];
    lines.push(`\n${fn}, float32, forward + gradient: ns per element (median time / elements)\n`);
    lines.push(`| elements | ${names.join(' | ')} |`);
    lines.push(`|---:|${names.map(() => '---:').join('|')}|`);
    for (const p of ps) {
      lines.push(`| ${p.elements.toExponential(0)} | ${names.map((n) => { const r = p.rows.find((x) => x.name === n); return r?.ms == null ? '—' : ((r.ms * 1e6) / p.elements).toFixed(2); }).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

async function sweepSvg(run, family) {
  const values = run.results
    .filter((r) => r.sweep && r.family === family)
    .flatMap((r) => r.rows.filter((row) => row.ms !== null).map((row) => ({ elements: r.elements, ms: row.ms, implementation: `${r.fn}: ${row.name}` })));
  if (!values.length) return null;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${family}: forward + gradient time against size (Node ${run.node}, float32)`,
    width: 520,
    height: 320,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'elements', type: 'quantitative', scale: { type: 'log' }, title: 'elements of the input' },
      y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'median time (ms)' },
      color: { field: 'implementation', type: 'nominal', title: null },
    },
    config: { font: 'sans-serif', legend: { labelLimit: 360, orient: 'bottom', columns: 2 } },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

const FAMILIES = ['rows', 'elementwise', 'activations', 'sequence'];

/**
 * Writes the sweep SVGs (into svgDir, named by svgPrefix and the family) and, with docs,
 * docs/benchmarks.md.
 */
export async function writeReport(results, { docs = true, svgDir = here, svgPrefix = '', docsPath = path.join(root, 'docs/benchmarks.md'), file = 'results.json', readme = docs } = {}) {
  // The sweep of the last run that has one (a run may be --no-sweep).
  const last = [...results.runs].reverse().find((r) => r.results.some((x) => x.sweep));
  const svgs = [];
  if (svgDir && last) {
    for (const family of FAMILIES) {
      const svg = await sweepSvg(last, family);
      if (!svg) continue;
      const file = path.join(svgDir, `${svgPrefix}sweep-${family}.svg`);
      writeFileSync(file, svg);
      svgs.push({ family, file: path.relative(path.join(root, 'docs'), file) });
      console.log(`wrote ${path.relative(root, file)}`);
    }
  }
  if (!docs) return;
  const loaded = Math.max(...[results.load.start, results.load.end].flat()) > LOADED || results.runs.some((r) => r.results.some((x) => x.load > LOADED));
  const scales = [...new Set(results.runs.map((r) => r.scale ?? results.scale))];
  const md = [];
  md.push('# Benchmarks');
  md.push('');
  md.push(`Generated by \`bench/report.js\` from \`bench/${path.basename(file)}\`, written by \`${results.command}\` on ${results.date.slice(0, 16).replace('T', ' ')} UTC (${results.minutes} minutes${results.runs.some((r) => r.sweepCommand) ? "; that run measured the size sweep only, each run's workloads were measured by the command named with it below" : ''}). Do not edit: rerun \`npm run bench\` (the full run) or \`node bench/report.js\` (this page from the recorded results).`);
  md.push('');
  if (loaded || scales.some((v) => v !== 1) || results.smoke) {
    md.push(`> **Not a final measurement.** ${scales.some((v) => v !== 1) ? `Sizes were scaled (\`--scale\` ${scales.join(', ')}; each Node's section says which): the batch dimension of every workload is that fraction of issue 14's. ` : ''}${loaded ? `The machine was loaded by other work during this run (1-minute load averages ${[results.load.start, results.load.end].flat().join(', ')} on ${results.machine.cores} cores; per workload in the last column): times, and ratios between implementations that ran at different moments, are noisy. ` : ''}Rerun \`npm run bench\` on a quiet machine for numbers to quote.`);
    md.push('');
  }
  md.push(`**Machine.** ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, ${results.machine.platform}.`);
  md.push('');
  md.push(`**Protocol.** ${protocolText(results)}`);
  md.push('');
  md.push('**Agreement.** Every implementation must compute what losskit computes: a result further than 1e-3 of its magnitude from losskit\'s is not timed (`failed`). One exception: a float32 loss value (a forward pass, the mean of millions of terms) from a library that sums in float32 term after term is off by up to ~n·2^-24 (TF.js and jax-js: 1.4e-3 to 4.9e-3 on 4M terms, where losskit\'s sum is compensated); up to 1e-2 such a row is timed and its cell says how far off it is (`(off by 3.1e-3)`). A gradient gets one allowance: where it differs at no more than one entry in a million, the difference is a kink, where two inputs are exactly equal and libraries choose different subgradients (the 4M float32 inputs of l1Loss and marginRankingLoss coincide at one entry: PyTorch, and losskit, take l1_loss\'s sgn(0) = 0 and let margin_ranking_loss\'s gradient through its clamp at 0; TF.js and jax-js take abs\'s slope at 0 as +1, TF.js relu\'s as 0). Such a row is timed and its cell counts the entries (`(1 kink)`); any other difference in a gradient fails it.');
  md.push('');
  const others = [...new Map(results.runs.flatMap((run) => run.results.filter((r) => !r.sweep && notTorch(r)).map((r) => [r.fn, r.library]))).entries()];
  if (others.length) {
    md.push(`**No PyTorch function.** ${others.map(([fn, lib]) => `\`${fn}\` (${lib})`).join(', ')} follow Keras or optax, which PyTorch has no function for: their rows have no PyTorch time and no ratio to PyTorch (\`— (Keras)\`), and the scoreboards leave them out; they are compared with TF.js (its ops composed as the definition states), jax-js and plain JavaScript where those are written (\`bench/implementations.js\`), and "best other" ranks them.`);
    md.push('');
  }
  for (const run of results.runs) {
    md.push(`## Node ${run.node} (V8 ${run.v8}; losskit kernels: ${run.losskitKernels ?? 'none'})`);
    md.push('');
    if (run.command) md.push(`\`${run.command}\` at ${run.date.slice(0, 16).replace('T', ' ')} UTC: sizes × ${run.scale}, ${run.rounds} rounds, 1-minute load average ${run.load.start[0]} at the start and ${run.load.end[0]} at the end.\n`);
    if (!run.torch) md.push(`PyTorch did not run: ${run.torchNote}.\n`);
    for (const line of scoreboard(run)) md.push(`- ${line}`);
    if (run.missing.length) md.push(`- not benchmarked: ${run.missing.join(', ')}`);
    md.push('');
    md.push(mainTable(run));
    md.push('');
  }
  if (last) {
    md.push(`## Size sweep (Node ${last.node})`);
    md.push('');
    const sizes = last.results.filter((r) => r.sweep).map((r) => r.elements);
    const range = `${Math.min(...sizes).toExponential(0)} to ${Math.max(...sizes).toExponential(0)}`.replaceAll('e+', 'e');
    const when = last.sweepCommand ? ` Measured by \`${last.sweepCommand}\` at ${last.sweepDate.slice(0, 16).replace('T', ' ')} UTC, in place of this run's own sweep.` : '';
    md.push(`Time per element should stay flat from ${range} elements (cost linear in size); at the small end, per-call costs dominate.${when}`);
    for (const family of FAMILIES) {
      const table = sweepTable(last, family);
      if (!table) continue;
      md.push('');
      md.push(`### ${family}`);
      md.push(table);
      const svg = svgs.find((s) => s.family === family);
      if (svg) md.push(`\n![${family} sweep](${svg.file})`);
    }
    md.push('');
  }
  md.push('Earlier measurements and analyses (where the time of cross-entropy goes, worker threads measured and not shipped, CTC): [benchmarks-notes.md](benchmarks-notes.md).');
  md.push('');
  const out = docsPath;
  writeFileSync(`${out}.tmp`, md.join('\n'));
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${path.relative(root, out)}`);
  if (readme) writeReadmeSummary(results);
}

/** The protocol paragraph, from the run's recorded parameters (a run before batches records none). */
function protocolText(results) {
  const withProtocol = results.runs.find((r) => r.protocol);
  const p = withProtocol?.protocol;
  const rounds = withProtocol?.rounds ?? results.rounds;
  const common = `Every implementation starts from plain typed arrays and ends with plain arrays: losskit wraps them without copying (\`new Tensor(data, shape)\`); TF.js, jax-js and ONNX Runtime include their tensor creation and read-back. "fwd+grad" is the loss and the gradient with respect to argument 0 only (losskit \`argnums: [0]\`; PyTorch: only the input requires a gradient), every loss with losskit's default reduction \`'mean'\` written out (torchvision's box IoU and focal losses default to \`'none'\`); for activations, the vector–Jacobian product with a random \`gradOutput\` (losskit \`withGrad(x, { gradOutput })\`, PyTorch \`y.backward(g)\`). "losskit" allocates its result arrays on every call, as every other implementation does (a fresh gradient array of the input's size: 16 MB at 4M float32 elements); "losskit (gradInto)" writes the gradient into one caller-owned array, as a training loop would; "gradient allocated" is the size of the fresh gradient array each call of the other rows allocates (and fills). PyTorch runs in a persistent worker (\`bench/torch_worker.py\`, \`torch.set_num_threads(1)\`), timed inside Python. An empty cell: the implementation does not express that workload (TF.js has no float64; ONNX Runtime is inference only and runs the one hand-written cross-entropy graph, \`bench/onnx-model.js\`; plain JavaScript and jax-js are written for the common losses; TF.js cannot express CTC or the multilabel margin loss with its ops here). "best other" is the fastest implementation that is not losskit. "load": the 1-minute load average during the workload.`;
  if (!p) return `Per workload: inputs made once (seeded, the same bytes for every implementation; PyTorch reads them from raw files), ${results.smoke ? 1 : 2} warm-up runs per implementation, then ${results.rounds} rounds in which every implementation runs once, in an order rotated each round; the tables give medians in milliseconds. ${common}`;
  return [
    `Per workload, the same for every implementation (PyTorch's worker included): inputs made once (seeded, the same bytes for every implementation; PyTorch reads them from raw files); a warm-up of ${p.warmupCalls} single calls and then a batch of calls making up ${p.warmupMs} ms${p.steadyCalls ? ` and ${p.steadyCalls} calls in all (where those take under a second)` : ''}; a calibration as Python's \`timeit\` autorange: the smallest batch of 1, 2, 5, 10, 20, ... consecutive calls that lasts ${p.sampleMs} ms or more; then ${rounds} rounds in which every implementation times one batch of its calls, in an order rotated each round (an implementation whose batches are slow takes fewer rounds, ${p.minRounds} at least: about ${p.budgetMs / 1000} s of timed rounds each). A sample is the batch's time divided by its calls; the tables give the median sample, in milliseconds per call. An implementation whose call exceeds ${p.slowMs / 1000} s in the warm-up (its first call, which compiles: ${(3 * p.slowMs) / 1000} s; losskit and PyTorch, which the run compares: 3 times as long) is skipped for the workload (\`> ms\`; a ratio \`> x\` is then losskit's skipped call over PyTorch's time).`,
    `Why batches: the harness used to time single calls (2 warm-ups, then one call per round, interleaved), and a workload's 16 MB result arrays were then often fresh pages: V8 had not yet collected the previous calls' results, so malloc could not recycle their memory, and such a call takes ~4096 page faults, where PyTorch frees each result at once (mseLoss float32 fwd+grad [4096, 1024] measured at 18.7 ms in the harness and 7–8 ms in a loop of 20 calls, on a quiet machine). Consecutive calls are what a training loop makes: \`node bench/page-faults.js\` shows Node 24 faulting on every page of the first 4 to 9 calls' results, then reusing them (Node 20 keeps faulting on many calls): hence the warm-up's minimum of calls. The "page faults a call" column (minor faults, median per call: \`process.resourceUsage\` around the batch, \`getrusage\` in PyTorch's worker) shows what remains: results of 32 MB or more (float64 at 4M elements) are above glibc's largest mmap threshold, so every call maps fresh pages, in PyTorch as in losskit (~8192 faults a call). [docs/benchmarks-notes.md](benchmarks-notes.md) has the measurements before and after the change.`,
    common,
  ].join('\n\n');
}

/** Issue 14's workloads, as they are matched in a run's results (fn, layout, dtype; both passes). */
const HEADLINE = [
  ['crossEntropy', 'class indices', 'float32'],
  ['crossEntropy', 'K-dim (segmentation map)', 'float32'],
  ['crossEntropy', 'class indices', 'float64'],
  ['klDiv', 'plain', 'float32'],
  ['poissonNllLoss', 'plain', 'float32'],
  ['gaussianNllLoss', 'plain', 'float32'],
  ['marginRankingLoss', 'plain', 'float32'],
  ['softMarginLoss', 'plain', 'float32'],
  ['hingeEmbeddingLoss', 'plain', 'float32'],
  ['mseLoss', 'plain', 'float64'],
  ['cosineEmbeddingLoss', 'plain', 'float32'],
  ['tripletMarginLoss', 'plain', 'float32'],
  ['ctcLoss', 'T=200 N=32 C=30 S=50', 'float32'],
  ['softmax', 'last dim', 'float32'],
];

/** The README's summary between its bench-summary markers: the scoreboard and issue 14's workloads per Node. */
function writeReadmeSummary(results) {
  const readme = path.join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const [start, end] = ['<!-- bench-summary:start -->', '<!-- bench-summary:end -->'];
  if (!text.includes(start) || !text.includes(end)) return;
  const lines = [];
  const how = results.runs.map((r) => `Node ${r.node}: \`${r.command ?? results.command}\`${(r.scale ?? results.scale) !== 1 ? `, sizes × ${r.scale ?? results.scale}` : ''}`).join('; ');
  const load = [results.load.start, results.load.end].flat();
  lines.push(`Run of ${results.date.slice(0, 10)} (${how}; 1-minute load average ${Math.min(...load)}–${Math.max(...load)} on ${results.machine.cores} cores${Math.max(...load) > LOADED ? ': **a loaded machine, not a final measurement**' : ''}), medians in ms, forward / forward + gradient:`);
  lines.push('');
  lines.push(`| workload | ${results.runs.map((r) => `Node ${r.node}: losskit | PyTorch (1 thread) | ratio`).join(' | ')} |`);
  lines.push(`|---|${results.runs.map(() => '---:|---:|---:').join('|')}|`);
  for (const [fn, layout, dtype] of HEADLINE) {
    const pick = (run, grad) => run.results.find((r) => !r.sweep && r.fn === fn && r.layout === layout && r.dtype === dtype && r.grad === grad);
    const first = results.runs.map((run) => pick(run, false) ?? pick(run, true)).find(Boolean);
    if (!first) continue;
    const pair = (f) => [false, true].map((g) => f(g)).join(' / ');
    const cells = results.runs.map((run) => {
      const s = (g) => (pick(run, g) ? summarize(pick(run, g)) : null);
      const own = pick(run, false) ?? pick(run, true);
      // A run at another scale says its own shape.
      const shape = own && own.shapes[0].join() !== first.shapes[0].join() ? ` at [${own.shapes[0].join(', ')}]` : '';
      return `${pair((g) => ms(s(g)?.losskit))}${shape} | ${pair((g) => ms(s(g)?.torch))} | ${pair((g) => ratio(s(g)?.losskit, s(g)?.torch))}`;
    });
    lines.push(`| ${fn} ${layout === 'plain' ? '' : `${layout} `}[${first.shapes[0].join(', ')}] ${dtype} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  for (const run of results.runs) lines.push(`- Node ${run.node}: ${scoreboard(run).join('; ')}.`);
  const a = text.indexOf(start) + start.length;
  const b = text.indexOf(end);
  writeFileSync(readme, `${text.slice(0, a)}\n${lines.join('\n')}\n${text.slice(b)}`);
  console.log('wrote the summary in README.md');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? path.join(here, 'results.json');
  // Another results file (a smoke or partial run) is previewed with --preview FILE, never written over the docs.
  const preview = process.argv.indexOf('--preview');
  const official = path.resolve(file) === path.join(here, 'results.json');
  await writeReport(JSON.parse(readFileSync(file, 'utf8')), preview > 0 ? { docsPath: path.resolve(process.argv[preview + 1]), svgDir: null, file, readme: false } : { docs: official, svgDir: official ? here : null, file });
}
