// `npm run readme-tables`: writes the catalogue's tables (losses, activations, command-line names)
// into README.md between their `<!-- catalog:NAME -->` markers. test/readme.test.ts checks them.
// Reads the compiled tests (build/, from `tsc -p tsconfig.test.json`); README.md is replaced whole
// (written to a temporary file, then renamed), so an error never leaves it half-written.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { catalog } = await import(`${root}build/src/index.js`);
const { withTables } = await import(`${root}build/test/support/catalog-tables.js`);
const path = `${root}README.md`;
const before = readFileSync(path, 'utf8');
const after = withTables(before, Object.values(catalog));
if (after === before) {
  console.log('README.md: the catalogue tables are up to date');
} else {
  writeFileSync(`${path}.tmp`, after);
  renameSync(`${path}.tmp`, path);
  console.log('README.md: catalogue tables rewritten');
}
