// The README's tables of losses, activations and command-line names, rendered from the catalogue.
// test/readme.test.ts checks that README.md holds exactly these between its `<!-- catalog:NAME -->`
// markers; `npm run readme-tables` writes them there.
import type { CatalogEntry, OptionSpec } from '../../src/index.js';

/** `torch.nn.functional.huber_loss` as the README writes it: `F.huber_loss`. */
function reference(e: CatalogEntry): string {
  return `\`${e.reference.function.replace(/^torch\.nn\.functional\./, 'F.')}\``;
}

/** A default as the docs write it: `1e-6`, not `0.000001`. */
const number = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));

function option(name: string, spec: OptionSpec): string {
  switch (spec.type) {
    case 'number':
    case 'integer':
      return `${name} (${number(spec.default)})`;
    case 'boolean':
      return `${name} (${spec.default})`;
    case 'tensor':
      return `${name} \`${spec.shape}\``;
    case 'labels':
      return name;
    case 'choice':
      return `${name} ('${spec.default}'${spec.others ? `, ${spec.values.slice(1).map((v) => `'${v}'`).join(', ')} or ${spec.others}` : ''})`;
    case 'axes':
      return `${name} (all)`;
    default: {
      const never: never = spec;
      throw new Error(`unknown option type of ${name}: ${JSON.stringify(never)}`);
    }
  }
}

function options(e: CatalogEntry): string {
  const reduction = e.reductions.length === 0 ? [] : [e.reductions.length > 3 ? `reduction (${e.reductions.map((r) => `'${r}'`).join(', ')})` : 'reduction'];
  const list = [...reduction, ...Object.entries(e.options).map(([k, o]) => option(k, o))];
  return list.length > 0 ? list.join(', ') : '—';
}

const code = (s: string) => `\`${s}\``;
const named = (e: CatalogEntry) => [code(e.name), ...e.aliases.map((a) => `(${code(a)})`)].join(' ');

/** The losses: name, reference, tensor arguments, options (with defaults), kernels. */
export function lossTable(entries: readonly CatalogEntry[]): string {
  const rows = entries
    .filter((e) => e.kind === 'loss')
    .map((e) => {
      // A differentiable argument that may hold class indices holds probabilities otherwise (crossEntropy's target).
      const kind = (a: CatalogEntry['args'][number]) => (a.classIndices ? (a.differentiable ? ' (class indices or probabilities)' : ' (class indices)') : '');
      const args = e.args.map((a) => `${a.name}${kind(a)}${a.differentiable ? '' : ' ∅'}`).join(', ');
      const notes = e.withGrad ? '' : ' — returns a number, no gradient';
      return `| ${named(e)} | ${reference(e)} | ${args} | ${options(e)}${notes} | ${e.kernels.length > 0 ? 'yes' : '—'} |`;
    });
  return ['| losskit | reference | tensors (∅: no gradient) | options (default) | WebAssembly kernel |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The activations: name, reference, options. */
export function activationTable(entries: readonly CatalogEntry[]): string {
  const rows = entries.filter((e) => e.kind === 'activation').map((e) => `| ${named(e)} | ${reference(e)} | ${options(e)} | ${e.kernels.length > 0 ? 'yes' : '—'} |`);
  return ['| losskit | reference | options (default) | WebAssembly kernel |', '|---|---|---|---|', ...rows].join('\n');
}

/** The command-line names of the losses (`eval --loss`), with their aliases. */
export function cliNames(entries: readonly CatalogEntry[]): string {
  return entries
    .filter((e) => e.kind === 'loss' && e.items !== 'sequences')
    .map((e) => {
      const short = e.cliAliases.filter((a) => !a.endsWith('-loss'));
      return short.length > 0 ? `${code(e.cliName)} (${short.map(code).join(', ')})` : code(e.cliName);
    })
    .join(', ');
}

export const TABLES = { losses: lossTable, activations: activationTable, 'cli-losses': cliNames } as const;

/** README.md with every `<!-- catalog:NAME -->` block replaced by its table. */
export function withTables(readme: string, entries: readonly CatalogEntry[]): string {
  let out = readme;
  for (const [name, render] of Object.entries(TABLES)) {
    const pattern = new RegExp(`(<!-- catalog:${name} -->\\n)[\\s\\S]*?(<!-- /catalog:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`README.md has no <!-- catalog:${name} --> ... <!-- /catalog:${name} --> block`);
    out = out.replace(pattern, (_, open: string, close: string) => `${open}${render(entries)}\n${close}`);
  }
  return out;
}
