// Table-driven: every loss of the catalogue that the command line streams goes through
// `losskit eval` on JSON files — in one chunk and in chunks of a few rows — and must give what the
// library gives on the whole data: the 'mean' and 'sum' (and 'batchmean'), the gradient of the
// mean (--grad), and with --weight where the loss takes one. The arguments are the property tests'
// (test/support/all-losses.ts), so a loss added there and to the catalogue is covered here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalog, kebabCase, logLoss, tensor, type CatalogEntry, type Tensor } from '../src/index.js';
import { ALL_LOSSES } from './support/all-losses.js';
import { assertTensorClose } from './support/close.js';

const BIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'losskit-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 7;
/** Elements per chunk for the many-chunk runs: one to three rows of four columns at a time. */
const SMALL_CHUNKS = ['--chunk-elements', '9'];

/** A tensor as a JSON file: one number per row (1-D) or one array per row (2-D). */
function jsonFile(name: string, t: Tensor): string {
  const path = join(dir, `${name}.json`);
  const values = Array.from(t.data);
  const rows = t.shape.length <= 1 ? values : Array.from({ length: t.shape[0] }, (_, r) => values.slice(r * t.shape[1], (r + 1) * t.shape[1]));
  writeFileSync(path, JSON.stringify(rows));
  return path;
}

/** A little-endian float64 or float32 .npy file's numbers (written by --grad). */
function readNpy(path: string): Float64Array {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const body = bytes.subarray(10 + headerLength);
  const copy = new Uint8Array(body).buffer;
  return header.includes("'<f8'") ? new Float64Array(copy) : Float64Array.from(new Float32Array(copy));
}

/** The command-line flags of library options: `--name value`, `--name` / `--no-name` for booleans, lists comma-separated. */
function flags(entry: CatalogEntry, options: Record<string, unknown>): string[] {
  return Object.entries(options).flatMap(([name, value]) => {
    const spec = entry.options[name];
    if (spec.type === 'boolean') return value === spec.default ? [] : [value ? `--${kebabCase(name)}` : `--no-${kebabCase(name)}`];
    return [`--${kebabCase(name)}=${Array.isArray(value) ? value.join(',') : String(value)}`];
  });
}

function evalJson(args: string[]): { loss: number; count: number } {
  const run = spawnSync(process.execPath, [BIN, 'eval', ...args, '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, `losskit eval ${args.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

interface Case {
  label: string;
  entry: CatalogEntry;
  /** The library's arguments. */
  args: Tensor[];
  /** The files' contents, in the command line's order (elementwise losses: every file of the input's shape). */
  files: Tensor[];
  options: Record<string, unknown>;
  /** The library call of the whole data. */
  library: (reduction: string, extra?: Record<string, unknown>) => { loss: number; grad: Tensor | null };
}

function libraryCall(entry: CatalogEntry, args: Tensor[], options: Record<string, unknown>): Case['library'] {
  const fn = entry.fn as unknown as { withGrad: (...a: unknown[]) => { loss: Tensor; grad: Tensor | null } };
  return (reduction, extra = {}) => {
    const { loss, grad } = fn.withGrad(...args, { ...options, ...extra, reduction, argnums: [0] });
    return { loss: loss.item(), grad };
  };
}

/** The cases: every property-test loss the command line streams, and logLoss (yPred before yTrue on the command line). */
/** What eval streams: not sequences (ctcLoss) or groups (Dice, NT-Xent), not a loss with a parameter argument (linearCrossEntropy's weight). */
const streams = (e: CatalogEntry): boolean => e.items !== 'sequences' && e.items !== 'groups' && !e.args.some((a) => a.parameter);

function cases(): Case[] {
  const out: Case[] = [];
  for (const c of ALL_LOSSES) {
    const entry = Object.values(catalog).find((e) => e.fn === c.fn)!;
    if (!streams(entry)) continue;
    const args = c.args(ROWS, 11);
    const options = c.options ?? {};
    // Elementwise losses take files of one shape: a per-row argument (gaussianNllLoss's var [N]) is broadcast along the row.
    const files = entry.items === 'elements' ? args.map((a) => (a.shape.length === 1 && args[0].shape.length === 2 ? tensor(Array.from({ length: args[0].size }, (_, i) => a.data[Math.floor(i / args[0].shape[1])]), { shape: args[0].shape, dtype: 'float64' }) : a)) : args;
    out.push({ label: c.name, entry, args, files, options, library: libraryCall(entry, args, options) });
  }
  const probabilities = tensor(Array.from({ length: ROWS }, (_, r) => [0.2 + 0.05 * r, 0.5 - 0.05 * r, 0.3]), { dtype: 'float64' });
  const labels = tensor(Array.from({ length: ROWS }, (_, r) => r % 3), { dtype: 'float64' });
  const sum = logLoss(Array.from(labels.data), probabilities, { normalize: false });
  out.push({
    label: 'logLoss',
    entry: catalog.logLoss,
    args: [labels, probabilities],
    files: [probabilities, labels],
    options: {},
    library: (reduction) => ({ loss: reduction === 'sum' ? sum : sum / ROWS, grad: null }),
  });
  return out;
}

const ALL = cases();

test('the table covers every loss of the catalogue that the command line streams', () => {
  const streamed = Object.values(catalog).filter((e) => e.kind === 'loss' && streams(e));
  assert.deepEqual([...new Set(ALL.map((c) => c.entry.name))].sort(), streamed.map((e) => e.name).sort());
});

for (const c of ALL) {
  test(`losskit eval --loss ${c.entry.cliName} (${c.label}): one chunk and many give the library's value and gradient`, () => {
    const files = c.files.map((t, k) => jsonFile(`${c.label.replace(/\W+/g, '-')}-${k}`, t));
    const base = ['--loss', c.entry.cliName, ...files, ...flags(c.entry, c.options)];
    const reductions = c.entry.reductions.length > 0 ? c.entry.reductions.filter((r) => r !== 'none') : ['mean', 'sum'];
    for (const reduction of reductions) {
      const expected = c.library(reduction).loss;
      // The mean in one chunk and in many; the other reductions in many (one chunk is the library call itself).
      for (const chunks of reduction === 'mean' ? [[], SMALL_CHUNKS] : [SMALL_CHUNKS]) {
        const got = evalJson([...base, '--reduction', reduction, ...chunks]).loss;
        assert.ok(Math.abs(got - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${reduction}${chunks.length ? ', many chunks' : ''}: ${got} vs ${expected}`);
      }
    }
    if (!c.entry.withGrad) return;
    const gradFile = join(dir, `${c.label.replace(/\W+/g, '-')}-grad.npy`);
    evalJson([...base, '--grad', gradFile, ...SMALL_CHUNKS]);
    const expected = c.library('mean').grad!;
    assertTensorClose(tensor(readNpy(gradFile), { shape: expected.shape, dtype: 'float64' }), expected, `${c.label} --grad`);
  });
}

/** The streamed losses with a weight option, from the catalogue. */
const CLI_WEIGHTED = Object.values(catalog).filter((e) => e.kind === 'loss' && streams(e) && e.options.weight).map((e) => e.name);

test('losskit eval --weight: one number per column, as the library weights the whole data (one chunk and many)', () => {
  const weighted = ALL.filter((en) => en.entry.options.weight && en.label === en.entry.name);
  assert.deepEqual(weighted.map((c) => c.entry.name).sort(), CLI_WEIGHTED.sort());
  for (const c of weighted) {
    const spec = c.entry.options.weight;
    assert.equal(spec.type, 'tensor');
    const columns = c.files[0].shape[1];
    const list = Array.from({ length: columns }, (_, k) => 0.5 + k * 0.75);
    // Per-element weights (l1, mse, huber) are the list repeated on every row; the others take it as it is ([C] or broadcast).
    const weight = spec.type === 'tensor' && !spec.broadcast && c.entry.items === 'elements' ? tensor(Array.from({ length: c.args[0].size }, (_, i) => list[i % columns]), { shape: c.args[0].shape, dtype: 'float64' }) : tensor(list, { dtype: 'float64' });
    const files = c.files.map((t, k) => jsonFile(`${c.entry.name}-w-${k}`, t));
    const expected = c.library('mean', { weight }).loss;
    for (const chunks of [[], SMALL_CHUNKS]) {
      const got = evalJson(['--loss', c.entry.cliName, ...files, ...flags(c.entry, c.options), `--weight=${list.join(',')}`, ...chunks]).loss;
      assert.ok(Math.abs(got - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${c.entry.name} --weight${chunks.length ? ', many chunks' : ''}: ${got} vs ${expected}`);
    }
  }
});
