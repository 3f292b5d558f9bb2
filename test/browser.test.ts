// The library itself in a real browser (Debian's Chromium, else the npm package's: see
// test/support/browser.ts): the same ES modules as in Node, no bundler, with the WebAssembly SIMD
// kernels and the TypeScript path giving the same result.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = `<!doctype html><html><body><script type="module">
import * as L from '/dist/index.js';
const x = new L.Tensor(new Float32Array(64 * 1000).map((_, i) => Math.sin(i)), [64, 1000]);
const t = Array.from({ length: 64 }, (_, i) => (i * 7) % 1000);
const run = (backend) => { L.setBackend(backend); const r = L.crossEntropy.withGrad(x, t); return [r.loss.item(), Array.from(r.grad.data.slice(0, 8))]; };
await L.wasmReady();
window.result = { variant: L.wasmVariant(), wasm: run('wasm'), ts: run('ts'), printed: String(L.crossEntropy([[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]], [1, 0, 3])) };
</script></body></html>`;

const server = createServer(async (request, response) => {
  try {
    const body = request.url === '/' ? PAGE : await readFile(ROOT + (request.url ?? '').replace(/^\//, ''));
    response.writeHead(200, { 'content-type': request.url === '/' ? 'text/html' : 'text/javascript' });
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end();
  }
});
let browser: Browser;
let source: string;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ({ browser, source } = await launchBrowser());
});

after(async () => {
  await browser?.close();
  server.close();
});

test('the library runs unbundled in Chromium, WebAssembly kernels included, with the same numbers', async (t) => {
  t.diagnostic(`Chromium ${browser.version()}: ${source}`);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction('window.result !== undefined');
  const result = (await page.evaluate('window.result')) as { variant: string; wasm: [number, number[]]; ts: [number, number[]]; printed: string };
  assert.deepEqual(errors, []);
  // Chromium has relaxed SIMD: the fused multiply-add build is the one that runs there.
  assert.equal(result.variant, 'relaxed-simd');
  assert.equal(result.printed, 'tensor(1.6154)');
  assert.ok(Math.abs(result.wasm[0] - result.ts[0]) <= 2e-5 * Math.abs(result.ts[0]));
  result.wasm[1].forEach((g, i) => assert.ok(Math.abs(g - result.ts[1][i]) <= 1e-6, `grad ${i}: ${g} vs ${result.ts[1][i]}`));
  await page.close();
});
