/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The playground in a real browser driven by playwright-core (Chromium: test/support/browser.ts).
// One browser, two pages reused across tests (a desktop one and a touch phone one): continuous mouse
// and touch drags, the tutorial's numbers on screen against the fixtures (what PyTorch and
// scikit-learn print) and against losskit, a view with a formula for every catalogue loss, axe-core,
// the phone layout, bad URL states, train mode.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { launchBrowser } from './support/browser.js';
import { loadFixture, decode, type EncodedTensor } from './support/fixtures.js';
import { catalog, crossEntropy, huberLoss, l1Loss, logLoss, mseLoss, smoothL1Loss, binaryCrossEntropy, tensor } from '../src/index.js';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const require = createRequire(import.meta.url);

interface Seed {
  inputs: { demo: number[][]; big: number[][]; yPred: number[][]; yTrue2: number[]; binaryTrue: number[]; binaryPred: number[]; differences: number[] };
  printed: Record<string, string>;
  curves: Record<'l1' | 'mse' | 'smoothL1', { loss: EncodedTensor; grad: EncodedTensor }>;
}
const seed = loadFixture('seed.json') as unknown as Seed;

// The catalogue's losses: every one must have its view.
const LOSSES = Object.values(catalog).filter((e) => e.kind === 'loss');

let server: PreviewServer;
let browser: Browser;
let url: string;
let desktop: Page;
let phoneContext: BrowserContext;
let phone: Page;
const pageErrors: string[] = [];

before(async () => {
  await build({ root: WEB, logLevel: 'silent' });
  server = await preview({ root: WEB, logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, open: false } });
  url = server.resolvedUrls!.local[0];
  ({ browser } = await launchBrowser());
  mkdirSync(ARTIFACTS, { recursive: true });
  desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  desktop.on('pageerror', (e) => pageErrors.push(e.message));
  phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  phone = await phoneContext.newPage();
  phone.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no uncaught error in any page');
  await browser?.close();
  await server?.close();
});

async function open(page: Page, search = ''): Promise<Page> {
  await page.goto(`${url}${search}`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

const value = async (page: Page, test: string) => Number(await page.locator(`[data-test="${test}"]`).first().getAttribute('data-value'));
const text = async (page: Page, test: string) => ((await page.locator(`[data-test="${test}"]`).first().textContent()) ?? '').trim();
const stateOf = (page: Page, key: string) => page.evaluate((k) => (window as unknown as { playground: { get(k: string): unknown } }).playground.get(k), key);

/** With the control scrolled to the top of the 900-px window, the result is in it: no scrolling past the control to see it. */
async function inViewWith(page: Page, control: string, result: string): Promise<void> {
  await page.locator(control).evaluate((e) => e.scrollIntoView({ block: 'start' }));
  const box = (await page.locator(`[data-test="${result}"]`).boundingBox())!;
  assert.ok(box.y >= 0 && box.y + box.height <= 900, `${result} is ${box.y + box.height - 900}px below the fold with ${control} at the top`);
}

describe('playground', () => {
  test("the tutorial's numbers are on screen, equal to what PyTorch and scikit-learn print", async () => {
    const page = await open(desktop);
    const p = seed.printed;
    // 1. softmax by hand and from the library, over dim 1 and dim 0.
    assert.equal(await text(page, 'softmax-hand-1'), p.softmaxByHand);
    assert.equal(await text(page, 'softmax-lib-1'), p.softmaxDim1);
    assert.equal(await text(page, 'softmax-lib-0'), p.softmaxDim0);
    assert.equal(await text(page, 'softmax-hand-0'), p.softmaxDim0);
    // The overflow, right where it is switched on: without scrolling past the switch.
    await page.selectOption('#sm-input', 'big');
    assert.equal(await text(page, 'softmax-hand-1'), p.softmaxNaiveOverflow);
    assert.equal(await text(page, 'softmax-lib-1'), p.softmaxStable);
    await inViewWith(page, '#sm-input', 'softmax-hand-1');
    await page.selectOption('#sm-input', 'demo');

    // 2. cross-entropy three ways: 1.6154 each, per sample, and the by-hand terms.
    assert.equal(await text(page, 'ce-argmax'), p.crossEntropyOneHotArgmax);
    assert.equal(await text(page, 'ce-indices'), p.crossEntropyIndices);
    assert.equal(await text(page, 'ce-hand'), p.crossEntropyByHand);
    assert.equal(await text(page, 'ce-none'), p.crossEntropyNone);
    const none = crossEntropy(seed.inputs.yPred, seed.inputs.yTrue2, { reduction: 'none' }).data;
    for (let i = 0; i < 3; i++) {
      assert.equal(await value(page, `ce-sample-${i}`), none[i]);
      assert.ok(Math.abs((await value(page, `ce-term-${i}`)) - none[i]) < 1e-6, `by-hand term ${i}`);
      // The target class is marked in the logits table.
      assert.equal(await page.locator(`#logit-${i}-${seed.inputs.yTrue2[i]}`).evaluate((e) => e.closest('td')!.classList.contains('target')), true);
    }
    assert.equal(await page.locator('td.target').count(), 3);
    await inViewWith(page, '#logit-0-0', 'ce-hand');

    // 3. binary cross-entropy: by hand with 1e-15 clipping, log_loss, PyTorch; and at p = 0.
    assert.equal(await text(page, 'bce-hand'), p.binaryByHand);
    assert.equal(await text(page, 'bce-sklearn'), p.binaryLogLoss);
    assert.equal(await text(page, 'bce-torch'), p.binaryTorch);
    const atZero = seed.inputs.binaryPred.map((v, i) => (i === 1 ? 0 : v));
    assert.equal(await value(page, 'bce-sklearn-zero'), logLoss(seed.inputs.binaryTrue, atZero));
    assert.equal(await value(page, 'bce-torch-zero'), binaryCrossEntropy(tensor(atZero), seed.inputs.binaryTrue).item());
    const clipped = -seed.inputs.binaryTrue.reduce((s, y, i) => {
      const q = Math.min(Math.max(atZero[i], 1e-15), 1 - 1e-15);
      return s + y * Math.log(q) + (1 - y) * Math.log(1 - q);
    }, 0) / 4;
    assert.equal(await value(page, 'bce-hand-zero'), clipped);
    await inViewWith(page, '#bp', 'bce-torch-zero');
    await page.click('#bce-zero');
    assert.equal(await value(page, 'bce-torch'), binaryCrossEntropy(tensor(atZero), seed.inputs.binaryTrue).item());
    await page.click('#bce-reset');

    // 4. regression: the tutorial's table, against the fixture's PyTorch values and gradients.
    for (const key of ['l1', 'mse', 'smoothL1'] as const) {
      const loss = decode(seed.curves[key].loss).data;
      const grad = decode(seed.curves[key].grad).data;
      for (let i = 0; i < seed.inputs.differences.length; i++) {
        assert.equal(await value(page, `tut-${key}-loss-${i}`), loss[i], `${key} value ${i}`);
        assert.equal(await value(page, `tut-${key}-grad-${i}`), grad[i], `${key} gradient ${i}`);
      }
    }
    // Huber's slope delta against smooth L1's slope 1, read off the library at error 20.
    const delta = Number(await stateOf(page, 'delta'));
    assert.equal(await value(page, 'slope-huber'), huberLoss.withGrad([20], [0], { delta }).grad.item());
    assert.equal(await value(page, 'slope-huber'), delta);
    assert.equal(await value(page, 'slope-smoothL1'), 1);
    await page.screenshot({ path: `${ARTIFACTS}playground-desktop.png`, fullPage: true });
  });

  test('dragging with the mouse: the error follows the pointer continuously; a slider thumb too', async () => {
    const page = await open(desktop);
    const chart = page.locator('[data-test="regression-loss-chart"]');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.2, y);
    await page.mouse.down();
    let previous = Number(await stateOf(page, 'e'));
    for (let k = 1; k <= 12; k++) {
      await page.mouse.move(box.x + box.width * (0.2 + 0.05 * k), y, { steps: 2 });
      const e = Number(await stateOf(page, 'e'));
      assert.ok(e > previous, `step ${k}: the error moved from ${previous} to ${e}`);
      assert.equal(Number(await page.inputValue('#error-box')), e, 'the error box follows');
      previous = e;
    }
    // Past the chart's edge the value stops at the range (the x-range does not run away).
    await page.mouse.move(box.x + box.width + 200, y, { steps: 3 });
    await page.mouse.up();
    assert.equal(await stateOf(page, 'e'), 4);
    assert.equal(await page.locator('#error').getAttribute('max'), '4');
    const e = Number(await stateOf(page, 'e'));
    const at = [new Float64Array([e]), new Float64Array([0])] as const;
    assert.equal(await value(page, 'reg-loss-huber'), huberLoss(...at, { delta: Number(await stateOf(page, 'delta')) }).item());
    assert.equal(await value(page, 'reg-grad-mse'), mseLoss.withGrad(...at).grad.item());
    assert.equal(await value(page, 'reg-grad-l1'), l1Loss.withGrad(...at).grad.item());

    // The beta slider dragged by its thumb keeps following (it used to stick after one step).
    const slider = page.locator('#beta');
    await slider.scrollIntoViewIfNeeded();
    const s = (await slider.boundingBox())!;
    const thumb = (v: number) => s.x + 8 + ((s.width - 16) * v) / 3;
    await page.mouse.move(thumb(1), s.y + s.height / 2);
    await page.mouse.down();
    let last = 1;
    for (let k = 1; k <= 8; k++) {
      await page.mouse.move(thumb(1 + 0.2 * k), s.y + s.height / 2, { steps: 2 });
      const beta = Number(await stateOf(page, 'beta'));
      assert.ok(beta > last, `beta drag step ${k}: ${last} → ${beta}`);
      last = beta;
    }
    await page.mouse.up();
    assert.ok(last > 2.3, `beta after the drag: ${last}`);
    assert.equal(await value(page, 'reg-loss-smoothL1'), smoothL1Loss(...at, { beta: last }).item());
    // Keyboard: arrows move it, and Tab out of a number box lands on the next control, not the page.
    await page.focus('#beta');
    await page.keyboard.press('Home');
    assert.equal(await stateOf(page, 'beta'), 0);
    await page.fill('#beta-box', '0.5');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'delta');
    assert.equal(await stateOf(page, 'beta'), 0.5);
    assert.equal(await page.inputValue('#beta'), '0.5');
  });

  test('a change redraws only what depends on it; controls are never rebuilt', async () => {
    const page = await open(desktop);
    const touched = await page.evaluate(() => {
      const beta = document.getElementById('beta');
      const records: string[] = [];
      const where = (n: Node) => {
        const e = (n.nodeType === 1 ? n : n.parentElement) as Element;
        const series = e.closest('[data-series]')?.getAttribute('data-series');
        return `${e.closest('section')?.id}${series ? `/${series}` : ''}`;
      };
      const observer = new MutationObserver((list) => list.forEach((m) => records.push(where(m.target))));
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      (window as unknown as { playground: { set(p: object): void } }).playground.set({ beta: 0.7 });
      observer.takeRecords().forEach((m) => records.push(where(m.target)));
      observer.disconnect();
      return { places: [...new Set(records)].sort(), same: document.getElementById('beta') === beta };
    });
    assert.equal(touched.same, true, 'the slider is the same element');
    // Only the regression section changes, and of its curves only smooth L1's (MAE, MSE, Huber keep their paths).
    assert.ok(touched.places.every((p) => p.startsWith('regression')), touched.places.join(', '));
    assert.ok(touched.places.includes('regression/smoothL1'), touched.places.join(', '));
    for (const other of ['l1', 'mse', 'huber']) assert.ok(!touched.places.includes(`regression/${other}`), `${other} redrawn: ${touched.places}`);
  });

  test('dragging by touch on a phone: the chart and a slider follow the finger', async () => {
    const page = await open(phone);
    const cdp = await phoneContext.newCDPSession(page);
    const touchDrag = async (x0: number, x1: number, y: number, check: (k: number) => Promise<void>) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] });
      await check(0);
      for (let k = 1; k <= 8; k++) {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + ((x1 - x0) * k) / 8, y }] });
        await check(k);
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    };
    const chart = page.locator('[data-test="regression-grad-chart"]');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox())!;
    // Touch moves reach the page on its next frame: wait (up to 3 s) for each to move the value on.
    const movesOn = async (key: string, previous: number, k: number) => {
      await page.waitForFunction(([key, previous]) => Number((window as unknown as { playground: { get(k: string): unknown } }).playground.get(key as string)) > (previous as number), [key, previous] as const, { timeout: 3000 }).catch(() => {
        throw new Error(`touch step ${k}: ${key} stuck at ${previous}`);
      });
      return Number(await stateOf(page, key));
    };
    let previous = -Infinity;
    await touchDrag(box.x + box.width * 0.3, box.x + box.width * 0.9, box.y + box.height / 2, async (k) => {
      previous = await movesOn('e', previous, k);
    });
    const slider = page.locator('#delta');
    await slider.scrollIntoViewIfNeeded();
    const s = (await slider.boundingBox())!;
    const at = (v: number) => s.x + 8 + ((s.width - 16) * (v - 0.05)) / 2.95;
    let last = -Infinity;
    await touchDrag(at(1), at(2.8), s.y + s.height / 2, async (k) => {
      // The touch start may leave the value where it was (the thumb is grabbed, not moved).
      if (k === 0) last = Number(await stateOf(page, 'delta'));
      else last = await movesOn('delta', k === 1 ? -Infinity : last, k);
    });
    assert.ok(last > 2.3, `delta after the touch drag: ${last}`);
    await cdp.detach();
  });

  test('every catalogue loss has a view with its formula, curves or its alignment, and its call', async () => {
    const page = await open(desktop);
    for (const loss of LOSSES) {
      await page.selectOption('#loss-pick', loss.name);
      const view = page.locator(`.loss-view[data-loss="${loss.name}"]`);
      await view.waitFor({ state: 'visible' });
      assert.equal(await view.locator('.katex').count() >= 1, true, `${loss.name}: a rendered formula`);
      assert.equal(await view.locator(`[data-test="view-error-${loss.cliName}"]`).isHidden(), true, `${loss.name}: ${await view.locator('.error').allTextContents()}`);
      const curves = await view.locator('svg.chart path[data-series]').evaluateAll((paths) => paths.map((p) => (p.getAttribute('d') ?? '').length));
      const heat = await view.locator('table.heat td[data-value]').count();
      assert.ok(curves.some((n) => n > 100) || heat > 0, `${loss.name}: curves ${curves} or a heatmap`);
      assert.match(await text(page, `view-code-${loss.cliName}`), new RegExp(`${loss.name}(\\.withGrad)?\\(`), `${loss.name}: its call in the code panel`);
      // Its options' controls come from the catalogue: one per option (with its doc), or listed as not a control.
      for (const [opt, spec] of Object.entries(loss.options)) {
        const doc = view.locator(`#${loss.cliName}-${opt}-doc`);
        if (await doc.count()) assert.equal(await doc.textContent(), spec.doc, `${loss.name}.${opt}`);
        else assert.match((await view.textContent()) ?? '', new RegExp(`Not a control here:.*${opt}`), `${loss.name}.${opt}`);
      }
    }
    // The tutorial sections' option sliders too: bounds and docs from the catalogue.
    const beta = catalog.smoothL1Loss.options.beta as { range: { min: number }; doc: string };
    assert.equal(Number(await page.getAttribute('#beta', 'min')), beta.range.min);
    assert.equal(await page.textContent('#beta-doc'), beta.doc);
    assert.equal(await page.textContent('#ls-doc'), catalog.crossEntropy.options.labelSmoothing.doc);
    // Options come from the catalogue: the Huber view's delta moves its curve and its call.
    await page.selectOption('#loss-pick', 'huberLoss');
    await page.fill('#huber-delta-box', '2');
    await page.press('#huber-delta-box', 'Enter');
    assert.match(await text(page, 'view-code-huber'), /delta: 2/);
    await page.fill('#huber-delta-box', '0');
    await page.press('#huber-delta-box', 'Enter');
    assert.match(await text(page, 'view-error-huber'), /huberLoss.*delta/);
    assert.equal(await page.locator('[data-test="regression-curve-errors"]').isHidden(), true, 'the error stays in its view');
  });

  test('bad URL states show an error in their own panel only; class weights all 0 are explained', async () => {
    for (const [search, panel, pattern] of [
      ['?beta=-1', 'regression-curve-errors', /smoothL1Loss.*beta/],
      ['?delta=0', 'regression-curve-errors', /huberLoss.*delta/],
      ['?beta=abc', 'regression-error', /beta=abc is not a number/],
      ['?logits=1,2;3', 'cross-entropy-error', /logits/],
      ['?loss=noSuchLoss', 'losses-error', /noSuchLoss/],
      ['?huberLoss.delta=-2', 'view-error-huber', /huberLoss.*delta/],
    ] as const) {
      const page = await open(desktop, search);
      assert.match(await text(page, panel), pattern, search);
      const shown = await page.locator('.error:not([hidden])').evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.getAttribute('data-test')));
      assert.deepEqual(shown, [panel], `${search}: only its panel shows an error`);
      // The other sections still work.
      assert.equal(await text(page, 'ce-indices'), seed.printed.crossEntropyIndices, search);
    }
    const page = await open(desktop, '?w=0,0,0,0');
    assert.ok(Number.isNaN(await value(page, 'ce-opt-mean')));
    assert.match(await text(page, 'ce-opt-note'), /divides by the sum of the weights/);
    // The reset brings the defaults back.
    await page.click('#reset-all');
    assert.equal(await text(page, 'ce-opt-mean'), seed.printed.crossEntropyIndices);
  });

  test('the URL keeps the state: a new page on it shows the same numbers', async () => {
    const page = await open(desktop);
    await page.fill('#logit-0-0', '2.5');
    await page.press('#logit-0-0', 'Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'logit-0-1', 'Tab after typing moves on');
    await page.selectOption('#target-2', '1');
    await page.click('#outlier');
    const logits = [[2.5, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
    const { loss, grad } = crossEntropy.withGrad(logits, [1, 0, 1]);
    assert.equal(await value(page, 'ce-opt-mean'), loss.item());
    for (let c = 0; c < 4; c++) assert.equal(await value(page, `ce-grad-2-${c}`), grad.data[8 + c]);
    assert.equal(await value(page, 'reg-grad-mse'), 40);
    await page.waitForFunction(() => location.search.includes('e=20'));
    const shared = page.url();
    const again = await browser.newPage();
    await open(again, new URL(shared).search);
    for (const t of ['ce-opt-mean', 'ce-indices', 'reg-grad-mse', 'reg-loss-huber']) assert.equal(await value(again, t), await value(page, t), t);
    await again.close();
  });

  test('train mode: each step is gradient descent with losskit gradients on the outliers data', async () => {
    const page = await open(desktop);
    for (let k = 0; k < 5; k++) await page.click('#train-step');
    const { outlierData } = (await import(fileURLToPath(new URL('../../examples/lib/outlier-data.js', import.meta.url)))) as { outlierData: (seed: number) => { x: Float64Array; y: Float64Array } };
    const { x, y } = outlierData(7);
    let a = 0;
    let b = 0;
    for (let k = 0; k < 5; k++) {
      const { grad } = huberLoss.withGrad(tensor(x.map((v) => a * v + b)), tensor(y), { delta: 1.5 });
      const da = grad.data.reduce((s, g, i) => s + g * x[i], 0);
      const db = grad.data.reduce((s, g) => s + g, 0);
      a -= 0.05 * da;
      b -= 0.05 * db;
    }
    assert.equal(await value(page, 'train-steps'), 5);
    assert.ok(Math.abs((await value(page, 'train-a-huber')) - a) < 1e-12, `a: ${a}`);
    assert.ok(Math.abs((await value(page, 'train-b-huber')) - b) < 1e-12, `b: ${b}`);
    await page.click('#train-play');
    await page.waitForFunction(() => Number(document.querySelector('[data-test="train-steps"]')!.getAttribute('data-value')) >= 60);
    await page.click('#train-play');
    assert.equal(await page.getAttribute('#train-play', 'aria-pressed'), 'false');
    // MSE is pulled by the outliers more than Huber already.
    assert.ok((await value(page, 'train-slope-error-mse')) > (await value(page, 'train-slope-error-huber')));
  });

  test('phone: no sideways overflow, text of 12 px or more, tap targets of 24 px', async () => {
    const page = await open(phone);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim()) && !e.closest('.katex, [hidden], details:not([open])'))
        .map((e) => ({ tag: e.tagName, size: parseFloat(getComputedStyle(e).fontSize), text: e.textContent!.slice(0, 30) }))
        .filter((e) => e.size < 12),
    );
    assert.deepEqual(small, []);
    const targets = await page.evaluate(() =>
      [...document.querySelectorAll('button, select, input, a, summary')]
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => {
          const r = (e.closest('label') ?? e).getBoundingClientRect();
          return { id: e.id || e.textContent, w: r.width, h: r.height };
        })
        .filter((r) => r.w < 24 || r.h < 24),
    );
    assert.deepEqual(targets, []);
    await page.screenshot({ path: `${ARTIFACTS}playground-phone.png`, fullPage: true });
  });

  test('axe-core: no serious or critical violation, on the desktop and the phone', async () => {
    const axe = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    // The default view (Huber: sliders), and views with a select, checkboxes and a heatmap.
    for (const [page, search] of [[desktop, ''], [phone, ''], [desktop, '?loss=multiMarginLoss'], [phone, '?loss=ctcLoss']] as const) {
      await open(page, search);
      await page.addScriptTag({ content: axe });
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
        return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(violations, [], search);
    }
  });
});
