// The playground's formula table (web/src/formulas.ts, keyed by catalogue name): every formula is
// valid TeX for KaTeX, also those of losses not yet in the catalogue, and every catalogue loss has one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import katex from 'katex';
import { catalog } from '../src/index.js';
import { FORMULAS } from '../web/src/formulas.js';

test('playground formulas: each renders with KaTeX', () => {
  for (const [name, tex] of Object.entries(FORMULAS)) {
    assert.doesNotThrow(() => katex.renderToString(tex, { displayMode: true, throwOnError: true }), name);
  }
});

test('playground formulas: every catalogue loss has one', () => {
  const missing = Object.values(catalog).filter((e) => e.kind === 'loss' && !(e.name in FORMULAS)).map((e) => e.name);
  assert.deepEqual(missing, []);
});
