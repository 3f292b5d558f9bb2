// The catalogue against the functions: every loss and activation exported is in it with complete
// metadata, and what it says (options, defaults, ranges, reductions, differentiable arguments,
// kernels) is what the functions do.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import * as L from '../index.js';
import { catalog, cliNameOf, describeRange, kebabCase, type CatalogEntry, type NumberOptionSpec } from '../index.js';
import { ALL_LOSSES } from '../../test/support/all-losses.js';
import { lossCases } from '../../test/support/fixtures.js';
import { activationGradCases } from '../../test/support/activation-grad-golden.js';

/** The exports of src/index.ts that are not losses or activations (utilities); every other function must be in the catalogue. */
const UTILITIES = ['Tensor', 'tensor', 'numel', 'formatTensor', 'closestName', 'getBackend', 'setBackend', 'wasmReady', 'wasmStatus', 'wasmVariant', 'cliNameOf', 'describeRange', 'kebabCase', 'LossAccumulator'];

const entries = Object.values(catalog);
const x = [[1, -2, 3], [0.5, 1, 0]];

/** Valid arguments for every catalogue entry: the property tests' generators for losses (each case), a tensor for activations. */
function argumentSets(entry: CatalogEntry): { args: unknown[]; options: Record<string, unknown> }[] {
  if (entry.kind === 'activation') return [{ args: [x], options: {} }];
  if (entry.name === 'logLoss') return [{ args: [[0, 1, 1], [0.2, 0.7, 0.6]], options: {} }];
  return ALL_LOSSES.filter((c) => c.fn === entry.fn).map((c) => ({ args: c.args(3, 7), options: c.options ?? {} }));
}

const call = (entry: CatalogEntry, args: unknown[], options: unknown) => (entry.fn as (...a: unknown[]) => unknown)(...args, options);

/** The names an error lists after `valid options: `. */
function validOptions(entry: CatalogEntry, args: unknown[]): string[] {
  try {
    call(entry, args, { notAnOption: 1 });
  } catch (e) {
    const m = /valid options: (.*)$/.exec((e as Error).message);
    assert.ok(m, `${entry.name}: ${(e as Error).message}`);
    return m[1] === 'none' ? [] : m[1].split(', ');
  }
  assert.fail(`${entry.name} accepted an unknown option`);
}

test('every loss and activation exported by src/index.ts is in the catalogue, under its own name or as an alias', () => {
  for (const [name, value] of Object.entries(L)) {
    if (typeof value !== 'function' || UTILITIES.includes(name)) continue;
    const entry = entries.find((e) => e.fn === value);
    assert.ok(entry, `${name} is exported but not in the catalogue (or add it to UTILITIES if it is not a loss or activation)`);
    assert.ok(entry.name === name || entry.aliases.includes(name), `${name} is ${entry.name}'s entry but not listed as an alias`);
  }
  for (const entry of entries) {
    assert.equal((L as Record<string, unknown>)[entry.name], entry.fn, `${entry.name} is in the catalogue but not exported under that name`);
    for (const alias of entry.aliases) assert.equal((L as Record<string, unknown>)[alias], entry.fn, alias);
  }
  for (const name of UTILITIES) assert.ok(name in L, `${name} is listed as a utility but not exported`);
});

test('every entry has complete metadata', () => {
  // The kernels' exports: index.ts and the modules it re-exports whole (`export * from`).
  const kernelDir = new URL('../../../src/kernels/assembly/', import.meta.url);
  const kernelSource = readdirSync(kernelDir).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(new URL(f, kernelDir), 'utf8')).join('\n');
  for (const e of entries) {
    assert.equal(catalog[e.name], e);
    assert.match(e.reference.function, /^(torch|torchvision|sklearn|keras|optax)\.[A-Za-z0-9_.]+[A-Za-z0-9_]$/, e.name);
    assert.ok(e.args.length >= 1, `${e.name}: no arguments`);
    for (const a of e.args) {
      assert.match(a.name, /^[a-z][A-Za-z0-9]*$/, `${e.name}: argument name`);
      assert.ok(a.shape.length > 0, `${e.name}.${a.name}: no shape rule`);
    }
    assert.equal(new Set(e.args.map((a) => a.name)).size, e.args.length, `${e.name}: repeated argument names`);
    for (const [name, o] of Object.entries(e.options)) {
      assert.ok(o.doc.length > 0 && !o.doc.includes(';'), `${e.name}.${name}: a doc of one phrase`);
      switch (o.type) {
        case 'number':
        case 'integer':
          assert.equal(typeof o.default, 'number', `${e.name}.${name}`);
          if (o.type === 'integer') assert.ok(Number.isInteger(o.default), `${e.name}.${name}: default`);
          break;
        case 'boolean':
          assert.equal(typeof o.default, 'boolean', `${e.name}.${name}`);
          break;
        case 'tensor':
          assert.ok(typeof o.default === 'number' && o.shape.length > 0, `${e.name}.${name}`);
          break;
        case 'labels':
        case 'axes':
          assert.equal(o.default, null);
          break;
        case 'choice':
          assert.ok(o.values.includes(o.default), `${e.name}.${name}: default among the values`);
          break;
        default:
          assert.fail(`${e.name}.${name}: unknown type`);
      }
    }
    // Every loss but logLoss (a metric) and every activation (its vector–Jacobian product) has withGrad.
    assert.equal(e.withGrad, e.name !== 'logLoss', `${e.name}: withGrad`);
    assert.equal(e.reductions.length > 0, e.kind === 'loss' && e.withGrad, `${e.name}: reductions`);
    if (e.kind === 'loss') assert.ok(e.items, `${e.name}: items`);
    for (const k of e.kernels) assert.match(kernelSource, new RegExp(`export (function |\\{[^}]*\\b)${k}\\b`), `${e.name}: kernel ${k} is not exported by the kernels`);
    if (e.plot) {
      assert.ok(e.plot.range[0] < e.plot.range[1], `${e.name}: plot range`);
      for (const o of e.plot.options ?? []) assert.ok(o in e.options, `${e.name}: plot option ${o}`);
    }
    assert.equal(e.cliName, cliNameOf(e.name));
    assert.match(e.cliName, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  }
  const cliNames = entries.flatMap((e) => [e.cliName, ...e.cliAliases]);
  assert.equal(new Set(cliNames).size, cliNames.length, 'a command-line name is used twice');
});

test('command-line names are derived mechanically', () => {
  assert.deepEqual(
    ['smoothL1Loss', 'crossEntropy', 'binaryCrossEntropyWithLogits', 'klDiv', 'logLoss', 'logSoftmax', 'input1', 'logProbs'].map(cliNameOf),
    ['smooth-l1', 'cross-entropy', 'binary-cross-entropy-with-logits', 'kl-div', 'log-loss', 'log-softmax', 'input1', 'log-probs'],
  );
  assert.equal(kebabCase('mseLoss'), 'mse-loss');
  assert.deepEqual(catalog.l1Loss.cliAliases, ['l1-loss', 'mae']);
});

test("every entry's options are exactly what its function accepts", () => {
  for (const e of entries) {
    const sets = argumentSets(e);
    assert.ok(sets.length > 0, `${e.name}: no arguments to call it with (test/support/all-losses.ts)`);
    const expected = [...(e.reductions.length > 0 ? ['reduction'] : []), ...Object.keys(e.options), ...(e.kind === 'loss' && e.withGrad ? ['lossInto'] : [])];
    assert.deepEqual(validOptions(e, sets[0].args).sort(), expected.sort(), e.name);
  }
});

test('defaults: passing every number and boolean option at its catalogued default changes nothing', () => {
  for (const e of entries) {
    for (const { args, options } of argumentSets(e)) {
      const defaults = Object.fromEntries(Object.entries(e.options).filter(([k, o]) => (o.type !== 'tensor' && o.type !== 'labels') && !(k in options)).map(([k, o]) => [k, o.default]));
      const plain = call(e, args, options);
      const explicit = call(e, args, { ...options, ...defaults });
      assert.deepEqual(explicit, plain, `${e.name} with ${JSON.stringify(defaults)}`);
    }
  }
});

test('ranges and values: the bounds the catalogue states are the bounds the functions check', () => {
  let checked = 0;
  for (const e of entries) {
    for (const [name, spec] of Object.entries(e.options)) {
      if (spec.type !== 'number' && spec.type !== 'integer') continue;
      const { args, options } = argumentSets(e)[0];
      const accepts = (v: number) => {
        try {
          call(e, args, { ...options, [name]: v });
          return true;
        } catch (err) {
          assert.match((err as Error).message, new RegExp(`^${e.name}: ${name}\\b`), `${e.name}.${name} = ${v}`);
          return false;
        }
      };
      const s = spec as NumberOptionSpec;
      if (s.values) {
        for (const v of s.values) assert.ok(accepts(v), `${e.name}.${name} = ${v}`);
        assert.ok(!accepts(Math.max(...s.values) + 1), `${e.name}.${name}: values`);
        checked++;
      }
      const r = s.range;
      if (!r) continue;
      const range = describeRange(s);
      if (r.min !== undefined) {
        assert.equal(accepts(r.min), !r.minOpen, `${e.name}.${name} = ${r.min} (${range})`);
        if (!r.also?.includes(r.min - 1)) assert.ok(!accepts(r.min - 1), `${e.name}.${name} = ${r.min - 1} (${range})`);
        // Inside: the middle or just above the bound (integers: the default, as ctcLoss's blank must also be below C).
        assert.ok(accepts(s.type === 'integer' ? s.default : r.max !== undefined ? (r.min + r.max) / 2 : r.min + 0.5), `${e.name}.${name} inside ${range}`);
      }
      if (r.max !== undefined) {
        assert.equal(accepts(r.max), !r.maxOpen, `${e.name}.${name} = ${r.max} (${range})`);
        assert.ok(!accepts(r.max + 1), `${e.name}.${name} = ${r.max + 1} (${range})`);
      }
      for (const v of r.also ?? []) assert.ok(accepts(v), `${e.name}.${name} = ${v} (${range})`);
      checked++;
    }
  }
  assert.ok(checked >= 8, `only ${checked} ranges checked`);
});

test('reductions: each listed one is accepted, any other refused with the list', () => {
  for (const e of entries.filter((en) => en.reductions.length > 0)) {
    const { args, options } = argumentSets(e)[0];
    for (const reduction of e.reductions) call(e, args, { ...options, reduction });
    assert.throws(() => call(e, args, { ...options, reduction: 'avg' }), new RegExp(`^Error: ${e.name}: reduction 'avg' is not valid \\(valid: ${e.reductions.map((r) => `'${r}'`).join(', ')}\\)$`));
  }
});

test('differentiable arguments: withGrad returns a gradient exactly for them (in some case), never for the others', () => {
  for (const e of entries.filter((en) => en.withGrad)) {
    const fn = e.fn as unknown as L.AnyLoss;
    const seen = e.args.map(() => false);
    for (const { args, options } of argumentSets(e)) {
      const { grads } = fn.withGrad(...args, options);
      // Differentiated tensor options (linearCrossEntropy's linearBias) have their entries after the arguments'.
      const optionGrads = Object.values(e.options).filter((o) => o.type === 'tensor' && o.differentiable).length;
      assert.equal(grads.length, e.args.length + optionGrads, e.name);
      grads.forEach((g, k) => {
        if (g) seen[k] = true;
      });
    }
    assert.deepEqual(seen, e.args.map((a) => a.differentiable), e.name);
  }
});

test('every loss and activation with a gradient has golden fixtures from PyTorch (scripts/generate_fixtures.py)', () => {
  for (const e of entries.filter((en) => en.withGrad)) {
    // An activation's withGrad cases are in activations-grad.json (value and vector–Jacobian product).
    const cases: { dtype: string }[] = e.kind === 'activation' ? activationGradCases(e.name) : lossCases(e.name);
    assert.ok(cases.length >= 12, `${e.name}: ${cases.length} golden cases`);
    assert.deepEqual([...new Set(cases.map((c) => c.dtype))].sort(), ['float32', 'float64'], `${e.name}: dtypes`);
  }
});
