// Input-to-paint latency of the playground, measured in headless Chromium (playwright-core): the
// beta slider is dragged by the mouse in 30 steps (and moved by 20 arrow-key presses); for each event the page records the time
// from the event's timestamp to the first task after the next frame (the frame that paints the
// change). Prints the median and the 90th percentile, at normal speed and with the CPU slowed 4×.
//   node web/measure-latency.mjs [dist folder ...]   (default: web/dist; build it first)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.wasm': 'application/wasm' };
const serve = (dir) =>
  new Promise((ok) => {
    const server = createServer(async (req, res) => {
      const path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/\/$/, '/index.html'));
      try {
        const body = await readFile(path);
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    }).listen(0, '127.0.0.1', () => ok(server));
  });

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function measure(browser, url, slowdown, mode) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
  await page.evaluate(() => {
    window.__latencies = [];
    for (const type of ['pointermove', 'keydown']) window.addEventListener(type, (e) => {
      const t0 = e.timeStamp;
      requestAnimationFrame(() => {
        const frame = performance.now() - t0;
        setTimeout(() => window.__latencies.push([performance.now() - t0, frame]), 0);
      });
    }, true);
  });
  const slider = page.locator('#beta');
  await slider.scrollIntoViewIfNeeded();
  const box = await slider.boundingBox();
  const y = box.y + box.height / 2;
  const x = (v) => box.x + 8 + ((box.width - 16) * v) / 3;
  if (mode === 'keys') {
    // Keyboard: each arrow press is one change (the old page re-rendered everything on each).
    for (let k = 1; k <= 20; k++) {
      await page.focus('#beta');
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(30);
    }
  } else {
    await page.mouse.move(x(1), y);
    await page.mouse.down();
    for (let k = 1; k <= 30; k++) {
      await page.mouse.move(x(1 + (1.5 * k) / 30), y);
      await page.waitForTimeout(30);
    }
    await page.mouse.up();
  }
  await page.waitForTimeout(300);
  const pairs = await page.evaluate(() => window.__latencies);
  const latencies = pairs.map((p) => p[0]);
  const toFrame = pairs.map((p) => p[1]);
  const beta = await page.inputValue('#beta');
  await page.close();
  return { median: quantile(latencies, 0.5), p90: quantile(latencies, 0.9), frame: quantile(toFrame, 0.5), n: latencies.length, beta };
}

const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [resolve('web/dist')];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
for (const dir of dirs) {
  const server = await serve(dir);
  const url = `http://127.0.0.1:${server.address().port}/`;
  for (const [slowdown, mode] of [[1, 'drag'], [1, 'keys'], [4, 'drag'], [4, 'keys']]) {
    // Interleaved repeats: the machine is shared, so take the median of three runs' medians.
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await measure(browser, url, slowdown, mode));
    const med = quantile(runs.map((r) => r.median), 0.5);
    const p90 = quantile(runs.map((r) => r.p90), 0.5);
    const frame = quantile(runs.map((r) => r.frame), 0.5);
    console.log(`${dir}  ${mode} CPU ×${slowdown}: input→paint median ${med.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, input→frame start ${frame.toFixed(1)} ms (${runs.map((r) => r.n).join('/')} moves; beta after the drag ${runs.map((r) => r.beta).join('/')})`);
  }
  server.close();
}
await browser.close();
