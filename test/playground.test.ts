// The playground in a real browser driven by playwright-core: Debian's Chromium, else the one in
// the npm package @sparticuz/chromium (test/support/browser.ts), so no machine skips these tests.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { launchBrowser } from './support/browser.js';
import { binaryCrossEntropyWithLogits, crossEntropy, huberLoss, smoothL1Loss } from '../src/index.js';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

let server: PreviewServer;
let browser: Browser;
let url: string;

before(async () => {
  await build({ root: WEB, logLevel: 'silent' });
  server = await preview({ root: WEB, logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, open: false } });
  url = server.resolvedUrls!.local[0];
  ({ browser } = await launchBrowser());
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(address: string, width = 1200): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(address);
  await page.waitForSelector('body[data-ready="true"]');
  assert.deepEqual(errors, []);
  return page;
}

const value = async (page: Page, test: string) => Number(await page.locator(`[data-test="${test}"]`).getAttribute('data-value'));
const ready = (page: Page) => page.waitForFunction("document.body.dataset.ready === 'true'");

test('playground: sliders, a logit and a target change the numbers to losskit\'s values; the URL restores the view', async () => {
  const page = await open(url);
  // The tutorial's default: cross-entropy 1.6154 on its logits.
  assert.equal(await value(page, 'ce-mean'), crossEntropy([[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]], [1, 0, 3]).item());
  assert.equal(await page.locator('[data-test="ce-mean"]').textContent(), '1.61539');

  // Move the beta slider with the keyboard: 1 → 0.5 in ten steps of 0.05.
  await page.focus('#beta');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft');
  await ready(page);
  assert.equal(await page.locator('#beta').inputValue(), '0.5');
  const at = (x: number) => [new Float64Array([x]), new Float64Array([0])] as const;
  assert.equal(await value(page, 'reg-loss-smoothL1'), smoothL1Loss(...at(0.5), { beta: 0.5 }).item());
  assert.equal(await value(page, 'reg-grad-smoothL1'), smoothL1Loss.withGrad(...at(0.5), { beta: 0.5 }).grad!.item());
  // The outlier button: MSE's gradient explodes, Huber's stays at delta.
  await page.click('#outlier');
  assert.equal(await value(page, 'reg-grad-mse'), 40);
  assert.equal(await value(page, 'reg-grad-huber'), huberLoss.withGrad(...at(20)).grad!.item());

  // Edit a logit and change a target.
  await page.fill('#logit-0-0', '2.5');
  await page.press('#logit-0-0', 'Enter');
  await page.selectOption('#target-2', '1');
  await page.fill('#pos-weight', '3');
  await ready(page);
  const logits = [[2.5, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
  const { loss, grad } = crossEntropy.withGrad(logits, [1, 0, 1]);
  assert.equal(await value(page, 'ce-mean'), loss.item());
  const perSample = crossEntropy(logits, [1, 0, 1], { reduction: 'none' }).data;
  for (let i = 0; i < 3; i++) assert.equal(await value(page, `ce-sample-${i}`), perSample[i]);
  for (let c = 0; c < 4; c++) assert.equal(await value(page, `ce-grad-2-${c}`), grad!.data[8 + c]);
  assert.equal(await value(page, 'bce-logit-zero'), binaryCrossEntropyWithLogits([0], [1], { posWeight: [3] }).item());
  assert.match(await page.locator('[data-test="code"]').textContent() ?? '', /const logits = \[\[2\.5,0\.434,0\.2,0\.3343\],\[0\.3,0\.342,0\.6,0\.123\],\[5,2,-1,3\]\];\nconst target = \[1,0,1\];/);
  await page.screenshot({ path: `${ARTIFACTS}playground-edited.png`, fullPage: true });

  // The URL holds the state: a new page opened on it shows the same numbers.
  const shared = page.url();
  assert.match(shared, /beta=0\.5/);
  const again = await open(shared);
  for (const test of ['ce-mean', 'ce-sample-0', 'reg-loss-smoothL1', 'reg-grad-mse', 'bce-logit-zero']) {
    assert.equal(await value(again, test), await value(page, test), test);
  }
  assert.equal(await again.locator('#target-2').inputValue(), '1');
  await again.close();
  await page.close();
});

test('playground: probability targets, label smoothing, class weights and the overflow switch', async () => {
  const page = await open(url);
  await page.check('#mode-probabilities');
  await page.fill('#smoothing', '0.2');
  await page.fill('#weight-1', '2');
  await page.press('#weight-1', 'Enter');
  await page.check('#large');
  await ready(page);
  const logits = [[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
  const target = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]];
  assert.equal(await value(page, 'ce-mean'), crossEntropy(logits, target, { labelSmoothing: 0.2, weight: [1, 2, 1, 1] }).item());
  assert.match(await page.locator('[data-test="naive-softmax"]').textContent() ?? '', /nan/);
  assert.doesNotMatch(await page.locator('[data-test="stable-softmax"]').textContent() ?? '', /nan/);
  assert.equal(await value(page, 'bce-clamp'), 100);
  await page.screenshot({ path: `${ARTIFACTS}playground-probabilities.png`, fullPage: true });
  await page.close();
});

test('playground: dragging on the loss chart moves the error; readable on a phone', async () => {
  const page = await open(url, 390);
  const chart = page.locator('[data-test="regression-loss-chart"]');
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.up();
  await ready(page);
  const error = Number(await page.locator('#error').inputValue());
  assert.ok(error > 2, `error after the drag: ${error}`);
  // The page evaluates the regression curves in float64.
  assert.equal(await value(page, 'reg-loss-huber'), huberLoss(new Float64Array([error]), new Float64Array([0])).item());
  // Nothing wider than the phone's screen.
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
  await page.screenshot({ path: `${ARTIFACTS}playground-phone.png`, fullPage: true });
  await page.close();
});
