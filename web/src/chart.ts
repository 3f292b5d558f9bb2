// A small SVG line chart that updates in place: its paths, axes and marks are created once and
// their attributes rewritten on each update (no re-creation, so a drag on it is never interrupted).
// It draws in CSS pixels at the width of its container (text stays 13 px at every width, unlike a
// viewBox scaled down on a phone), with dashes as well as colours, and an accessible name and
// description (role="img", aria-labelledby / aria-describedby).
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { el, nextId } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string> = {}): SVGElementTagNameMap[K] => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  return node;
};

/** Line styles: colours of at least 4.5:1 on white (Okabe–Ito, darkened), each with its own dash. */
export const STYLES = [
  { color: '#0b5fa5', dash: '' },
  { color: '#b34700', dash: '7 4' },
  { color: '#00734f', dash: '2 3' },
  { color: '#8e3a80', dash: '10 3 2 3' },
  { color: '#3d3d3d', dash: '4 2' },
] as const;

export interface Series {
  id: string;
  label: string;
  /** Index into STYLES. */
  style: number;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xDomain: [number, number];
  logX?: boolean;
  height?: number;
  /** Called with the x under the pointer while it is pressed (mouse, pen or touch). */
  onDrag?: (x: number) => void;
}

export interface ChartUpdate {
  series: Series[];
  /** Fixed y range; default: the range of the series listed in `fit` (or all), padded. */
  yDomain?: [number, number];
  fit?: string[];
  xDomain?: [number, number];
  /** Shaded x intervals with a label (e.g. smooth L1's quadratic zone). */
  zones?: { x0: number; x1: number; label: string }[];
  /** A scatter of points (the training data), drawn under the lines. */
  dots?: { xs: ArrayLike<number>; ys: ArrayLike<number> };
  /** A vertical rule (the current error) and a dot on each series there. */
  marker?: { x: number; ys: { style: number; y: number }[] };
  /** The text description read by screen readers (and shown as the caption's last line). */
  description: string;
}

const MARGIN = { top: 10, right: 14, bottom: 40, left: 54 };

export class Chart {
  readonly figure: HTMLElement;
  readonly svg: SVGSVGElement;
  private readonly options: ChartOptions;
  private readonly plot: SVGGElement;
  private readonly xAxis: SVGGElement;
  private readonly yAxis: SVGGElement;
  private readonly zones: SVGGElement;
  private readonly lines: SVGGElement;
  private readonly marks: SVGGElement;
  private readonly dots: SVGPathElement;
  private readonly clipRect: SVGRectElement;
  private readonly desc: HTMLElement;
  private readonly xTitle: SVGTextElement;
  private readonly yTitle: SVGTextElement;
  private readonly paths = new Map<string, SVGPathElement>();
  /** What each path was last drawn from: redrawn only when its data or the scales change. */
  private readonly drawn = new WeakMap<SVGPathElement, { xs: ArrayLike<number>; ys: ArrayLike<number>; scales: string; style: number }>();
  private axesDrawn = '';
  private last: ChartUpdate | undefined;
  private width = 0;
  private x!: ScaleContinuousNumeric<number, number>;

  constructor(options: ChartOptions) {
    this.options = options;
    const titleId = nextId('chart-title');
    const descId = nextId('chart-desc');
    const clipId = nextId('clip');
    const height = options.height ?? 220;
    this.svg = svg('svg', { role: 'img', 'aria-labelledby': titleId, 'aria-describedby': descId, height: String(height), class: 'chart' });
    const defs = svg('defs');
    const clip = svg('clipPath', { id: clipId });
    this.clipRect = svg('rect', { x: '0', y: '0' });
    clip.append(this.clipRect);
    defs.append(clip);
    this.plot = svg('g', { transform: `translate(${MARGIN.left},${MARGIN.top})` });
    this.zones = svg('g', { 'clip-path': `url(#${clipId})` });
    this.xAxis = svg('g', { class: 'axis' });
    this.yAxis = svg('g', { class: 'axis' });
    this.lines = svg('g', { 'clip-path': `url(#${clipId})`, fill: 'none', 'stroke-width': '2.25' });
    this.marks = svg('g', { 'clip-path': `url(#${clipId})` });
    this.dots = svg('path', { class: 'dots', 'clip-path': `url(#${clipId})` });
    this.xTitle = svg('text', { class: 'axis-title', 'text-anchor': 'middle' });
    this.xTitle.textContent = options.xLabel;
    this.yTitle = svg('text', { class: 'axis-title', 'text-anchor': 'middle' });
    this.yTitle.textContent = options.yLabel;
    this.plot.append(this.zones, this.xAxis, this.yAxis, this.dots, this.lines, this.marks);
    this.svg.append(defs, this.plot, this.xTitle, this.yTitle);
    this.desc = el('span', { id: descId, class: 'chart-desc' });
    this.figure = el('figure', { class: 'chart-figure' }, this.svg, el('figcaption', {}, el('strong', { id: titleId }, options.title), ' ', this.desc));
    if (options.onDrag) this.enableDrag(options.onDrag);
    new ResizeObserver(() => {
      const w = Math.floor(this.figure.clientWidth);
      if (w > 0 && w !== this.width) {
        this.width = w;
        if (this.last) this.draw(this.last);
      }
    }).observe(this.figure);
  }

  update(u: ChartUpdate): void {
    this.last = u;
    if (!this.width) this.width = Math.floor(this.figure.clientWidth) || 480;
    this.draw(u);
  }

  private draw(u: ChartUpdate): void {
    const height = Number(this.svg.getAttribute('height'));
    const w = Math.max(120, this.width - MARGIN.left - MARGIN.right);
    const h = height - MARGIN.top - MARGIN.bottom;
    this.svg.setAttribute('width', String(this.width));
    this.clipRect.setAttribute('width', String(w));
    this.clipRect.setAttribute('height', String(h));
    const xDomain = u.xDomain ?? this.options.xDomain;
    const x = (this.options.logX ? scaleLog() : scaleLinear()).domain(xDomain).range([0, w]);
    this.x = x;
    const y = scaleLinear().domain(u.yDomain ?? fitDomain(u.series.filter((s) => !u.fit || u.fit.includes(s.id)))).range([h, 0]).nice();
    const scales = `${w} ${h} ${x.domain()} ${y.domain()}`;
    if (scales !== this.axesDrawn) {
      this.axis(this.xAxis, x, 'x', w, h);
      this.axis(this.yAxis, y, 'y', w, h);
      this.axesDrawn = scales;
    }
    this.xTitle.setAttribute('x', String(MARGIN.left + w / 2));
    this.xTitle.setAttribute('y', String(height - 4));
    this.yTitle.setAttribute('transform', `translate(13,${MARGIN.top + h / 2}) rotate(-90)`);

    const seen = new Set<string>();
    for (const s of u.series) {
      seen.add(s.id);
      let path = this.paths.get(s.id);
      if (!path) {
        path = svg('path', { 'data-series': s.id });
        this.paths.set(s.id, path);
        this.lines.append(path);
      }
      const before = this.drawn.get(path);
      if (before && before.xs === s.xs && before.ys === s.ys && before.scales === scales && before.style === s.style) continue;
      const style = STYLES[s.style % STYLES.length];
      path.setAttribute('stroke', style.color);
      if (style.dash) path.setAttribute('stroke-dasharray', style.dash);
      else path.removeAttribute('stroke-dasharray');
      path.setAttribute('d', linePath(s.xs, s.ys, x, y, h));
      this.drawn.set(path, { xs: s.xs, ys: s.ys, scales, style: s.style });
    }
    for (const [id, path] of this.paths) {
      if (!seen.has(id)) {
        path.remove();
        this.paths.delete(id);
      }
    }

    syncChildren(this.zones, (u.zones ?? []).length * 2, (i) => (i % 2 ? svg('text', { class: 'zone-label', 'text-anchor': 'middle' }) : svg('rect', { class: 'zone' })));
    (u.zones ?? []).forEach((z, i) => {
      const [rect, text] = [this.zones.children[2 * i], this.zones.children[2 * i + 1]];
      const x0 = x(z.x0);
      const x1 = x(z.x1);
      rect.setAttribute('x', String(Math.min(x0, x1)));
      rect.setAttribute('width', String(Math.abs(x1 - x0)));
      rect.setAttribute('y', '0');
      rect.setAttribute('height', String(h));
      text.setAttribute('x', String((x0 + x1) / 2));
      text.setAttribute('y', '14');
      text.textContent = z.label;
    });

    let dots = '';
    if (u.dots) for (let i = 0; i < u.dots.xs.length; i++) dots += `M${(x(u.dots.xs[i]) - 2.5).toFixed(1)},${y(u.dots.ys[i]).toFixed(1)}a2.5,2.5 0 1,0 5,0a2.5,2.5 0 1,0 -5,0`;
    if (this.dots.getAttribute('d') !== dots) this.dots.setAttribute('d', dots);
    const m = u.marker;
    syncChildren(this.marks, m ? 1 + m.ys.length : 0, (i) => (i === 0 ? svg('line', { class: 'marker' }) : svg('circle', { r: '4.5', stroke: 'white', 'stroke-width': '1.5' })));
    if (m) {
      const mx = String(x(m.x));
      const rule = this.marks.children[0];
      rule.setAttribute('x1', mx);
      rule.setAttribute('x2', mx);
      rule.setAttribute('y1', '0');
      rule.setAttribute('y2', String(h));
      m.ys.forEach((p, i) => {
        const dot = this.marks.children[i + 1];
        dot.setAttribute('cx', mx);
        dot.setAttribute('cy', String(Number.isFinite(p.y) ? y(p.y) : -99));
        dot.setAttribute('fill', STYLES[p.style % STYLES.length].color);
      });
    }
    if (this.desc.textContent !== u.description) this.desc.textContent = u.description;
  }

  private axis(g: SVGGElement, scale: ScaleContinuousNumeric<number, number>, which: 'x' | 'y', w: number, h: number): void {
    const count = which === 'x' ? Math.max(2, Math.floor(w / 70)) : Math.max(2, Math.floor(h / 40));
    let ticks = scale.ticks(count);
    if (this.options.logX && which === 'x') ticks = ticks.filter((t) => Number.isInteger(Math.log10(t)) && Math.round(Math.log10(t)) % Math.ceil(ticks.length / count) === 0);
    const fmt = this.options.logX && which === 'x' ? (t: number) => `1e${Math.round(Math.log10(t))}` : scale.tickFormat(count);
    syncChildren(g, ticks.length * 2 + 1, (i) => (i === 0 ? svg('line', { class: 'domain' }) : i % 2 ? svg('line', { class: 'grid' }) : svg('text', {})));
    const base = g.children[0];
    if (which === 'x') {
      base.setAttribute('x1', '0');
      base.setAttribute('x2', String(w));
      base.setAttribute('y1', String(h));
      base.setAttribute('y2', String(h));
    } else {
      base.setAttribute('x1', '0');
      base.setAttribute('x2', '0');
      base.setAttribute('y1', '0');
      base.setAttribute('y2', String(h));
    }
    ticks.forEach((t, i) => {
      const line = g.children[1 + 2 * i];
      const text = g.children[2 + 2 * i];
      const p = String(scale(t));
      if (which === 'x') {
        line.setAttribute('x1', p);
        line.setAttribute('x2', p);
        line.setAttribute('y1', '0');
        line.setAttribute('y2', String(h));
        text.setAttribute('x', p);
        text.setAttribute('y', String(h + 17));
        text.setAttribute('text-anchor', 'middle');
      } else {
        line.setAttribute('x1', '0');
        line.setAttribute('x2', String(w));
        line.setAttribute('y1', p);
        line.setAttribute('y2', p);
        text.setAttribute('x', '-6');
        text.setAttribute('y', p);
        text.setAttribute('dy', '0.32em');
        text.setAttribute('text-anchor', 'end');
      }
      text.textContent = fmt(t).replace('-', '−');
    });
  }

  /** Pointer x → data x (clamped to the domain: a drag past the edge stays at the edge). */
  private invert(clientX: number): number {
    const box = this.svg.getBoundingClientRect();
    const [r0, r1] = this.x.range();
    const px = Math.max(r0, Math.min(r1, clientX - box.left - MARGIN.left));
    return this.x.invert(px);
  }

  private enableDrag(onDrag: (x: number) => void): void {
    // pan-y: a horizontal drag moves the value, a vertical one still scrolls the page on a phone.
    this.svg.style.touchAction = 'pan-y';
    this.svg.classList.add('draggable');
    this.svg.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.svg.setPointerCapture(e.pointerId);
      onDrag(this.invert(e.clientX));
    });
    this.svg.addEventListener('pointermove', (e) => {
      if (this.svg.hasPointerCapture(e.pointerId)) onDrag(this.invert(e.clientX));
    });
  }
}

/** Keeps exactly n children, creating the missing ones with make(i). */
function syncChildren(parent: Element, n: number, make: (i: number) => Element): void {
  while (parent.children.length > n) parent.lastElementChild!.remove();
  while (parent.children.length < n) parent.append(make(parent.children.length));
}

function fitDomain(series: Series[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.ys.length; i++) {
      const v = s.ys[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!(lo <= hi)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** The SVG path of a curve; non-finite points break the line. Values far off the chart are clamped (clipped anyway). */
function linePath(xs: ArrayLike<number>, ys: ArrayLike<number>, x: (v: number) => number, y: (v: number) => number, h: number): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const v = ys[i];
    if (!Number.isFinite(v) || !Number.isFinite(x(xs[i]))) {
      pen = false;
      continue;
    }
    const py = Math.max(-10 * h, Math.min(11 * h, y(v)));
    d += `${pen ? 'L' : 'M'}${x(xs[i]).toFixed(1)},${py.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The one legend of a figure group: a swatch (colour and dash) and a name per series. */
export function legend(items: { label: string; style: number }[], label = 'legend'): HTMLElement {
  const list = el('ul', { class: 'legend', 'aria-label': label });
  for (const item of items) {
    const s = STYLES[item.style % STYLES.length];
    const swatch = svg('svg', { width: '34', height: '12', 'aria-hidden': 'true' });
    swatch.append(svg('line', { x1: '1', x2: '33', y1: '6', y2: '6', stroke: s.color, 'stroke-width': '3', ...(s.dash ? { 'stroke-dasharray': s.dash } : {}) }));
    list.append(el('li', {}, swatch, item.label));
  }
  return list;
}
