// The CommonJS build, for `require('losskit')` (Node 20 and 24, and Jest, whose CommonJS mode cannot
// load ES modules at all). Run by `npm run build` after tsc: every module tsc wrote to dist/ is
// converted file by file to dist/cjs/ with esbuild (the same code, so one source of truth and one
// module per file: a subpath entry added to `exports` is converted too, and shares the core with
// the main entry instead of bundling a second copy of it), the declarations are copied beside it,
// and dist/cjs/package.json says "type": "commonjs" so that Node loads those .js files and
// TypeScript reads those .d.ts files as CommonJS (what `node16`/`nodenext` consumers that
// `require` need).
//
// A dynamic `import()` in the library becomes `Promise.resolve().then(() => require(...))`
// (esbuild's dynamic-import lowering): a real import() would fail under Jest without
// --experimental-vm-modules. What CommonJS has no equivalent for (top-level await, `import.meta`)
// fails this build, rather than shipping a module that breaks only when required.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const out = join(dist, 'cjs');
rmSync(out, { recursive: true, force: true });

/** Every file under dir, except the CommonJS output itself. */
function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== out) yield* files(path);
    } else {
      yield path;
    }
  }
}

const modules = [];
for (const path of [...files(dist)]) {
  if (path.endsWith('.js')) {
    modules.push(path);
  } else {
    // Declarations (and any asset a module loads beside itself) are the same for both formats.
    const target = join(out, relative(dist, path));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(path, target);
  }
}
// Bundling mode, with every import but the entry external, converts each module on its own and
// lowers import() to require (a plain transform keeps import()). Each module is wrapped in a
// function: its top-level names would otherwise share the scope of CommonJS's wrapper, and a
// top-level `let exports` (kernels/wasm.js has one; esbuild does not rename it) would become the
// wrapper's `exports` object. esbuild's own code only uses `module.exports` and `require`, which the
// wrapper still passes in. "use strict": ES modules are strict, CommonJS modules are not by default.
const result = await build({
  entryPoints: modules,
  outbase: dist,
  outdir: out,
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  banner: { js: '"use strict";\n(() => {' },
  footer: { js: '})();' },
  supported: { 'dynamic-import': false },
  plugins: [{ name: 'one-module-per-file', setup: (b) => b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path, external: true })) }],
  logLevel: 'silent',
});
if (result.warnings.length > 0) {
  throw new Error(`build-cjs: ${result.warnings.map((w) => `${w.location?.file ?? ''}: ${w.text}`).join('; ')}`);
}
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
// Both formats must export the same names (a wrong conversion shows up here, not in a user's
// require).
const esm = Object.keys(await import(pathToFileURL(join(dist, 'index.js')).href)).sort();
const cjs = Object.keys(createRequire(import.meta.url)(join(out, 'index.js'))).sort();
if (esm.join() !== cjs.join()) throw new Error(`build-cjs: dist/cjs/index.js exports [${cjs}], dist/index.js [${esm}]`);
console.log(`dist/cjs/: ${modules.length} CommonJS modules, ${cjs.length} exports as in dist/index.js`);
