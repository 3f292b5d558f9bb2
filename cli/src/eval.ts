// `losskit eval`: any loss of the library on files of predictions and targets, streamed in chunks
// of rows so that 'mean' and 'sum' run in constant memory whatever the file size.
//
// Every chunk's per-item losses go into the library's LossAccumulator, whose sums are exact: the
// result is the same bit for bit however the data is cut — into chunks, into shards evaluated on
// worker threads (--jobs), or into shards evaluated anywhere and saved with --partial, then joined
// by `losskit merge` — and equals the result over the concatenated data.
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { LossAccumulator, Tensor, tensor, type AccumulatorState } from 'losskit';
import { CliError } from './errors.js';
import { AtomicSink, checkDistinctOutputs, jsonNumber, writeFileAtomic } from './io/sinks.js';
import { describeInput, STDIN } from './io/bytes.js';
import type { CsvPart } from './io/csv.js';
import { formatOfName, openSource, type Chunk, type ColumnSelection, type Format, type Source } from './io/sources.js';
import { findLoss, type CliLoss } from './losses.js';

export type NaPolicy = 'error' | 'skip';
export const NA_POLICIES: readonly NaPolicy[] = ['error', 'skip'];

export interface EvalRequest {
  loss: string;
  files: string[];
  reduction: string;
  /** Library options given on the command line (weight as a list, ...). */
  options: Record<string, unknown>;
  columns?: string[];
  targetColumns?: string[];
  grad?: string;
  out?: string;
  /** Write the mergeable partial state (for `losskit merge`) to this file. */
  partial?: string;
  delimiter?: string;
  na?: NaPolicy;
  stdinFormat?: Format;
  /**
   * Worker threads: for several shards, default 1 (in this thread); to split one large CSV/TSV
   * file without quotes into parts of lines, default the cores available (defaultJobs).
   */
  jobs?: number;
  progress: boolean;
  /** Elements per chunk (rows × columns); small values exercise the streaming in tests. */
  chunkElements?: number;
  /** The least bytes per part when --jobs splits one CSV file (small values exercise the split in tests). */
  partBytes?: number;
}

export interface EvalResult {
  loss: number | null;
  reduction: string;
  count: number;
  rows: number;
  /** Rows dropped for a missing value (--na skip). */
  skipped: number;
  lossName: string;
}

/** What `--partial` writes and `losskit merge` reads. */
export interface PartialState {
  format: 'losskit-partial';
  version: 1;
  loss: string;
  reduction: string;
  /** The library options, which every merged shard must share. */
  options: Record<string, unknown>;
  skipped: number;
  accumulator: AccumulatorState;
}

const DEFAULT_CHUNK_ELEMENTS = 1 << 18;

/**
 * The threads one large CSV/TSV file is split across without --jobs: the cores this process may
 * use (os.availableParallelism: the CPU affinity mask). Parsing text is the slow part of eval, the
 * result is exactly that of one pass (exact sums), and a file too small for two 8 MiB parts, or
 * with a quote, is read in one pass anyway. Shards in several files keep one thread by default
 * (--out and --grad need them in order).
 */
export function defaultJobs(): number {
  return availableParallelism();
}
/** A worker thread starts in ~0.1 s (Node, losskit and its kernels): a part is worth one from 8 MiB on. */
const DEFAULT_PART_BYTES = 1 << 23;

function flag(name: string): string {
  return '--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/**
 * The shards: each is one file per input. n files for a loss of m inputs are m groups of n/m, in
 * order (what the shell gives for `logits-*.npy labels-*.npy`): shard k takes the k-th file of
 * each group. With both --columns and --target-columns every file holds both inputs: one shard each.
 */
function shardsOf(request: EvalRequest, cli: CliLoss): string[][] {
  const files = request.files;
  const m = cli.inputs.length;
  if (m === 2 && request.columns && request.targetColumns && files.length >= 1) return files.map((f) => [f, f]);
  if (files.length === 0 || files.length % m !== 0) {
    throw new CliError(`${cli.name} takes ${m} files (${cli.inputs.join(', ')}), or ${m} equal groups of shards, got ${files.length}`, 2);
  }
  const k = files.length / m;
  return Array.from({ length: k }, (_, s) => Array.from({ length: m }, (_, i) => files[i * k + s]));
}

function checkRequest(request: EvalRequest, cli: CliLoss): string[][] {
  const reductions = ['mean', 'sum', 'none', ...(cli.batchmean ? ['batchmean'] : [])];
  if (!reductions.includes(request.reduction)) {
    throw new CliError(`${cli.name}: --reduction '${request.reduction}' is not valid (valid: ${reductions.join(', ')})`, 2);
  }
  for (const name of Object.keys(request.options)) {
    if (!(cli.options as readonly string[]).includes(name)) {
      const valid = `its options: ${['reduction', ...cli.options].map(flag).join(', ')}`;
      throw new CliError(`${flag(name)} is not an option of ${cli.name} (${valid})`, 2);
    }
  }
  if (request.na !== undefined && !NA_POLICIES.includes(request.na)) throw new CliError(`--na must be ${NA_POLICIES.join(' or ')}, got '${request.na}'`, 2);
  if (request.jobs !== undefined && !(Number.isSafeInteger(request.jobs) && request.jobs >= 1)) throw new CliError(`--jobs must be a positive integer, got ${request.jobs}`, 2);
  if (request.grad && cli.name === 'log-loss') throw new CliError('log-loss has no gradient (--grad); use bce or cross-entropy to train', 2);
  if (request.grad) AtomicSink.formatOf(request.grad, ['npy']);
  if (request.out) AtomicSink.formatOf(request.out);
  if (request.reduction === 'none' && !request.out) throw new CliError('--reduction none gives one loss per item: name the file with --out FILE (.npy, .csv, .json, .jsonl)', 2);
  if (request.out && request.reduction !== 'none') throw new CliError('--out is for --reduction none; the reduced loss is printed', 2);
  if (request.partial && request.reduction === 'none') throw new CliError('--partial saves a reduced loss to merge; --reduction none writes every item with --out instead', 2);
  checkDistinctOutputs({ '--out': request.out, '--grad': request.grad, '--partial': request.partial });
  const shards = shardsOf(request, cli);
  if ((request.jobs ?? 1) > 1 && shards.length > 1 && (request.out || request.grad)) {
    throw new CliError('--out and --grad write the shards in order: use them with --jobs 1', 2);
  }
  return shards;
}

/** A chunk as a tensor over its data (not copied): [rows] for one number per row, else [rows, cols]. */
function asTensor(chunk: Chunk, vector: boolean): Tensor {
  return new Tensor(chunk.data, vector ? [chunk.rows] : [chunk.rows, chunk.cols]);
}

function describeShape(chunk: Chunk): string {
  return chunk.vector ? 'one number per row' : `${chunk.cols} columns`;
}

/** The chunk's tensors, shaped for the loss's family. */
function chunkTensors(cli: CliLoss, chunks: Chunk[], names: string[]): Tensor[] {
  if (cli.family === 'elementwise') {
    // A column vector and a one-number-per-row file are the same thing here.
    const allSingle = chunks.every((c) => c.cols === 1);
    const widths = new Set(chunks.map((c) => c.cols));
    if (widths.size > 1) {
      throw new CliError(`${cli.name} needs files of the same shape: ${chunks.map((c, i) => `${names[i]} has ${describeShape(c)}`).join(', ')}`);
    }
    return chunks.map((c) => asTensor(c, allSingle || c.vector));
  }
  if (cli.family === 'classes' || cli.name === 'multi-margin') {
    const [scores, targets] = chunks;
    const probabilities = cli.name === 'cross-entropy' && !targets.vector && targets.cols === scores.cols && scores.cols > 1;
    if (!probabilities && targets.cols !== 1) {
      throw new CliError(`${names[1]}: expected one class index per row${cli.name === 'cross-entropy' ? ` or ${scores.cols} probabilities` : ''}, got ${targets.cols} columns`);
    }
    return [asTensor(scores, false), asTensor(targets, !probabilities)];
  }
  if (cli.name === 'log-loss') {
    const [probabilities, labels] = chunks;
    return [asTensor(probabilities, probabilities.vector || probabilities.cols === 1), asTensor(labels, true)];
  }
  if (cli.name === 'cosine-embedding') return [asTensor(chunks[0], false), asTensor(chunks[1], false), asTensor(chunks[2], true)];
  return chunks.map((c) => asTensor(c, false));
}

/** Library options for one chunk: lists become tensors; per-column weights are expanded to every element. */
function chunkOptions(cli: CliLoss, options: Record<string, unknown>, input: Tensor): Record<string, unknown> {
  const out: Record<string, unknown> = { ...options };
  for (const key of ['weight', 'posWeight']) {
    const list = options[key] as number[] | undefined;
    if (!list) continue;
    const dtype = input.dtype === 'float64' ? 'float64' : 'float32';
    if (key === 'weight' && cli.weightPerColumn) {
      const cols = input.shape.length === 1 ? 1 : input.shape[1];
      if (list.length !== cols) throw new CliError(`--weight has ${list.length} values but the predictions have ${cols} column${cols === 1 ? '' : 's'}`, 2);
      out[key] = tensor(Array.from({ length: input.size }, (_, i) => list[i % cols]), { dtype, shape: input.shape });
    } else {
      out[key] = tensor(list, { dtype });
    }
  }
  return out;
}

/**
 * What a 'mean' divides by, for this chunk: per item where it depends on the item (so that the
 * accumulator sums it exactly), else one number.
 */
function chunkDenominator(cli: CliLoss, tensors: Tensor[], options: Record<string, unknown>): number | ArrayLike<number> {
  const [input, target] = tensors;
  const rows = input.shape[0] ?? 1;
  const weight = options.weight as Tensor | undefined;
  switch (cli.family) {
    case 'elementwise':
      if (cli.meanBySumOfWeights && weight) return weight.data;
      return input.size;
    case 'classes': {
      if (target.shape.length === input.shape.length) return rows; // probabilities
      const ignore = (options.ignoreIndex as number | undefined) ?? -100;
      return Float64Array.from(target.data, (t) => (t === ignore ? 0 : weight ? weight.data[t] : 1));
    }
    case 'rows':
      return rows;
    default: {
      const never: never = cli.family;
      throw new Error(`unknown family ${String(never)}`);
    }
  }
}

/**
 * Checks the option values before any data is read, by calling the loss on one made-up row of the
 * width the options imply: the library's own checks decide (no rule is restated here), and a bad
 * value is a usage error (exit 2), also when the files are empty.
 */
function probeOptions(cli: CliLoss, options: Record<string, unknown>): void {
  const given = Object.keys(options);
  if (given.length === 0) return;
  const lists = ['weight', 'posWeight', 'labels'].map((k) => options[k] as number[] | undefined).filter((l) => l !== undefined);
  const cols = Math.max(2, ...lists.map((l) => l.length));
  const row = (value: number, vector: boolean, width = cols): Chunk => ({
    firstRow: 0,
    rows: 1,
    cols: vector ? 1 : width,
    vector,
    data: new Float64Array(vector ? 1 : width).fill(value),
    missing: null,
  });
  let chunks: Chunk[];
  if (cli.name === 'log-loss') {
    const labels = (options.labels as number[] | undefined) ?? [0, 1];
    chunks = labels.length === 2 ? [row(0.5, true), row(labels[0], true)] : [row(1 / labels.length, false, labels.length), row(labels[0], true)];
  } else if (cli.family === 'classes' || cli.name === 'multi-margin') {
    chunks = [row(0.5, false), row(1, true)];
  } else if (cli.name === 'cosine-embedding') {
    chunks = [row(0.5, false), row(1, false), row(1, true)];
  } else if (cli.name === 'multilabel-margin') {
    chunks = [row(0.5, false), row(0, false)];
  } else {
    chunks = cli.inputs.map((_, i) => row(i === 0 ? 0.5 : 1, false));
  }
  const tensors = chunkTensors(cli, chunks, cli.inputs.slice());
  try {
    cli.fn(...tensors, { ...chunkOptions(cli, options, tensors[0]), reduction: 'none' });
  } catch (e) {
    if (e instanceof CliError) throw e;
    // Only an error about an option given is the options' fault; any other is left to the data.
    const message = (e as Error).message;
    if (given.some((name) => message.includes(name))) throw new CliError(message, 2);
  }
}

class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly started = Date.now();

  constructor(enabled: boolean, private readonly source: Source, label: string) {
    if (!enabled || source.totalBytes <= 0) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} {bar} {percentage}% | {done}/{size} MB | {speed} MB/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(source.totalBytes, 0, { done: '0', size: (source.totalBytes / 1e6).toFixed(1), speed: '0' });
  }

  update(): void {
    if (!this.bar) return;
    const seconds = Math.max(1e-3, (Date.now() - this.started) / 1000);
    this.bar.update(this.source.bytesRead, { done: (this.source.bytesRead / 1e6).toFixed(1), speed: (this.source.bytesRead / 1e6 / seconds).toFixed(1) });
  }

  stop(): void {
    this.bar?.stop();
  }
}

/** Drops the rows marked in `drop` from a chunk. */
function dropRows(chunk: Chunk, drop: Uint8Array, kept: number): Chunk {
  const width = chunk.vector ? 1 : chunk.cols;
  const data = new (chunk.data.constructor as Float64ArrayConstructor)(kept * width);
  let k = 0;
  for (let r = 0; r < chunk.rows; r++) {
    if (drop[r]) continue;
    data.set(chunk.data.subarray(r * width, (r + 1) * width), k * width);
    k++;
  }
  return { ...chunk, rows: kept, data, missing: null };
}

/** Where the outputs of a run go: --out, --grad (written once every shard is done). */
interface Outputs {
  out: AtomicSink | null;
  grad: AtomicSink | null;
  sinks: AtomicSink[];
}

interface ShardTotals {
  accumulator: LossAccumulator;
  skipped: number;
  count: number;
  rows: number;
}

/** Evaluates one shard (one file per input) into `totals`. */
async function evaluateShard(
  cli: CliLoss,
  request: EvalRequest,
  files: string[],
  totals: ShardTotals,
  outputs: Outputs | null,
  part?: CsvPart,
  signal?: AbortSignal,
): Promise<void> {
  const selectionOf = (i: number): ColumnSelection => (i === 0 ? request.columns : i === files.length - 1 ? request.targetColumns : undefined);
  // An input named twice is opened once (a pipe can be read only once), with one selection per use.
  const distinct = [...new Set(files)];
  const uses = files.map((f, i) => ({ source: distinct.indexOf(f), selection: files.slice(0, i).filter((g) => g === f).length }));
  const names = files.map((f, i) => (distinct.length < files.length && selectionOf(i) ? `${f} (${(selectionOf(i) ?? []).join(',')})` : f));
  const sources: Source[] = [];
  let progress: Progress | null = null;
  try {
    for (const f of distinct) {
      const selections = files.flatMap((g, i) => (g === f ? [selectionOf(i)] : []));
      sources.push(await openSource(f, selections, { delimiter: request.delimiter, stdinFormat: request.stdinFormat, part }));
    }
    progress = new Progress(request.progress, sources[0], cli.name);
    let maxRows = 1024;
    let rowsSeen = 0;
    for (;;) {
      signal?.throwIfAborted();
      const read = await Promise.all(sources.map((s) => s.next(maxRows)));
      if (read.every((c) => c === null)) break;
      const sizes = read.map((c) => c?.[0].rows ?? 0);
      if (sizes.some((n) => n !== sizes[0])) {
        // A source that returned fewer rows than asked for has ended.
        const counts = distinct.map((f, i) => `${f} has ${sizes[i] < maxRows ? '' : 'at least '}${rowsSeen + sizes[i]} rows`);
        throw new CliError(`the files have different numbers of rows: ${counts.join(', ')}`);
      }
      let chunks = uses.map((u) => read[u.source]![u.selection]);
      rowsSeen += sizes[0];
      const masks = chunks.map((c) => c.missing).filter((m): m is Uint8Array => m !== null);
      if (masks.length > 0) {
        const drop = new Uint8Array(chunks[0].rows);
        for (const m of masks) for (let r = 0; r < drop.length; r++) drop[r] |= m[r];
        const first = drop.indexOf(1);
        if ((request.na ?? 'error') === 'error') {
          const where = chunks.findIndex((c) => c.missing?.[first]);
          throw new CliError(`${names[where]}: row ${chunks[0].firstRow + first + 1} has a missing value (empty, NA, N/A...); --na skip leaves such rows out`);
        }
        const dropped = drop.reduce((a, b) => a + b, 0);
        totals.skipped += dropped;
        chunks = chunks.map((c) => dropRows(c, drop, c.rows - dropped));
        if (chunks[0].rows === 0) continue;
      }
      const tensors = chunkTensors(cli, chunks, names);
      const options = chunkOptions(cli, request.options, tensors[0]);
      let losses: Tensor;
      try {
        losses = cli.fn(...tensors, { ...options, reduction: 'none' });
        if (outputs && request.grad) {
          // Only the input's gradient is written; of the sum here, scaled to the mean's at the end.
          const g = cli.fn.withGrad!(...tensors, { ...options, reduction: 'sum', argnums: [0] }).grad!;
          outputs.grad ??= await addSink(outputs, AtomicSink.open(request.grad, g.dtype === 'float64' ? 'float64' : 'float32', ['npy']));
          await outputs.grad.write(g.data, chunks[0].cols, g.shape.length === 1);
        }
      } catch (e) {
        if (e instanceof CliError) throw e;
        const first = chunks[0].firstRow;
        throw new CliError(`${distinct.join(', ')}: rows ${first + 1}-${first + chunks[0].rows}: ${(e as Error).message}`);
      }
      if (outputs && request.out) {
        outputs.out ??= await addSink(outputs, AtomicSink.open(request.out, losses.dtype === 'float64' ? 'float64' : 'float32'));
        await outputs.out.write(losses.data, 1, true);
      }
      const rows = tensors[0].shape[0] ?? 1;
      totals.accumulator.add(losses, { denominator: chunkDenominator(cli, tensors, options), rows });
      totals.count += cli.family === 'elementwise' ? tensors[0].size : rows;
      totals.rows += rows;
      maxRows = Math.max(1, Math.floor((request.chunkElements ?? DEFAULT_CHUNK_ELEMENTS) / Math.max(1, chunks[0].cols)));
      progress.update();
    }
  } finally {
    progress?.stop();
    for (const source of sources) await source.close();
  }
}

async function addSink(outputs: Outputs, opening: Promise<AtomicSink>): Promise<AtomicSink> {
  const sink = await opening;
  outputs.sinks.push(sink);
  return sink;
}

/** A worker thread's part of a --jobs run: the totals of some shards. */
export interface WorkerResult {
  accumulator: AccumulatorState;
  skipped: number;
  count: number;
  rows: number;
}

/** What a worker thread of --jobs evaluates: whole shards, or one part of a one-file shard. */
export interface WorkerTask {
  shards: string[][];
  part?: CsvPart;
}

/** Evaluates a task in this thread (what a worker of --jobs runs); `signal` stops it between chunks. */
export async function evaluateShards(request: EvalRequest, task: WorkerTask, signal?: AbortSignal): Promise<WorkerResult> {
  const cli = findLoss(request.loss);
  const totals = newTotals();
  for (const shard of task.shards) await evaluateShard(cli, request, shard, totals, null, task.part, signal);
  return { accumulator: totals.accumulator.toJSON(), skipped: totals.skipped, count: totals.count, rows: totals.rows };
}

function newTotals(): ShardTotals {
  return { accumulator: new LossAccumulator(), skipped: 0, count: 0, rows: 0 };
}

/**
 * The parts of a one-file shard that --jobs can evaluate on separate threads: a regular CSV/TSV
 * file (both inputs in it) of at least two parts' worth of bytes, with no quote (planCsvParts);
 * else null.
 */
async function csvParts(request: EvalRequest, shard: string[], jobs: number): Promise<CsvPart[] | null> {
  const file = shard[0];
  const format = formatOfName(file);
  if (shard.some((f) => f !== file) || file === STDIN || /\.gz$/i.test(file) || (format !== 'csv' && format !== 'tsv')) return null;
  let size: number;
  try {
    const info = await describeInput(file);
    if (!info.regular) return null;
    size = info.size;
  } catch {
    return null; // the one-pass reader reports it
  }
  const count = Math.min(jobs, Math.floor(size / (request.partBytes ?? DEFAULT_PART_BYTES)));
  const { planCsvParts } = await import('./io/csv.js');
  return planCsvParts(file, size, request.delimiter ?? (format === 'tsv' ? '\t' : ','), count);
}

async function runWorkers(request: EvalRequest, tasks: WorkerTask[], totals: ShardTotals): Promise<void> {
  const { Worker } = await import('node:worker_threads');
  const quiet = { ...request, progress: false };
  // The first task runs in this thread, which would otherwise wait: one worker's start-up (Node,
  // losskit and its kernels again, ~0.4 CPU s) fewer.
  const workers = tasks.slice(1).map((task) => new Worker(new URL('./worker.js', import.meta.url), { workerData: { request: quiet, task } }));
  const stop = new AbortController();
  const here = evaluateShards(quiet, tasks[0], stop.signal);
  let results: WorkerResult[];
  try {
    results = await Promise.all([
      here,
      ...workers.map(
        (worker) =>
          new Promise<WorkerResult>((resolve, reject) => {
            worker.once('message', (m: { ok: true; result: WorkerResult } | { ok: false; message: string; exitCode: number }) =>
              m.ok ? resolve(m.result) : reject(new CliError(m.message, m.exitCode)),
            );
            worker.once('error', reject);
          }),
      ),
    ]);
  } catch (e) {
    // The first failure ends the run: this thread's task is stopped too, before anything else reads.
    stop.abort();
    await here.catch(() => undefined);
    throw e;
  } finally {
    // The first failure ends the run: the other workers are stopped, not left running.
    await Promise.all(workers.map((w) => w.terminate()));
  }
  for (const r of results) {
    totals.accumulator.merge(LossAccumulator.fromJSON(r.accumulator));
    totals.skipped += r.skipped;
    totals.count += r.count;
    totals.rows += r.rows;
  }
}

/** The reduced loss of accumulated totals. */
export function reduce(accumulator: LossAccumulator, reduction: string): number {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'batchmean') throw new CliError(`cannot reduce with '${reduction}'`, 2);
  return accumulator.result(reduction);
}

/** Runs the evaluation. Output files are written atomically, and only if the whole run succeeded. */
export async function evaluate(request: EvalRequest): Promise<EvalResult> {
  const cli = findLoss(request.loss);
  const shards = checkRequest(request, cli);
  probeOptions(cli, request.options);
  let totals = newTotals();
  const outputs: Outputs = { out: null, grad: null, sinks: [] };
  const jobs = request.jobs ?? 1;
  const splitJobs = request.jobs ?? defaultJobs();
  try {
    // Shards are dealt round-robin: worker j takes shards j, j + jobs, ...; one large CSV file is
    // split into parts of lines. Sums are exact, so the grouping does not change the result.
    const parts = splitJobs > 1 && shards.length === 1 && !request.out && !request.grad ? await csvParts(request, shards[0], splitJobs) : null;
    let done = false;
    if (parts) {
      try {
        await runWorkers(request, parts.map((part) => ({ shards, part })), totals);
        done = true;
      } catch {
        // A quote in a part, or an error, whose line number only a pass from the start knows:
        // the file is read again in one pass, which gives the result or the exact error.
        totals = newTotals();
      }
    } else if (jobs > 1 && shards.length > 1) {
      const tasks = Array.from({ length: Math.min(jobs, shards.length) }, (_, j) => ({ shards: shards.filter((_, s) => s % jobs === j) }));
      await runWorkers(request, tasks, totals);
      done = true;
    }
    if (!done) for (const shard of shards) await evaluateShard(cli, request, shard, totals, outputs);
    const reduction = request.reduction;
    if (reduction === 'none' && !outputs.out && request.out) {
      // No rows at all: still an (empty) file, as for any other run.
      outputs.out = await addSink(outputs, AtomicSink.open(request.out, 'float32'));
    }
    const denominator = reduction === 'batchmean' ? totals.rows : totals.accumulator.denominator();
    // A mean over items whose weights sum to 0 (every target ignored): the gradient of the sum is
    // all zeros, and stays so, as the library's gradient of such a mean.
    if (outputs.grad && (reduction === 'mean' || reduction === 'batchmean') && denominator !== 0) await outputs.grad.scale(1 / denominator);
    for (const sink of outputs.sinks) await sink.complete();
    if (request.partial) {
      const state: PartialState = {
        format: 'losskit-partial',
        version: 1,
        loss: cli.name,
        reduction,
        options: request.options,
        skipped: totals.skipped,
        accumulator: totals.accumulator.toJSON(),
      };
      await writeFileAtomic(request.partial, JSON.stringify(state) + '\n');
    }
    for (const sink of outputs.sinks) await sink.commit();
    outputs.sinks.length = 0;
    return {
      loss: reduction === 'none' ? null : reduce(totals.accumulator, reduction),
      reduction,
      count: totals.count,
      rows: totals.rows,
      skipped: totals.skipped,
      lossName: cli.name,
    };
  } finally {
    for (const sink of outputs.sinks) await sink.abort();
  }
}

/** The --json line of a result: NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity". */
export function resultJson(result: { loss: number | null; reduction: string; count: number; skipped: number }, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    loss: result.loss === null ? null : jsonNumber(result.loss),
    reduction: result.reduction,
    count: result.count,
    ...(result.skipped > 0 ? { skipped: result.skipped } : {}),
    ...extra,
  });
}
