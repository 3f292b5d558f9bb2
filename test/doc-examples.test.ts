// Every @example in the TSDoc of src/ is run, and what it prints must equal its `// ` output lines.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as losskit from '../src/index.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

interface Example {
  file: string;
  code: string;
  expected: string[];
}

function examples(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const found: Example[] = [];
  for (const match of text.matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    const lines = match[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    // TypeScript's non-null assertions (`grad!.`) are the only type syntax the examples use.
    const code = lines.filter((l) => !l.startsWith('//')).join('\n').replace(/!\./g, '.');
    const expected = lines.filter((l) => l.startsWith('// ')).map((l) => l.slice(3));
    found.push({ file: file.slice(SRC.length), code, expected });
  }
  return found;
}

describe('TSDoc examples print what they say', () => {
  const all = sourceFiles(SRC).flatMap(examples);
  // The examples of wasmStatus()/wasmVariant() describe the loaded state.
  before(() => losskit.wasmReady());
  test('every public function has an example', () => assert.ok(all.length >= 25, `${all.length} examples`));
  for (const example of all) {
    test(`${example.file}: ${example.code.split('\n')[0].slice(0, 60)}`, () => {
      const printed: string[] = [];
      const console = { log: (...values: unknown[]) => printed.push(values.map(String).join(' ')) };
      const names = Object.keys(losskit);
      // The example's code is ours (src/), run with the public API in scope.
      new Function(...names, 'console', example.code)(...names.map((n) => (losskit as Record<string, unknown>)[n]), console);
      assert.deepEqual(printed.join('\n').split('\n'), example.expected);
    });
  }
});
