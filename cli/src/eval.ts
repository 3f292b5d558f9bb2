// `losskit eval`: any loss of the library on files of predictions and targets, streamed in chunks
// of rows so that 'mean' and 'sum' run in constant memory whatever the file size.
import cliProgress from 'cli-progress';
import { tensor, type Tensor } from 'losskit';
import { CliError } from './errors.js';
import { AtomicSink } from './io/sinks.js';
import { openSource, type Chunk, type Source } from './io/sources.js';
import { findLoss, type CliLoss } from './losses.js';

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
  progress: boolean;
  /** Elements per chunk (rows × columns); small values exercise the streaming in tests. */
  chunkElements?: number;
}

export interface EvalResult {
  loss: number | null;
  reduction: string;
  count: number;
  rows: number;
  lossName: string;
}

const DEFAULT_CHUNK_ELEMENTS = 1 << 18;

function checkRequest(request: EvalRequest, cli: CliLoss): string[] {
  const reductions = ['mean', 'sum', 'none', ...(cli.batchmean ? ['batchmean'] : [])];
  if (!reductions.includes(request.reduction)) {
    throw new CliError(`${cli.name}: --reduction '${request.reduction}' is not valid (valid: ${reductions.join(', ')})`, 2);
  }
  for (const name of Object.keys(request.options)) {
    if (!(cli.options as readonly string[]).includes(name)) {
      const flag = (n: string) => '--' + n.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
      const valid = `its options: ${['reduction', ...cli.options].map(flag).join(', ')}`;
      throw new CliError(`${flag(name)} is not an option of ${cli.name} (${valid})`, 2);
    }
  }
  if (request.grad && cli.name === 'log-loss') throw new CliError('log-loss has no gradient (--grad); use bce or cross-entropy to train', 2);
  if (request.grad && !request.grad.toLowerCase().endsWith('.npy')) throw new CliError(`--grad writes a .npy file, got ${request.grad}`, 2);
  if (request.reduction === 'none' && !request.out) throw new CliError("--reduction none gives one loss per item: name the file with --out FILE (.npy, .csv, .json, .jsonl)", 2);
  if (request.out && request.reduction !== 'none') throw new CliError('--out is for --reduction none; the reduced loss is printed', 2);
  const files = request.files;
  if (files.length === 1 && cli.inputs.length === 2 && request.columns && request.targetColumns) return [files[0], files[0]];
  if (files.length !== cli.inputs.length) {
    throw new CliError(`${cli.name} takes ${cli.inputs.length} files (${cli.inputs.join(', ')}), got ${files.length}`, 2);
  }
  return files;
}

/** A chunk as a tensor: [rows] for one number per row, else [rows, cols]. */
function asTensor(chunk: Chunk, vector: boolean): Tensor {
  return tensor(chunk.data, { shape: vector ? [chunk.rows] : [chunk.rows, chunk.cols] });
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

/** What a 'mean' over the whole file divides by: this chunk's share. */
function chunkDenominator(cli: CliLoss, reduction: string, tensors: Tensor[], options: Record<string, unknown>): number {
  const [input, target] = tensors;
  const rows = input.shape[0] ?? 1;
  if (reduction === 'batchmean') return rows;
  const weight = options.weight as Tensor | undefined;
  switch (cli.family) {
    case 'elementwise':
      if (cli.meanBySumOfWeights && weight) return Array.from(weight.data).reduce((a, b) => a + b, 0);
      return input.size;
    case 'classes': {
      if (target.shape.length === input.shape.length) return rows; // probabilities
      const ignore = (options.ignoreIndex as number | undefined) ?? -100;
      let total = 0;
      for (const t of target.data) if (t !== ignore) total += weight ? weight.data[t] : 1;
      return total;
    }
    case 'rows':
      return rows;
    default: {
      const never: never = cli.family;
      throw new Error(`unknown family ${String(never)}`);
    }
  }
}

class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly started = Date.now();

  constructor(enabled: boolean, private readonly source: Source, label: string) {
    if (!enabled) return;
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

/** Runs the evaluation. Output files are written atomically; nothing is left behind on failure. */
export async function evaluate(request: EvalRequest): Promise<EvalResult> {
  const cli = findLoss(request.loss);
  const files = checkRequest(request, cli);
  const names = files.map((f, i) => (files.length > 1 && f === files[0] && i > 0 ? `${f} (${request.targetColumns?.join(',')})` : f));
  const sources: Source[] = [];
  const sinks: AtomicSink[] = [];
  const progress: { bar: Progress | null } = { bar: null };
  try {
    for (let i = 0; i < files.length; i++) {
      const columns = i === 0 ? request.columns : i === files.length - 1 ? request.targetColumns : undefined;
      sources.push(await openSource(files[i], columns));
    }
    progress.bar = new Progress(request.progress, sources[0], `${cli.name}`);
    const reduction = request.reduction;
    const callReduction = reduction === 'none' ? 'none' : 'sum';
    let out: AtomicSink | null = null;
    let grad: AtomicSink | null = null;
    let sum = 0;
    let compensation = 0;
    let denominator = 0;
    let count = 0;
    let rows = 0;
    let maxRows = 1024;
    for (;;) {
      const chunks = await Promise.all(sources.map((s) => s.next(maxRows)));
      const ended = chunks.map((c) => c === null);
      if (ended.every(Boolean)) break;
      const sizes = chunks.map((c) => c?.rows ?? 0);
      if (sizes.some((n) => n !== sizes[0])) {
        // A source that returned fewer rows than asked for has ended.
        const counts = sources.map((s, i) => `${names[i]} has ${sizes[i] < maxRows ? '' : 'at least '}${rows + sizes[i]} rows`);
        throw new CliError(`the files have different numbers of rows: ${counts.join(', ')}`);
      }
      const present = chunks as Chunk[];
      const tensors = chunkTensors(cli, present, names);
      const options = chunkOptions(cli, request.options, tensors[0]);
      const callOptions = { ...options, reduction: callReduction };
      let lossTensor: Tensor;
      try {
        if (request.grad) {
          const result = cli.fn.withGrad!(...tensors, { ...callOptions, argnums: [0] }); // only the input's gradient is written
          lossTensor = result.loss;
          const g = result.grad!;
          if (!grad) {
            grad = await AtomicSink.open(request.grad, g.dtype === 'float64' ? 'float64' : 'float32', ['npy']);
            sinks.push(grad);
          }
          await grad.write(g.data, present[0].cols, g.shape.length === 1);
        } else {
          lossTensor = cli.fn(...tensors, callOptions);
        }
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`rows ${present[0].firstRow + 1}-${present[0].firstRow + present[0].rows}: ${(e as Error).message}`);
      }
      if (reduction === 'none') {
        if (!out) {
          out = await AtomicSink.open(request.out!, lossTensor.dtype === 'float64' ? 'float64' : 'float32');
          sinks.push(out);
        }
        await out.write(lossTensor.data, 1, true);
        count += lossTensor.size;
      } else {
        // Neumaier-compensated running sum of the chunks' sums.
        const v = lossTensor.item();
        const t = sum + v;
        compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
        sum = t;
        denominator += chunkDenominator(cli, reduction, tensors, options);
        count += cli.family === 'elementwise' ? tensors[0].size : tensors[0].shape[0] ?? 1;
      }
      rows += present[0].rows;
      maxRows = Math.max(1, Math.floor((request.chunkElements ?? DEFAULT_CHUNK_ELEMENTS) / Math.max(1, present[0].cols)));
      progress.bar.update();
    }
    const total = Number.isFinite(sum) ? sum + compensation : sum;
    const mean = reduction === 'mean' || reduction === 'batchmean';
    if (grad && mean) await grad.scale(1 / denominator);
    for (const sink of sinks) await sink.commit();
    sinks.length = 0;
    return { loss: reduction === 'none' ? null : mean ? total / denominator : total, reduction, count, rows, lossName: cli.name };
  } finally {
    progress.bar?.stop();
    for (const sink of sinks) await sink.abort();
    for (const source of sources) await source.close();
  }
}
