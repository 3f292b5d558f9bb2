// Every surface of the command line covers every loss of the library's catalogue: `eval --help`
// and `plot --help` list exactly the catalogue's losses, every option has its flag, every name and
// alias is found.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog, cliNameOf } from 'losskit';
import { CLI_LOSSES, findLoss, flagOf } from '../src/losses.js';
import { losskit } from './support.js';

const losses = Object.values(catalog).filter((e) => e.kind === 'loss');
/** What `eval` cannot stream: losses whose items are not rows of a file (ctcLoss's sequences, Dice's and NT-Xent's groups), or that take a parameter (linearCrossEntropy's weight). */
const streamable = losses.filter((e) => e.items !== 'sequences' && e.items !== 'groups' && !e.args.some((a) => a.parameter));

/** The comma-separated names after `label` in a help text (commander wraps lines: rejoined). */
function listed(help: string, label: RegExp): string[] {
  const m = label.exec(help.replace(/\n\s+/g, ' '));
  assert.ok(m, `no ${label} in the help`);
  return m[1].split(', ').map((s) => s.trim());
}

test('eval --help lists exactly the catalogue losses whose items are elements or rows, by their command-line names', () => {
  const help = losskit(['eval', '--help']).stdout;
  assert.deepEqual(listed(help, /--loss <name>\s+the loss: (.*?)\s+--reduction/).sort(), streamable.map((e) => e.cliName).sort());
  assert.deepEqual(CLI_LOSSES.map((l) => l.library).sort(), streamable.map((e) => e.name).sort());
  // Every option of every streamed loss has its flag (logLoss's adapter takes only labels: its
  // normalize and sampleWeight would change what the streamed mean divides by).
  for (const l of CLI_LOSSES) {
    const options = l.library === 'logLoss' ? ['labels'] : Object.keys(catalog[l.library].options);
    assert.deepEqual([...l.options], options, l.name);
    for (const o of options) {
      const spec = catalog[l.library].options[o];
      const flag = spec.type === 'boolean' && spec.default ? `--no-${flagOf(o).slice(2)}` : flagOf(o);
      const line = new RegExp(`\\n  ${flag}\\b[^\\n]*(\\n {20,}[^\\n]*)*`).exec(help);
      assert.ok(line, `${l.name}: no ${flag} in eval --help`);
      assert.match(line[0].replace(/\n\s+/g, ' '), new RegExp(`\\b${l.name}\\b`), `${flag}'s help does not name ${l.name}`);
    }
  }
});

test('an option has one type across the losses that take it (one flag parses it)', () => {
  const types = new Map<string, string>();
  for (const l of CLI_LOSSES) {
    for (const o of l.options) {
      const type = catalog[l.library].options[o].type;
      assert.equal(types.get(o) ?? type, type, `${o}: ${type} for ${l.name}, ${types.get(o)} elsewhere`);
      types.set(o, type);
    }
  }
});

test('plot --help lists exactly the catalogue entries that have a plot, with their aliases', () => {
  const help = losskit(['plot', '--help']).stdout;
  const names = listed(help, /comma-separated: (.*?)\s+Options:/);
  const expected = Object.values(catalog)
    .filter((e) => e.plot)
    .map((e) => {
      const aliases = e.aliases.map(cliNameOf).filter((a) => a !== e.cliName);
      return aliases.length > 0 ? `${e.cliName} (${aliases.join(', ')})` : e.cliName;
    });
  assert.deepEqual([...names].sort(), expected.sort());
  assert.ok(names.includes('l1 (mae)'), 'mae, the alias of l1, is offered');
  for (const e of Object.values(catalog).filter((en) => en.plot)) {
    for (const o of e.plot!.options ?? Object.keys(e.options).filter((k) => e.options[k].type === 'number')) {
      assert.match(help, new RegExp(`\\n  ${flagOf(o)} <x>`), `${e.cliName}: no ${flagOf(o)} in plot --help`);
    }
  }
});

test('every command-line name and alias finds its loss; a typo is answered with the closest name', () => {
  for (const l of CLI_LOSSES) {
    for (const name of [l.entry.cliName, ...l.entry.cliAliases]) assert.equal(findLoss(name), l, name);
  }
  assert.throws(() => findLoss('hubber'), /^Error: unknown loss 'hubber' \(did you mean 'huber'\?\); known losses: /);
  assert.throws(() => findLoss('bce-with-logit'), /did you mean 'binary-cross-entropy-with-logits'\?/);
  assert.throws(() => findLoss('zzzzzzzz'), (e: Error) => !e.message.includes('did you mean'));
});
