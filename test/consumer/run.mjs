// The package as a user gets it: `npm pack` of the library and of the CLI, installed into a fresh
// project outside the repository (dependencies from the npm cache where it has them), then:
//   - `import` and `require` on every Node given, with the numbers of the repository's own build
//     on that Node (the same code must give the same bits);
//   - Jest in its default CommonJS mode;
//   - TypeScript strict under moduleResolution node16, nodenext and bundler;
//   - the CLI from its tarball: --help, eval (against the library's value), plot, tour.
// `npm run test:consumer` (builds first), or `node test/consumer/run.mjs [--no-build] [--keep]
// [--node PATH ...]`: each --node adds a Node binary to run the consumers on (.ci/run adds Node 24
// from scripts/fetch-node.mjs). --keep leaves the temporary project for a look.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: { node: { type: 'string', multiple: true, default: [] }, 'no-build': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!existsSync(join(root, 'node_modules', 'typescript'))) throw new Error('run `npm install` in the repository first (its TypeScript checks the consumer)');
const work = mkdtempSync(join(tmpdir(), 'losskit-consumer-'));
const project = join(work, 'project');

/** Runs a command; its stdout, or a failed assertion with its output. */
function sh(command, args, cwd = project) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The Nodes to run consumers on, each with its version. */
const nodes = [process.execPath, ...options.node].map((path) => ({ path, version: sh(path, ['--version'], root).trim() }));

/** The compute.cjs numbers of the repository's own build (dist/) on a Node. */
const reference = new Map();

before(() => {
  if (!options['no-build']) sh(npm, ['run', 'build', '--silent'], root);
  // Packed as published; --ignore-scripts: the build above (or the caller's) is what prepack would run.
  const packed = [
    ...JSON.parse(sh(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root)),
    ...JSON.parse(sh(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work, '--workspace', 'cli'], root)),
  ];
  const library = packed.find((p) => p.name === 'losskit');
  assert.ok(!('prepare' in JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts), 'the published package.json has no prepare script');
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'LICENSE', 'README.md']) {
    assert.ok(library.files.some((f) => f.path === file), `the library's tarball has ${file}`);
  }
  assert.ok(!library.files.some((f) => /^(src|test|build)\//.test(f.path)), "the library's tarball has no sources or tests");
  const cli = packed.find((p) => p.name === 'losskit-cli');
  for (const file of ['bin/losskit.js', 'dist/main.js', 'LICENSE', 'README.md']) assert.ok(cli.files.some((f) => f.path === file), `the CLI's tarball has ${file}`);

  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'losskit-consumer', private: true, type: 'commonjs', jest: { testEnvironment: 'node', testMatch: ['**/jest.test.cjs'] } }, null, 2),
  );
  // Beside each other, as a user installs them: the CLI's `losskit` range is met by the library's tarball.
  const install = spawnSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed.map((p) => join(work, p.filename)), 'jest@30'], { cwd: project, encoding: 'utf8' });
  assert.equal(install.status, 0, `npm install of the tarballs failed:\n${install.stderr}`);
  // npm 11 lists dependencies' install scripts (prepare included) waiting for approval: not ours.
  assert.doesNotMatch(install.stderr, /install-scripts\s+losskit/);
  for (const file of ['compute.cjs', 'esm.mjs', 'cjs.cjs', 'jest.test.cjs']) copyFileSync(join(here, file), join(project, file));
  for (const extension of ['mts', 'cts', 'ts']) copyFileSync(join(here, 'types.mts'), join(project, `types.${extension}`));

  for (const { path, version } of nodes) {
    const script = `import * as L from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'index.js')).href)}; import compute from ${JSON.stringify(pathToFileURL(join(here, 'compute.cjs')).href)}; console.log(JSON.stringify(await compute(L)));`;
    const numbers = JSON.parse(sh(path, ['--input-type=module', '-e', script], root));
    reference.set(version, numbers);
    writeFileSync(join(project, `expected-${version}.json`), JSON.stringify(numbers));
  }
});

after(() => {
  if (options.keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
});

for (const { path, version } of nodes) {
  test(`Node ${version}: import from the tarball gives the ES module build and the repository build's numbers`, () => {
    const { resolved, ...numbers } = JSON.parse(sh(path, ['esm.mjs']));
    assert.match(resolved, /\/node_modules\/losskit\/dist\/index\.js$/);
    assert.deepEqual(numbers, reference.get(version));
    assert.equal(numbers.zeroCopy, true, 'new Tensor(float32Array, shape) keeps the array');
    assert.equal(numbers.printed, 'tensor(1.6154)');
    assert.notEqual(numbers.wasmVariant, null, 'the WebAssembly kernels ran');
  });

  test(`Node ${version}: require of the tarball gives the CommonJS build and the same numbers`, () => {
    const { resolved, ...numbers } = JSON.parse(sh(path, ['cjs.cjs']));
    assert.match(resolved, /\/node_modules\/losskit\/dist\/cjs\/index\.js$/);
    assert.deepEqual(numbers, reference.get(version));
  });

  test(`Node ${version}: Jest (CommonJS mode) requires the tarball`, () => {
    const output = spawnSync(path, [join(project, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'], { cwd: project, encoding: 'utf8' });
    assert.equal(output.status, 0, output.stderr);
    assert.match(output.stderr, /Tests:\s+1 passed, 1 total/);
  });

  test(`Node ${version}: the CLI from its tarball: --help, eval, plot, tour`, () => {
    const cli = join(project, 'node_modules', 'losskit-cli', 'bin', 'losskit.js');
    assert.match(sh(path, [cli, '--help']), /eval \[options\]/);
    writeFileSync(join(project, 'data.csv'), 'prediction,target\n0.5,1\n2,1.5\n-1,0.25\n');
    const evaluated = JSON.parse(sh(path, [cli, 'eval', '--loss', 'huber', 'data.csv', '--columns', 'prediction', '--target-columns', 'target', '--delta', '0.5', '--json']));
    const expected = spawnSync(path, ['--input-type=module', '-e', `import { huberLoss } from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'index.js')).href)}; console.log(huberLoss([0.5, 2, -1], [1, 1.5, 0.25], { delta: 0.5 }).item());`], { encoding: 'utf8' });
    assert.equal(evaluated.loss, Number(expected.stdout));
    sh(path, [cli, 'plot', 'huber', '--delta', '0.5', '-o', 'huber.svg']);
    assert.match(readFileSync(join(project, 'huber.svg'), 'utf8'), /^<svg[^>]*>/);
    assert.match(sh(path, [cli, 'tour', '--out', 'plots']), /tensor\(1\.6154\)/);
  });
}

test('npx losskit --help runs the CLI installed from its tarball', () => {
  assert.match(sh(npm === 'npm' ? 'npx' : 'npx.cmd', ['--no', '--', 'losskit', '--help']), /Usage: losskit/);
});

for (const resolution of ['node16', 'nodenext', 'bundler']) {
  test(`TypeScript strict, moduleResolution ${resolution}: the package's types`, () => {
    const files = resolution === 'bundler' ? ['types.ts'] : ['types.mts', 'types.cts'];
    const module = resolution === 'bundler' ? 'esnext' : resolution;
    writeFileSync(
      join(project, `tsconfig.${resolution}.json`),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module, moduleResolution: resolution, target: 'es2022', lib: ['es2022'], types: [], skipLibCheck: false }, files }),
    );
    const explained = sh(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${resolution}.json`, '--explainFiles']);
    // Each format reads its own declarations: ESM the top-level ones, CommonJS those of dist/cjs/.
    assert.match(explained, /node_modules\/losskit\/dist\/index\.d\.ts/);
    if (resolution !== 'bundler') assert.match(explained, /node_modules\/losskit\/dist\/cjs\/index\.d\.ts/);
    else assert.doesNotMatch(explained, /dist\/cjs\//);
  });
}
