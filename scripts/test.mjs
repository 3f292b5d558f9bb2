// `npm test` after `npm run build`: type-checks the tests, the CLI, the examples and the playground,
// runs every test with Node's test runner, then the library's tests (and test/differential*) a second
// time under the other WebAssembly build where a V8 flag selects it on the Node running this script:
//   Node 20: --experimental-wasm-relaxed-simd turns relaxed SIMD on (the fused multiply-add build);
//   Node 22 and 24: relaxed SIMD is always on and V8 no longer has the flag either way
//            (`node: bad option`, exit 9; measured on 22.23 and 24.22), so only that build runs.
// The flag is chosen by asking the library which build runs (wasmVariant()) with and without each
// flag, not by version number. `--no-typecheck` skips the type-checks (they do not depend on
// Node's version: .ci/run uses it for its second Node).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;

/** Runs node with the arguments in the repository root; exits with its status if it fails. */
function run(args) {
  console.log(`\n$ node ${args.join(' ')}`);
  const result = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The *.test.js files in dir (relative to the root), or in each of its subfolders with `deep`. */
function tests(dir, deep = false) {
  const folders = deep
    ? readdirSync(join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name))
    : [dir];
  return folders.flatMap((f) => readdirSync(join(root, f)).filter((n) => n.endsWith('.test.js')).sort().map((n) => join(f, n)));
}

/** The WebAssembly build the library runs on this Node with the given flags; null if Node rejects them. */
function variantWith(flags) {
  const probe = spawnSync(node, [...flags, '--input-type=module', '-e', "import { wasmReady, wasmVariant } from './dist/index.js'; await wasmReady(); console.log(wasmVariant());"], {
    cwd: root,
    encoding: 'utf8',
  });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

if (!process.argv.includes('--no-typecheck')) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const project of ['tsconfig.test.json', 'cli/tsconfig.test.json', 'examples/tsconfig.json', 'web/tsconfig.json']) run([tsc, '-p', project]);
}

const library = tests('build/src', true);
const all = tests('build/test');
run(['--test', ...library, ...all, ...tests('cli/build/test')]);
// Under the other build: the library's tests, and test/differential*.test.ts and test/opinfo.test.ts,
// which run the WebAssembly and TypeScript paths.
const again = [...library, ...all.filter((f) => /^(differential|opinfo)/.test(basename(f)))];

const normal = variantWith([]);
const other = ['--experimental-wasm-relaxed-simd', '--no-experimental-wasm-relaxed-simd']
  .map((flag) => ({ flag, variant: variantWith([flag]) }))
  .find((f) => f.variant !== null && f.variant !== normal);
if (other) {
  console.log(`\nThe library's tests again with the '${other.variant}' WebAssembly build (${other.flag}; without it: '${normal}')`);
  run([other.flag, '--test', ...again]);
} else {
  console.log(`\nNode ${process.version} runs only the '${normal}' WebAssembly build (no flag selects another): the library's tests ran once.`);
}
