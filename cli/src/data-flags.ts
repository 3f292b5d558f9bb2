// The data-handling flags of `losskit eval` and the `losskit merge` command, kept apart from the
// loss flags of main.ts: how files are read (--delimiter, --na, --stdin-format), sharded (--jobs)
// and saved for merging (--partial).
import { Command, InvalidArgumentError, Option } from 'commander';
import { NA_POLICIES, resultJson, type EvalRequest, type EvalResult } from './eval.js';
import { FORMATS, type Format } from './io/sources.js';

function positiveInteger(value: string): number {
  const v = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return v;
}

/** `\t`, `tab` and a literal tab all mean tab (a tab is awkward to type in a shell). */
function delimiter(value: string): string {
  if (value === '\\t' || value.toLowerCase() === 'tab') return '\t';
  if (value.length !== 1) throw new InvalidArgumentError(`'${value}' is not one character (use tab or \\t for a tab).`);
  return value;
}

export function addDataFlags(command: Command): Command {
  return command
    .option('--delimiter <char>', "CSV field delimiter (default ',' for .csv, tab for .tsv; 'tab' or '\\t' for a tab)", delimiter)
    .addOption(new Option('--na <policy>', 'missing values (empty, NA, N/A...): error, or skip their rows (counted)').choices(NA_POLICIES as string[]).default('error'))
    .addOption(new Option('--stdin-format <format>', "the format of '-' (standard input); default: .npy or gzip by their magic bytes, else CSV").choices(FORMATS))
    .option('--partial <state.json>', 'also write the mergeable partial state (see losskit merge)')
    .option('--jobs <n>', 'worker threads: for several shards (files; the shell expands globs), default 1; for one CSV/TSV file of 16 MiB or more without quotes (split into parts of lines), default the available cores', positiveInteger);
}

/** The request fields the data flags give. */
export function dataRequest(options: Record<string, unknown>): Pick<EvalRequest, 'delimiter' | 'na' | 'stdinFormat' | 'partial' | 'jobs'> {
  return {
    delimiter: options.delimiter as string | undefined,
    na: options.na as EvalRequest['na'],
    stdinFormat: options.stdinFormat as Format | undefined,
    partial: options.partial as string | undefined,
    jobs: options.jobs as number | undefined,
  };
}

/** Prints a reduced result (eval and merge), with the count of rows --na skip left out on stderr. */
export function printResult(result: Pick<EvalResult, 'loss' | 'reduction' | 'count' | 'skipped' | 'lossName'>, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) console.log(resultJson(result, extra));
  else if (result.loss === null) console.log(`${result.lossName}: ${result.count} per-item losses written to ${String(extra.out)}`);
  else console.log(`${result.lossName} (${result.reduction} over ${result.count} items): ${result.loss}`);
  if (result.skipped > 0 && !json) console.error(`${result.skipped} row${result.skipped === 1 ? '' : 's'} with a missing value left out (--na skip)`);
}

export function addMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('join the partial states of shards (eval --partial) into the result over all the data, exactly')
    .argument('<states...>', 'partial states written by losskit eval --partial')
    .option('--json', 'print {"loss", "reduction", "count"} as JSON')
    .option('--partial <state.json>', 'also write the merged partial state (to merge further)')
    .addHelpText(
      'after',
      `
Examples:
  $ losskit eval --loss mse part-1.csv --columns p --target-columns t --partial part-1.json
  $ losskit eval --loss mse part-2.csv --columns p --target-columns t --partial part-2.json
  $ losskit merge part-*.json --json
  $ parallel losskit eval --loss mse {} --columns p --target-columns t --partial {.}.json ::: part-*.csv && losskit merge part-*.json`,
    )
    .action(async (files: string[], options: { json?: boolean; partial?: string }) => {
      const { merge } = await import('./merge.js');
      const result = await merge(files, options.partial);
      printResult(result, Boolean(options.json));
    });
}
