import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { binaryCrossEntropy, crossEntropy, huberLoss, mseLoss, smoothL1Loss, tensor } from 'losskit';
import { losskit, tempDir } from './support.js';

// Must match cli/src/plot.ts: the chart's panel size and sample count.
const WIDTH = 480;
const HEIGHT = 200;
const SAMPLES = 241;

interface Series {
  label: string;
  points: [number, number][];
}

/** The line marks of the SVG, in order, with their pixel coordinates (relative to their panel). */
function lineMarks(svg: string): Series[] {
  return [...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark" d="([^"]*)"/g)].map((m) => ({
    label: m[1],
    points: [...m[2].matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((p) => [Number(p[1]), Number(p[2])] as [number, number]),
  }));
}

/** Checks a panel's curve against f: pixels map back to values through the chart's exact domains. */
function assertCurve(series: Series, xDomain: [number, number], yDomain: [number, number], f: (x: number) => number, label: string) {
  assert.ok(series.points.length > 100, `${label}: ${series.points.length} points`);
  const [x0, x1] = xDomain;
  const [y0, y1] = yDomain;
  const pixel = (y1 - y0) / HEIGHT; // one pixel, in data units
  for (const index of [0, 17, 60, 120, 199, series.points.length - 1]) {
    const [px, py] = series.points[index];
    const x = x0 + (px / WIDTH) * (x1 - x0);
    const y = y0 + (1 - py / HEIGHT) * (y1 - y0);
    assert.ok(Math.abs(y - f(x)) < 0.01 * pixel, `${label} at x=${x}: plotted ${y}, expected ${f(x)}`);
  }
}

function sampled(range: [number, number]): number[] {
  return Array.from({ length: SAMPLES }, (_, i) => range[0] + ((range[1] - range[0]) * i) / (SAMPLES - 1));
}

function domain(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

test('plot smooth-l1 --beta 0.5 --range -3,3: a well-formed SVG whose curves are the loss and its derivative', () => {
  const file = join(tempDir(), 'smooth-l1.svg');
  const run = losskit(['plot', 'smooth-l1', '--beta', '0.5', '--range', '-3,3', '-o', file]);
  assert.equal(run.status, 0, run.stderr);
  const svg = readFileSync(file, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
  for (const text of ['smooth-l1: loss and derivative', 'error (input − target)', 'd loss / d input', 'smooth-l1 (beta = 0.5)']) {
    assert.ok(svg.includes(text), `missing ${text}`);
  }
  const xs = sampled([-3, 3]);
  const at = (x: number) => smoothL1Loss.withGrad(tensor([x], { dtype: 'float64' }), tensor([0], { dtype: 'float64' }), { beta: 0.5 });
  const losses = xs.map((x) => at(x).loss.item());
  const derivatives = xs.map((x) => at(x).grad!.item());
  const [lossLine, derivativeLine] = lineMarks(svg);
  assertCurve(lossLine, [-3, 3], domain(losses), (x) => at(x).loss.item(), 'loss');
  assertCurve(derivativeLine, [-3, 3], domain(derivatives), (x) => at(x).grad!.item(), 'derivative');
});

test('plot l1,mse,smooth-l1,huber: one curve per loss in each panel, with a legend', () => {
  const file = join(tempDir(), 'regression.svg');
  const run = losskit(['plot', 'l1,mse,smooth-l1,huber', '--delta', '2', '-o', file]);
  assert.equal(run.status, 0, run.stderr);
  const svg = readFileSync(file, 'utf8');
  const marks = lineMarks(svg);
  assert.equal(marks.length, 8);
  for (const name of ['l1', 'mse', 'smooth-l1 (beta = 1)', 'huber (delta = 2)']) assert.ok(svg.includes(`>${name}<`), `legend ${name}`);
  const xs = sampled([-3, 3]);
  const mse = (x: number) => mseLoss([x], [0]).item();
  const huber = (x: number) => huberLoss([x], [0], { delta: 2 }).item();
  const allLosses = xs.flatMap((x) => [Math.abs(x), mse(x), smoothL1Loss([x], [0]).item(), huber(x)]);
  assertCurve(marks[1], [-3, 3], domain(allLosses), mse, 'mse');
  assertCurve(marks[3], [-3, 3], domain(allLosses), huber, 'huber');
});

test('plot bce: against p, for y = 1 and y = 0', () => {
  const file = join(tempDir(), 'bce.svg');
  assert.equal(losskit(['plot', 'bce', '-o', file]).status, 0);
  const svg = readFileSync(file, 'utf8');
  assert.ok(svg.includes('p (predicted probability)') && svg.includes('bce, y = 1') && svg.includes('bce, y = 0'));
  const xs = sampled([0.01, 0.99]);
  const bce = (y: number) => (p: number) => binaryCrossEntropy(tensor([p], { dtype: 'float64' }), tensor([y], { dtype: 'float64' })).item();
  const all = xs.flatMap((p) => [bce(1)(p), bce(0)(p)]);
  const [y1, y0] = lineMarks(svg);
  assertCurve(y1, [0.01, 0.99], domain(all), bce(1), 'bce y=1');
  assertCurve(y0, [0.01, 0.99], domain(all), bce(0), 'bce y=0');
});

test("plot cross-entropy: against the true class's logit", () => {
  const file = join(tempDir(), 'ce.svg');
  assert.equal(losskit(['plot', 'cross-entropy', '--classes', '4', '-o', file]).status, 0);
  const svg = readFileSync(file, 'utf8');
  const ce = (x: number) => crossEntropy(tensor([[x, 0, 0, 0]], { dtype: 'float64' }), [0]).item();
  const xs = sampled([-6, 6]);
  assertCurve(lineMarks(svg)[0], [-6, 6], domain(xs.map(ce)), ce, 'cross-entropy');
});

test('plot: bad input', () => {
  const dir = tempDir();
  const unknown = losskit(['plot', 'triplet-margin', '-o', join(dir, 'x.svg')]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^losskit: cannot plot 'triplet-margin' \(plottable: .*\bl1 \(mae\), (log-cosh, )?mse, /);
  const typo = losskit(['plot', 'huberr', '-o', join(dir, 'x.svg')]);
  assert.match(typo.stderr, /^losskit: cannot plot 'huberr' \(did you mean 'huber'\?\)/);
  const mixed = losskit(['plot', 'l1,bce', '-o', join(dir, 'x.svg')]);
  assert.match(mixed.stderr, /^losskit: cannot plot l1, bce on one chart: their x axes differ/);
  const beta = losskit(['plot', 'smooth-l1', '--beta', '-1', '-o', join(dir, 'x.svg')]);
  assert.match(beta.stderr, /^losskit: smoothL1Loss: beta must be >= 0, got -1\n$/);
  const png = losskit(['plot', 'l1', '-o', join(dir, 'x.png')]);
  assert.match(png.stderr, /^losskit: -o must name an .svg file/);
});
