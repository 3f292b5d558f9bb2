// The library as its users ship it: a page importing it, bundled by esbuild (with and without code
// splitting), Vite and webpack with no configuration beyond an entry and an output directory,
// loaded in headless Chromium with and without a strict Content-Security-Policy
// (`script-src 'self'`, no 'wasm-unsafe-eval': WebAssembly may not be compiled). Without the policy
// the relaxed-SIMD kernels run and only their chunk is fetched; with it the TypeScript path runs,
// wasmStatus() says 'csp', and nothing throws. The numbers are compared with the library's
// TypeScript path in Node. And the size of a bundle that imports one loss is held under a bound.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { crossEntropy, mseLoss, setBackend, softmax, Tensor } from '../src/index.js';
import { launchBrowser } from './support/browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CSP = "script-src 'self'";

/** Bounds on the bundle of a page that imports one loss (mseLoss), minified (measured: see the README). */
const ONE_LOSS_MAIN_CHUNK_BYTES = 33_000;
/** Vite's library build does not strip whitespace from ES output: its entry is larger. */
const ONE_LOSS_VITE_LIB_BYTES = 41_000;
// A kernel chunk holds every elementwise kernel for float32 and float64 lanes (three loops per
// export: forward, input gradient, every gradient), the row kernels (float32 and float64
// cross-entropy, margin, matmul, box IoU, the embedding losses' rows) and the activations' kernels (66.2 KB
// minified after the squared hinge, sparsemax and log-cosh kernels were added (Keras's and optax's
// losses, 5–15x faster than their TypeScript loops: docs/benchmarks-notes.md, eighth round), 62.8 KB
// minified after the float32 L1/MSE/smooth L1/soft margin loops were unrolled by two (10–15% on their
// forward, 12 KB of WebAssembly; see the sums comment in src/kernels/assembly/elementwise.ts), 58.4 KB
// after issue 14's third round was merged (box IoU, embedding rows, faster exp/log), 53.5 KB measured after issue 14's branches were merged; 33.4 KB before them, 9.5 KB with float32
// elementwise kernels for seven losses only); the entry holds the elementwise engine's kernel and
// reference paths (31.3 KB; 38.9 KB in Vite's library build).
const ONE_LOSS_KERNEL_CHUNK_BYTES = 67_000;
const ONE_LOSS_UNSPLIT_BYTES = 166_000; // 163.9 KB measured with the Keras and optax kernels (above); 157.7 KB measured after the float32 loops were unrolled (above); 148.1 KB measured after every branch of issue 14's third round was merged (152.1 KB on the embedding branch alone) (138.4 KB before them, 98.7 KB before issue 14's second round of kernels): the entry and both kernel chunks inlined

// The page: a large float32 MSE (the elementwise kernel), cross-entropy and softmax over [64, 1000]
// (the row kernels), once before the kernels are loaded and once after wasmReady().
const PAGE_SOURCE = `
import { crossEntropy, mseLoss, softmax, Tensor, wasmReady, wasmStatus } from 'losskit';
const n = 50000;
const x = new Float32Array(n).map((_, i) => Math.sin(i));
const y = new Float32Array(n).map((_, i) => Math.cos(0.7 * i));
const logits = new Tensor(new Float32Array(64 * 1000).map((_, i) => 5 * Math.sin(0.37 * i)), [64, 1000]);
const classes = Array.from({ length: 64 }, (_, i) => (i * 37) % 1000);
const run = () => {
  const mse = mseLoss.withGrad(x, y);
  const ce = crossEntropy.withGrad(logits, classes);
  return { mse: mse.loss.item(), mseGrad: Array.from(mse.grad.data.slice(0, 5)), ce: ce.loss.item(), ceGrad: Array.from(ce.grad.data.slice(0, 5)), softmax: Array.from(softmax(logits).data.slice(0, 5)) };
};
const early = run();
const loading = wasmStatus();
const start = performance.now();
wasmReady().then((status) => { const ms = performance.now() - start; window.result = { loading, status, ms, early, late: run() }; }, (e) => { window.result = { error: String(e) }; });
`;
const ONE_LOSS_SOURCE = `import { mseLoss } from 'losskit';\nconsole.log(String(mseLoss([1, 2], [0, 0.5])));\n`;

interface Built {
  /** Where the page is. */
  dir: string;
  /** The HTML page. */
  html: string;
}

let work: string;
let browser: Browser;
let server: Server;
let port: number;
/** What the server serves, by URL prefix: a directory and whether to send the policy. */
const sites = new Map<string, { dir: string; csp: boolean }>();

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };

/** A directory holding the page's source and a node_modules/losskit that is this repository (as after `npm install losskit`). */
function project(name: string, source: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'losskit'), 'dir');
  writeFileSync(join(dir, 'main.js'), source);
  return dir;
}

function size(file: string): { bytes: number; gzip: number } {
  const data = readFileSync(file);
  return { bytes: data.length, gzip: gzipSync(data, { level: 9 }).length };
}

async function esbuildPage(split: boolean): Promise<Built> {
  const dir = project(split ? 'esbuild-split' : 'esbuild', PAGE_SOURCE);
  await esbuild.build({ entryPoints: [join(dir, 'main.js')], bundle: true, minify: true, outdir: join(dir, 'out'), logLevel: 'warning', ...(split ? { splitting: true, format: 'esm' } : {}) });
  writeFileSync(join(dir, 'out', 'index.html'), `<!doctype html><script ${split ? 'type="module" ' : ''}src="main.js"></script>`);
  return { dir: join(dir, 'out'), html: 'index.html' };
}

async function vitePage(): Promise<Built> {
  const dir = project('vite', PAGE_SOURCE);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  await viteBuild({ root: dir, configFile: false, logLevel: 'warn', base: './', build: { outDir: join(dir, 'dist') } });
  return { dir: join(dir, 'dist'), html: 'index.html' };
}

function webpackBuild(config: webpack.Configuration): Promise<void> {
  return new Promise((resolve, reject) =>
    webpack(config, (error, stats) => {
      if (error || stats?.hasErrors()) reject(error ?? new Error(stats!.toString('errors-only')));
      else resolve();
    }),
  );
}

async function webpackPage(): Promise<Built> {
  const dir = project('webpack', PAGE_SOURCE);
  await webpackBuild({ mode: 'production', context: dir, entry: './main.js', output: { path: join(dir, 'dist') } });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><script src="main.js"></script>');
  return { dir: join(dir, 'dist'), html: 'index.html' };
}

interface PageResult {
  loading: { variant: string | null; reason: string | null };
  status: { variant: string | null; reason: string | null; message?: string };
  /** From the end of the synchronous run that started loading to the kernels' arrival (reported, not asserted). */
  ms: number;
  early: Record<string, number | number[]>;
  late: Record<string, number | number[]>;
  error?: string;
}

/** Loads a built page, with or without the policy; returns what it computed, its errors and which kernel chunks it fetched. */
async function load(name: string, built: Built, csp: boolean): Promise<{ result: PageResult; errors: string[]; kernelRequests: string[] }> {
  const prefix = `/${name}-${csp ? 'csp' : 'open'}/`;
  sites.set(prefix, { dir: built.dir, csp });
  const page = await browser.newPage();
  const errors: string[] = [];
  const kernelRequests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // A kernel chunk holds a build's base64: recognised by content, whatever the bundler named it.
  page.on('response', async (r) => {
    const body = await r.text().catch(() => '');
    if (/H4sI[A-Za-z0-9+/]{1000}/.test(body) && !r.url().endsWith('/main.js')) kernelRequests.push(r.url().slice(r.url().lastIndexOf('/') + 1));
  });
  await page.goto(`http://127.0.0.1:${port}${prefix}${built.html}`);
  await page.waitForFunction('window.result !== undefined', undefined, { timeout: 30_000 });
  const result = (await page.evaluate('window.result')) as PageResult;
  await page.close();
  return { result, errors, kernelRequests };
}

/** The page's numbers, on the TypeScript path in Node. */
function expected(): Record<string, number | number[]> {
  const n = 50000;
  const x = new Float32Array(n).map((_, i) => Math.sin(i));
  const y = new Float32Array(n).map((_, i) => Math.cos(0.7 * i));
  const logits = new Tensor(new Float32Array(64 * 1000).map((_, i) => 5 * Math.sin(0.37 * i)), [64, 1000]);
  const classes = Array.from({ length: 64 }, (_, i) => (i * 37) % 1000);
  setBackend('ts');
  try {
    const mse = mseLoss.withGrad(x, y);
    const ce = crossEntropy.withGrad(logits, classes);
    return { mse: mse.loss.item(), mseGrad: Array.from(mse.grad!.data.slice(0, 5)), ce: ce.loss.item(), ceGrad: Array.from(ce.grad!.data.slice(0, 5)), softmax: Array.from(softmax(logits).data.slice(0, 5)) };
  } finally {
    setBackend('auto');
  }
}

function assertClose(actual: Record<string, number | number[]>, reference: Record<string, number | number[]>, what: string): void {
  for (const key of Object.keys(reference)) {
    const [a, b] = [[actual[key]].flat(), [reference[key]].flat()];
    assert.equal(a.length, b.length, `${what}: ${key}`);
    b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) <= 2e-5 * Math.abs(v) + 1e-9, `${what}: ${key}[${i}] = ${a[i]}, expected ${v}`));
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'losskit-bundles-'));
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/favicon.ico') return void response.writeHead(204).end();
    const site = [...sites].find(([prefix]) => url.pathname.startsWith(prefix));
    try {
      if (!site) throw new Error('no site');
      const body = readFileSync(join(site[1].dir, url.pathname.slice(site[0].length)));
      response.writeHead(200, { 'content-type': TYPES[extname(url.pathname)] ?? 'application/octet-stream', ...(site[1].csp ? { 'content-security-policy': CSP } : {}) });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  ({ browser } = await launchBrowser());
});

after(async () => {
  await browser?.close();
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('bundled pages in Chromium, with and without a strict Content-Security-Policy', () => {
  const bundlers: [string, () => Promise<Built>][] = [
    ['esbuild --splitting', () => esbuildPage(true)],
    ['esbuild (one file)', () => esbuildPage(false)],
    ['vite', vitePage],
    ['webpack', webpackPage],
  ];
  for (const [name, bundle] of bundlers) {
    test(name, async () => {
      const built = await bundle();
      const reference = expected();
      const slug = name.replace(/\W+/g, '-');

      const open = await load(slug, built, false);
      console.log(`${name}: the kernels arrived ${open.result.ms.toFixed(1)} ms after the synchronous code that asked for them`);
      assert.deepEqual(open.errors, [], 'no page errors');
      assert.equal(open.result.error, undefined);
      // Loading started at the first large call, which (like every call before the kernels are there) ran the TypeScript path.
      assert.deepEqual(open.result.loading, { variant: null, reason: 'loading' });
      assert.deepEqual(open.result.status, { variant: 'relaxed-simd', reason: null }, 'Chromium runs the relaxed-SIMD build');
      assertClose(open.result.early, reference, `${name}, before loading`);
      assertClose(open.result.late, reference, `${name}, WebAssembly`);
      // Only the build that runs is fetched where the bundler splits (in one file, both are inlined).
      assert.deepEqual(open.kernelRequests.length, name === 'esbuild (one file)' ? 0 : 1, `kernel chunks fetched: ${open.kernelRequests.join(', ')}`);

      const strict = await load(slug, built, true);
      assert.deepEqual(strict.errors, [], 'no page errors under the policy');
      assert.equal(strict.result.error, undefined);
      assert.equal(strict.result.status.variant, null);
      assert.equal(strict.result.status.reason, 'csp');
      assert.match(strict.result.status.message ?? '', /Content Security Policy|unsafe-eval/);
      assert.deepEqual(strict.result.loading, strict.result.status, 'the refusal is known at the first call');
      assert.deepEqual(strict.kernelRequests, [], 'no kernel chunk fetched when WebAssembly cannot be compiled');
      assertClose(strict.result.early, reference, `${name}, policy`);
      assertClose(strict.result.late, reference, `${name}, policy, after wasmReady()`);
    });
  }
});

describe('the size of a bundle that imports one loss (mseLoss), minified', () => {
  test(`esbuild --bundle --minify --splitting: entry under ${ONE_LOSS_MAIN_CHUNK_BYTES} bytes, one kernel chunk under ${ONE_LOSS_KERNEL_CHUNK_BYTES}; without --splitting, under ${ONE_LOSS_UNSPLIT_BYTES}`, async () => {
    const dir = project('one-loss-esbuild', ONE_LOSS_SOURCE);
    await esbuild.build({ entryPoints: [join(dir, 'main.js')], bundle: true, minify: true, splitting: true, format: 'esm', outdir: join(dir, 'split'), logLevel: 'warning' });
    await esbuild.build({ entryPoints: [join(dir, 'main.js')], bundle: true, minify: true, outfile: join(dir, 'one.js'), logLevel: 'warning' });
    const chunks = readdirSync(join(dir, 'split')).map((f) => ({ f, ...size(join(dir, 'split', f)) }));
    const main = chunks.find((c) => c.f === 'main.js')!;
    const kernels = chunks.filter((c) => c.f.startsWith('wasm-'));
    console.log(`esbuild, one loss: entry ${main.bytes} B (${main.gzip} gzip); ${kernels.map((c) => `${c.f} ${c.bytes} B (${c.gzip} gzip)`).join('; ')}; one file ${size(join(dir, 'one.js')).bytes} B (${size(join(dir, 'one.js')).gzip} gzip)`);
    assert.equal(chunks.length, 3, chunks.map((c) => c.f).join(', '));
    assert.ok(main.bytes <= ONE_LOSS_MAIN_CHUNK_BYTES, `entry ${main.bytes} bytes`);
    assert.equal(kernels.length, 2);
    for (const c of kernels) assert.ok(c.bytes <= ONE_LOSS_KERNEL_CHUNK_BYTES, `${c.f}: ${c.bytes} bytes`);
    assert.ok(size(join(dir, 'one.js')).bytes <= ONE_LOSS_UNSPLIT_BYTES);
    // The declarations do not repeat the base64 of the builds.
    for (const f of ['wasm-simd.d.ts', 'wasm-relaxed-simd.d.ts']) assert.ok(size(join(ROOT, 'dist', 'kernels', f)).bytes < 300, f);
  });

  test(`Vite library build: entry under ${ONE_LOSS_VITE_LIB_BYTES} bytes, each kernel chunk under ${ONE_LOSS_KERNEL_CHUNK_BYTES}`, async () => {
    const dir = project('one-loss-vite', ONE_LOSS_SOURCE);
    await viteBuild({ root: dir, configFile: false, logLevel: 'warn', build: { outDir: join(dir, 'dist'), lib: { entry: join(dir, 'main.js'), formats: ['es'], fileName: 'main' } } });
    const chunks = readdirSync(join(dir, 'dist')).map((f) => ({ f, ...size(join(dir, 'dist', f)) }));
    const main = chunks.find((c) => c.f.startsWith('main'))!;
    const kernels = chunks.filter((c) => c.f.startsWith('wasm-'));
    console.log(`vite lib, one loss: ${chunks.map((c) => `${c.f} ${c.bytes} B (${c.gzip} gzip)`).join('; ')}`);
    assert.ok(main.bytes <= ONE_LOSS_VITE_LIB_BYTES, `entry ${main.bytes} bytes`);
    assert.equal(kernels.length, 2, chunks.map((c) => c.f).join(', '));
    for (const c of kernels) assert.ok(c.bytes <= ONE_LOSS_KERNEL_CHUNK_BYTES, `${c.f}: ${c.bytes} bytes`);
  });
});

test('a CommonJS bundle for Node (esbuild --platform=node --format=cjs: the dynamic imports become require) loads the kernels', async () => {
  const dir = project('cjs', `import * as L from 'losskit';\nL.wasmReady().then((s) => console.log(JSON.stringify([s, L.mseLoss(new Float32Array(20000).fill(2), new Float32Array(20000)).item()])));\n`);
  await esbuild.build({ entryPoints: [join(dir, 'main.js')], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'out.cjs'), logLevel: 'warning' });
  const { execFileSync } = await import('node:child_process');
  const [status, value] = JSON.parse(execFileSync(process.execPath, [join(dir, 'out.cjs')], { encoding: 'utf8' })) as [{ variant: string | null }, number];
  assert.notEqual(status.variant, null);
  assert.equal(value, 4);
});
