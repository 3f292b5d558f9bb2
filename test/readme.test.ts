// README.md's tables of losses, activations and command-line names are the catalogue's: rendered by
// test/support/catalog-tables.ts, written by `npm run readme-tables`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { catalog } from '../src/index.js';
import { TABLES, withTables } from './support/catalog-tables.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('README.md holds the catalogue tables, up to date (npm run readme-tables rewrites them)', () => {
  const entries = Object.values(catalog);
  for (const name of Object.keys(TABLES)) assert.ok(README.includes(`<!-- catalog:${name} -->`), `no ${name} block`);
  assert.equal(README, withTables(README, entries), 'README.md tables are stale: run npm run readme-tables');
});

test('the loss table names every catalogue loss and its reference, the activation table every activation', () => {
  const losses = README.slice(README.indexOf('<!-- catalog:losses -->'), README.indexOf('<!-- /catalog:losses -->'));
  const activations = README.slice(README.indexOf('<!-- catalog:activations -->'), README.indexOf('<!-- /catalog:activations -->'));
  for (const e of Object.values(catalog)) {
    const table = e.kind === 'loss' ? losses : activations;
    assert.match(table, new RegExp(`\\n\\| \`${e.name}\`[^\\n]*\\| \`${e.reference.function.replace(/^torch\.nn\.functional\./, 'F.').replace(/\./g, '\\.')}\` \\|`), e.name);
  }
});
