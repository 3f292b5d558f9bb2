// `npm run example -- <name> [--seed N] [--out DIR]`
import { parseArgs } from 'node:util';
import { EXAMPLES, runExample } from './index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string' }, out: { type: 'string' } } });
const name = positionals[0];
if (!name || !(name in EXAMPLES)) {
  console.error(`usage: npm run example -- <name> [--seed N] [--out DIR]\n${Object.entries(EXAMPLES).map(([k, e]) => `  ${k.padEnd(11)} ${e.summary}`).join('\n')}`);
  process.exit(name ? 2 : 0);
}
await runExample(name, { seed: values.seed === undefined ? undefined : Number(values.seed), out: values.out });
