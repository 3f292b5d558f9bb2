// SVG charts for the examples, through Vega-Lite rendered in Node (no browser, no canvas).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/** Renders a Vega-Lite spec to SVG and writes it to out/file; returns the path. */
export async function writeChart(out, file, spec) {
  const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: { font: 'sans-serif', legend: { labelLimit: 320 } }, ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  await mkdir(out, { recursive: true });
  const path = join(out, file);
  await writeFile(path, svg);
  return path;
}

/** A line chart of per-epoch losses, one line per series: { series: number[] }. */
export function lossCurves(title, curves, yTitle = 'loss (training set)') {
  const values = Object.entries(curves).flatMap(([series, ys]) => ys.map((y, epoch) => ({ epoch, y, series })));
  return {
    title,
    width: 480,
    height: 260,
    data: { values },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: 'loss', sort: null },
    },
  };
}
