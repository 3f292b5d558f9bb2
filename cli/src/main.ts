// The `losskit` command: tour, eval, plot. Errors are one line on stderr and a non-zero exit
// (1 for bad data or files, 2 for bad usage), never a stack trace.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addDataFlags, addMergeCommand, dataRequest, printResult } from './data-flags.js';
import { CliError } from './errors.js';
import { evaluate } from './eval.js';
import type { OptionSpec } from 'losskit';
import { writeFileAtomic } from './io/sinks.js';
import { CLI_LOSSES, flagOf, LOSS_NAMES } from './losses.js';
import { PLOT_NAMES_HELP, PLOTTABLE, plotFlags } from './plot-names.js';
import type { PlotOptions } from './plot.js';

function number(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || Number.isNaN(v)) throw new InvalidArgumentError(`'${value}' is not a number.`);
  return v;
}

function integer(value: string): number {
  const v = number(value);
  if (!Number.isInteger(v)) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return v;
}

function numberList(value: string): number[] {
  return value.split(',').map((part) => {
    const v = Number(part);
    if (part.trim() === '' || Number.isNaN(v)) throw new InvalidArgumentError(`'${value}' is not a comma-separated list of numbers.`);
    return v;
  });
}

function nameList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function range(value: string): [number, number] {
  const parts = numberList(value);
  if (parts.length !== 2 || !(parts[0] < parts[1])) throw new InvalidArgumentError(`expected low,high with low < high, got '${value}'.`);
  return [parts[0], parts[1]];
}

/** Every option of the command-line losses, with the losses that take it (library names). */
function evalFlags(): Map<string, { spec: OptionSpec; losses: string[]; docs: Map<string, string[]> }> {
  const flags = new Map<string, { spec: OptionSpec; losses: string[]; docs: Map<string, string[]> }>();
  for (const loss of CLI_LOSSES) {
    for (const name of loss.options) {
      const spec = loss.entry.options[name];
      const flag = flags.get(name) ?? { spec, losses: [], docs: new Map<string, string[]>() };
      // The command line expands a list of per-element weights along the rows: one per column.
      const doc = name === 'weight' && loss.weightPerColumn ? 'one weight per column' : spec.doc;
      flag.losses.push(loss.name);
      flag.docs.set(doc, [...(flag.docs.get(doc) ?? []), loss.name]);
      flags.set(name, flag);
    }
  }
  return flags;
}

/**
 * The command-line option of a library option: a value flag parsed by its type (a list for tensors
 * and labels: one number, or one per column), a switch for a boolean (`--no-x` where it defaults to
 * true), described by its docs and the losses that take it.
 */
function optionFlag(name: string, spec: OptionSpec, description: string, asList: boolean): Option {
  const flag = flagOf(name);
  switch (spec.type) {
    case 'number':
      return new Option(`${flag} <x>`, description).argParser(number);
    case 'integer':
      return new Option(`${flag} <n>`, description).argParser(integer);
    case 'boolean':
      return new Option(spec.default ? `--no-${flag.slice(2)}` : flag, description);
    case 'tensor':
      return asList ? new Option(`${flag} <list>`, description).argParser(numberList) : new Option(`${flag} <x>`, description).argParser(number);
    case 'labels':
    case 'axes':
      return new Option(`${flag} <list>`, description).argParser(numberList);
    case 'choice':
      return new Option(`${flag} <name>`, description).choices(spec.values);
    default: {
      const never: never = spec;
      throw new Error(`unknown option type '${String((never as OptionSpec).type)}' (valid: number, integer, boolean, tensor, labels, choice, axes)`);
    }
  }
}

/**
 * Loads a module of the losskit repository that this package sits in (examples/, web/): those
 * ship with the repository, not with the published command line.
 */
async function importFromRepository(path: string, what: string): Promise<unknown> {
  const url = new URL(`../../${path}`, import.meta.url);
  try {
    return await import(url.href);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && (e as Error).message.includes(url.pathname)) {
      throw new CliError(`${what}: part of the losskit repository (its ${path.split("/")[0]}/ folder), which is not beside this installation`);
    }
    throw e;
  }
}

const EVAL_FLAGS = evalFlags();

export function buildProgram(): Command {
  const program = new Command('losskit')
    .description('Loss functions with PyTorch parity: a guided tour, losses on data files, and plots of every loss and its gradient.')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    // Set before the subcommands are added, so that they inherit both: one line per error, and
    // no process.exit inside commander (main() decides the exit code).
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(text.replace(/^error: /, 'losskit: ').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ losskit tour
  $ losskit eval --loss cross-entropy logits.npy labels.csv --label-smoothing 0.1
  $ losskit eval --loss mse data.csv --columns prediction --target-columns target --json
  $ losskit plot l1,mse,smooth-l1 -o regression.svg
  $ losskit train outliers`,
    );

  program
    .command('tour')
    .description("walk through the tutorial's examples: softmax, cross-entropy, binary cross-entropy, regression losses")
    .option('--out <dir>', 'folder for the plots', './losskit-plots')
    .addHelpText('after', '\nExample:\n  $ losskit tour --out /tmp/plots')
    .action(async (options: { out: string }) => {
      // Loaded on demand: Vega (for the plots) is only needed by tour and plot.
      const { tour } = await import('./tour.js');
      await tour({ out: options.out, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
    });

  const evalCommand = program
    .command('eval')
    .description('compute a loss on files of predictions and targets (.npy, .npz, .csv, .tsv, .json, .jsonl, .parquet, .arrow; .gz; - for stdin), streamed in chunks')
    .argument('<files...>', `predictions then targets (then a third file for ${CLI_LOSSES.filter((l) => l.inputs.length > 2).map((l) => l.name).join(', ')})`)
    .requiredOption('--loss <name>', `the loss: ${LOSS_NAMES.join(', ')}`)
    .option('--reduction <reduction>', `'mean', 'sum' or 'none' ('batchmean' for ${CLI_LOSSES.filter((l) => l.batchmean).map((l) => l.name).join(', ')})`, 'mean')
    .option('--columns <list>', 'columns of the predictions (CSV, Parquet, Arrow), by name or 0-based index', nameList)
    .option('--target-columns <list>', 'columns of the targets (with --columns, every file holds both)', nameList)
    .option('--grad <file.npy>', 'write the gradient with respect to the predictions')
    .option('--out <file>', "with --reduction none: write the per-item losses (.npy, .csv, .json, .jsonl)")
    .option('--json', 'print {"loss", "reduction", "count"} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ losskit eval --loss cross-entropy logits.npy labels.npy
  $ losskit eval --loss cross-entropy logits.npy labels.csv --weight 1,2,1 --ignore-index 0 --json
  $ losskit eval --loss binary-cross-entropy-with-logits scores.jsonl labels.jsonl --pos-weight 3 --grad grad.npy
  $ losskit eval --loss l1 data.csv --columns prediction --target-columns target --reduction none --out errors.csv
Exit codes: 0 success, 1 bad data or files, 2 bad usage.`,
    )
    .action(async (files: string[], options: Record<string, unknown>, command: Command) => {
      const libraryOptions: Record<string, unknown> = {};
      for (const name of EVAL_FLAGS.keys()) {
        if (command.getOptionValueSource(name) === 'cli') libraryOptions[name] = options[name];
      }
      const result = await evaluate({
        loss: options.loss as string,
        files,
        reduction: options.reduction as string,
        options: libraryOptions,
        columns: options.columns as string[] | undefined,
        targetColumns: options.targetColumns as string[] | undefined,
        grad: options.grad as string | undefined,
        out: options.out as string | undefined,
        progress: Boolean(process.stderr.isTTY) && !options.json,
        chunkElements: options.chunkElements as number | undefined,
        partBytes: options.partBytes as number | undefined,
        ...dataRequest(options),
      });
      printResult(result, Boolean(options.json), options.out ? { out: options.out } : {});
      if (options.grad) console.error(`gradient written to ${options.grad as string}`);
    });
  for (const [name, { spec, docs }] of EVAL_FLAGS) {
    const description = [...docs].map(([doc, losses]) => `${doc} (${losses.join(', ')})`).join('; ');
    evalCommand.addOption(optionFlag(name, spec, description, true));
  }
  evalCommand.addOption(new Option('--chunk-elements <n>', 'elements per chunk').argParser(integer).hideHelp());
  evalCommand.addOption(new Option('--part-bytes <n>', 'least bytes per part of a CSV file split by --jobs').argParser(integer).hideHelp());
  addDataFlags(evalCommand);
  addMergeCommand(program);

  const plotCommand = program
    .command('plot')
    .description('draw losses and their derivatives as SVG')
    .argument('<losses>', `comma-separated: ${PLOT_NAMES_HELP}`, nameList)
    .requiredOption('-o, --output <file.svg>', 'the SVG file to write')
    .option('--range <low,high>', 'x range (error, probability or logit)', range)
    .option('--classes <n>', `${PLOTTABLE.filter((p) => p.plot.x === 'true-class-logit').map((p) => p.entry.cliName).join(', ')}: number of classes`, integer)
    .option('--title <text>', 'chart title')
    .addHelpText(
      'after',
      `
Examples:
  $ losskit plot smooth-l1 --beta 0.5 --range -3,3 -o smooth-l1.svg
  $ losskit plot l1,mse,smooth-l1,huber -o regression.svg
  $ losskit plot binary-cross-entropy -o bce.svg
  $ losskit plot cross-entropy --classes 10 --label-smoothing 0.1 -o ce.svg`,
    )
    .action(async (losses: string[], options: PlotOptions & { output: string; range?: [number, number]; title?: string }) => {
      if (!options.output.toLowerCase().endsWith('.svg')) throw new CliError(`-o must name an .svg file, got ${options.output}`, 2);
      const { renderPlot } = await import('./plot.js');
      const svg = await renderPlot(losses, options.range, options, options.title);
      await writeFileAtomic(options.output, svg);
      console.log(`wrote ${options.output}`);
    });
  for (const [name, { spec, losses }] of plotFlags()) {
    plotCommand.addOption(optionFlag(name, spec, `${losses.join(', ')}: ${name}${spec.type === 'tensor' ? ' (one number)' : ''}`, false));
  }

  program
    .command('train')
    .description('run a training example that shows why a loss exists (outliers, iris, imbalanced, boxes)')
    .argument('<name>', 'outliers, iris, imbalanced or boxes')
    .option('--seed <n>', 'random seed', integer)
    .option('--out <dir>', 'folder for the plots', './losskit-examples')
    .addHelpText('after', '\nExamples:\n  $ losskit train outliers\n  $ losskit train iris --seed 3 --out /tmp/iris')
    .action(async (name: string, options: { seed?: number; out: string }) => {
      const examples = (await importFromRepository('examples/index.js', 'the training examples')) as {
        EXAMPLES: Record<string, { summary: string }>;
        runExample: (name: string, options: object) => Promise<unknown>;
      };
      if (!(name in examples.EXAMPLES)) {
        throw new CliError(`unknown example '${name}' (examples: ${Object.keys(examples.EXAMPLES).join(', ')})`, 2);
      }
      await examples.runExample(name, { seed: options.seed, out: options.out });
    });

  program
    .command('serve')
    .description('build the playground (an interactive page of every loss and its gradient) and serve it on localhost')
    .addHelpText('after', '\nExample:\n  $ PORT=8080 losskit serve')
    .action(async () => {
      await importFromRepository('web/serve.js', 'the playground');
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      process.stderr.write(`losskit: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`losskit: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
