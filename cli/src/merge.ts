// `losskit merge`: the partial states that `eval --partial` wrote for shards of the data, joined
// into the result over all of it — exactly, whatever the order and grouping (the sums are exact).
import { readFile } from 'node:fs/promises';
import { LossAccumulator } from 'losskit';
import { CliError } from './errors.js';
import { reduce, type PartialState } from './eval.js';
import { writeFileAtomic } from './io/sinks.js';

export interface MergeResult {
  loss: number;
  reduction: string;
  count: number;
  rows: number;
  skipped: number;
  lossName: string;
}

async function readState(path: string): Promise<PartialState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path}: is a directory, not a partial state` : `${path}: cannot read (${code})`);
  }
  let state: PartialState;
  try {
    state = JSON.parse(text.replace(/^\uFEFF/, '')) as PartialState;
  } catch (e) {
    throw new CliError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (state?.format !== 'losskit-partial' || state.version !== 1) throw new CliError(`${path}: not a partial state written by losskit eval --partial`);
  return state;
}

/** What every merged state must share, as text to compare. */
function identity(state: PartialState): string {
  return JSON.stringify({ loss: state.loss, reduction: state.reduction, options: state.options });
}

export async function merge(files: string[], output?: string): Promise<MergeResult> {
  if (files.length === 0) throw new CliError('merge takes one or more partial states (from eval --partial)', 2);
  const states: PartialState[] = [];
  for (const f of files) states.push(await readState(f));
  const accumulator = new LossAccumulator();
  let skipped = 0;
  states.forEach((state, i) => {
    if (identity(state) !== identity(states[0])) {
      throw new CliError(`${files[i]} was evaluated as ${identity(state)}, ${files[0]} as ${identity(states[0])}: only shards of one evaluation merge`);
    }
    try {
      accumulator.merge(LossAccumulator.fromJSON(state.accumulator));
    } catch (e) {
      throw new CliError(`${files[i]}: ${(e as Error).message}`);
    }
    skipped += state.skipped;
  });
  const first = states[0];
  if (output) {
    const merged: PartialState = { ...first, skipped, accumulator: accumulator.toJSON() };
    await writeFileAtomic(output, JSON.stringify(merged) + '\n');
  }
  // 'mean' counts items, and so do the other reductions' counts: the accumulator's items.
  return { loss: reduce(accumulator, first.reduction), reduction: first.reduction, count: accumulator.items, rows: accumulator.rows, skipped, lossName: first.loss };
}
