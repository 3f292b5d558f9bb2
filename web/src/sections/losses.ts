// Every loss of the catalogue gets a view: its formula, its options as controls (built from the
// catalogue's types, defaults and ranges), its value and gradient against what makes sense for it
// (sweeps.ts), and the exact losskit call. A loss added to the catalogue appears here by itself.
import { logSoftmax, tensor, type Tensor } from 'losskit';
import { catalogLosses, type LossEntry, type OptionSpec } from '../catalog.js';
import { Chart, legend } from '../chart.js';
import { el, errorLine, format, readout, scroll, select } from '../dom.js';
import { optionControl } from '../option-control.js';
import { FORMULAS } from '../formulas.js';
import { formula } from '../math.js';
import { codePanel, section } from '../section.js';
import type { Store } from '../store.js';
import { sweepOf, type Sweep } from '../sweeps.js';

const SAMPLES = 241;

export function lossesSection(store: Store): HTMLElement {
  const losses = catalogLosses();
  const s = section('losses', '6. Every loss', `All ${losses.length} losses of losskit's catalogue: pick one to see its formula, its value and gradient, its options and the call that computes them.`);
  const names = losses.map((e) => e.name);
  store.define('loss', 'huberLoss', names);
  if (store.problems.has('loss')) s.error.set(store.problems.get('loss')!);
  const pick = select('loss-pick', 'loss', losses.map((e) => [e.name, e.name] as const), store.get('loss'), (loss) => store.set({ loss }));
  const holder = el('div', { class: 'view-holder', 'aria-live': 'polite' });
  s.root.append(el('div', { class: 'controls' }, pick.root), holder);
  const views = new Map<string, HTMLElement>();
  store.watch(['loss'], () => {
    const name = store.get<string>('loss');
    pick.set(name);
    const entry = losses.find((e) => e.name === name)!;
    if (!views.has(name)) views.set(name, lossView(entry, store));
    for (const [n, v] of views) v.hidden = n !== name;
    if (!holder.contains(views.get(name)!)) holder.append(views.get(name)!);
  });
  return s.root;
}

/** A losskit argument from a sweep's: a typed array as is, { data, shape } as a tensor of that shape. */
const arg = (a: unknown) => (a && typeof a === 'object' && 'shape' in a && 'data' in a ? tensor((a as { data: Float64Array }).data, { shape: (a as { shape: number[] }).shape }) : a);

function lossView(entry: LossEntry, store: Store): HTMLElement {
  const id = entry.cliName;
  const error = errorLine(`view-error-${id}`);
  const tex = FORMULAS[entry.name];
  const view = el(
    'article',
    { class: 'loss-view', 'data-loss': entry.name, 'aria-labelledby': `view-title-${id}` },
    el('h3', { id: `view-title-${id}` }, entry.name),
    el('p', { class: 'note' }, `Reference: ${entry.reference.library}'s `, el('code', {}, entry.reference.function), '. Command line: ', el('code', {}, `losskit eval ${entry.cliName}`), '.', entry.reductions.length ? ` Reductions: ${entry.reductions.join(', ')}.` : ''),
    tex ? formula(tex) : el('p', { class: 'error', 'data-test': `no-formula-${id}` }, `No formula for ${entry.name} in web/src/formulas.ts.`),
  );
  const { controls, keys, options, skipped } = optionControls(entry, store);
  if (controls.length) view.append(el('div', { class: 'controls' }, ...controls));
  if (skipped.length) view.append(el('p', { class: 'note' }, `Not a control here: ${skipped.join('; ')}.`));
  view.append(error);
  const code = codePanel(`view-code-${id}`);
  const problems = keys.flatMap((k) => (store.problems.has(k) ? [store.problems.get(k)!] : []));

  if (entry.name === 'ctcLoss') {
    const { root, update } = ctcAlignment(entry, code);
    view.append(root, code.root);
    store.watch(keys, () => {
      try {
        update(options());
        error.set(problems.join(' '));
      } catch (e) {
        error.set([...problems, (e as Error).message].join(' '));
      }
    });
    return view;
  }
  const sweep = sweepOf(entry);
  if (!sweep) {
    view.append(el('p', { class: 'note' }, `The catalogue gives ${entry.name} no plot, and no view is designed for it yet.`), code.root);
    return view;
  }
  const value = new Chart({ title: `${entry.name}: value.`, xLabel: sweep.xLabel, yLabel: 'loss', xDomain: [sweep.range[0], sweep.range[1]] });
  const grad = new Chart({ title: `${entry.name}: gradient.`, xLabel: sweep.xLabel, yLabel: sweep.gradLabel, xDomain: [sweep.range[0], sweep.range[1]] });
  value.svg.dataset.test = `view-value-${id}`;
  grad.svg.dataset.test = `view-grad-${id}`;
  view.append(legend(sweep.curves.map((c, i) => ({ label: c.label, style: i })), `legend of ${entry.name}`), el('div', { class: 'charts' }, value.figure, ...(sweep.pointwise ? [] : [grad.figure])), code.root);
  const xs = Float64Array.from({ length: SAMPLES }, (_, i) => sweep.range[0] + ((sweep.range[1] - sweep.range[0]) * i) / (SAMPLES - 1));
  store.watch(keys, () => {
    const opts = options();
    try {
      const curves = evaluate(entry, sweep, xs, opts);
      error.set(problems.join(' '));
      const describe = (what: 'loss' | 'grad') => `${curves.map((c) => `${c.label}: from ${format(c[what][0])} at x = ${format(xs[0])} to ${format(c[what][xs.length - 1])} at x = ${format(xs[xs.length - 1])}`).join('; ')}.`;
      value.update({ series: curves.map((c, i) => ({ id: `c${i}`, label: c.label, style: i, xs, ys: c.loss })), description: describe('loss') });
      if (!sweep.pointwise) grad.update({ series: curves.map((c, i) => ({ id: `c${i}`, label: c.label, style: i, xs, ys: c.grad })), description: describe('grad') });
    } catch (e) {
      error.set([...problems, (e as Error).message].join(' '));
    }
    code.set(callCode(entry, sweep, opts));
  });
  return view;
}

/** Value and gradient of each curve at the xs: losskit's withGrad with reduction 'none'. */
function evaluate(entry: LossEntry, sweep: Sweep, xs: Float64Array, options: Record<string, unknown>) {
  return sweep.curves.map((c) => {
    if (sweep.pointwise) return { label: c.label, loss: xs.map((x) => sweep.pointwise!(entry.fn, x, options)), grad: new Float64Array(xs.length) };
    if (sweep.each) {
      const loss = new Float64Array(xs.length);
      const grad = new Float64Array(xs.length);
      xs.forEach((x, i) => {
        const r = entry.fn.withGrad!(...c.args(Float64Array.of(x)).map(arg), options);
        loss[i] = r.loss.item();
        const g = (r.grads[sweep.gradArg ?? 0] as Tensor).data;
        grad[i] = sweep.gradAt ? sweep.gradAt(g, 0, g.length, x) : g[0];
      });
      return { label: c.label, loss, grad };
    }
    const r = entry.fn.withGrad!(...c.args(xs).map(arg), { ...options, reduction: 'none' });
    const perItem = r.loss.size / xs.length; // elementwise losses on rows: sum a row's entries
    const loss = xs.map((_, i) => {
      let v = 0;
      for (let k = 0; k < perItem; k++) v += r.loss.data[i * perItem + k];
      return v;
    });
    const g = (r.grads[sweep.gradArg ?? 0] as Tensor).data;
    const perRow = g.length / xs.length;
    const grad = xs.map((x, i) => (sweep.gradAt ? sweep.gradAt(g, i, perRow, x) : g[i * perRow]));
    return { label: c.label, loss, grad };
  });
}

function callCode(entry: LossEntry, sweep: Sweep, options: Record<string, unknown>): string {
  const opts = JSON.stringify({ ...options, ...(sweep.pointwise || sweep.each ? {} : { reduction: 'none' }) }).replace(/"(\w+)":/g, '$1: ');
  const call = sweep.pointwise ? `${entry.name}(yTrue, yPred, ${opts})` : `${entry.name}.withGrad(${entry.args.map((a) => a.name).join(', ')}, ${opts})`;
  return [
    `import { ${entry.name}, tensor } from 'losskit';`,
    `// x = ${sweep.range[0]} … ${sweep.range[1]} (${SAMPLES} points): ${sweep.argsCode}`,
    sweep.pointwise ? `const value = ${call};` : `const { loss, grads } = ${call};`,
    sweep.pointwise ? '' : `// loss: one value per x; grads[${sweep.gradArg ?? 0}]: the gradient plotted`,
  ].filter(Boolean).join('\n');
}

/** The view's option controls, one per catalogue option that has one; the others are listed. */
function optionControls(entry: LossEntry, store: Store) {
  const built = Object.keys(entry.options).map((opt) => [opt, optionControl(entry, opt, store, { key: `${entry.name}.${opt}`, id: `${entry.cliName}-${opt}`, oneNumberTensor: entry.plot?.options?.includes(opt) })] as const);
  const made = built.flatMap(([, c]) => (c ? [c] : []));
  const skipped = built.filter(([, c]) => !c).map(([opt]) => `${opt} (${(entry.options[opt] as OptionSpec).doc})`);
  const options = () => {
    made.forEach((c) => c.sync());
    return Object.fromEntries(made.map((c) => c.value()).filter((kv): kv is [string, unknown] => kv !== null));
  };
  return { controls: made.map((c) => c.root), keys: made.map((c) => c.key), options, skipped };
}

/**
 * CTC: the alignment of a 2-label target with 8 frames. The gradient with respect to the
 * log-probabilities, a frame × class heatmap, is each frame's probability minus the posterior of the
 * alignments through it: it shows which label each frame is pushed towards.
 */
function ctcAlignment(entry: LossEntry, code: ReturnType<typeof codePanel>) {
  const T = 8;
  const C = 3;
  // Logits that favour blank, 1, 1, blank, 2, 2, blank, blank: a plausible alignment of [1, 2].
  const favoured = [0, 1, 1, 0, 2, 2, 0, 0];
  const logits = Float64Array.from({ length: T * C }, (_, k) => (k % C === favoured[Math.floor(k / C)] ? 1.5 : 0));
  const logProbs = logSoftmax(tensor(logits, { shape: [T, 1, C] }), { dim: 2 });
  const lossOut = readout('view-ctc-loss', 'output');
  const cells = Array.from({ length: T }, (_, t) => Array.from({ length: C }, (_, c) => readout(`ctc-grad-${t}-${c}`, 'td')));
  const table = el(
    'table',
    { class: 'heat' },
    el('caption', {}, 'Gradient of the CTC loss with respect to log p(class | frame), target [1, 2], 8 frames; class 0 is the blank. Negative (blue): the frame is pulled towards that class; colour scaled to the largest entry.'),
    el('tr', {}, el('th', {}, 'frame'), ...Array.from({ length: C }, (_, c) => el('th', { scope: 'col' }, c === 0 ? 'blank (0)' : `label ${c}`))),
    ...cells.map((r, t) => el('tr', {}, el('th', { scope: 'row' }, String(t)), ...r)),
  );
  const root = el('div', {}, el('p', {}, 'loss = ', lossOut), scroll(table, 'CTC gradient heatmap'));
  return {
    root,
    update(options: Record<string, unknown>) {
      code.set([`import { ctcLoss, logSoftmax, tensor } from 'losskit';`, `const logProbs = logSoftmax(tensor(${JSON.stringify(Array.from(logits))}, { shape: [${T}, 1, ${C}] }), { dim: 2 });`, `const { loss, grad } = ctcLoss.withGrad(logProbs, [[1, 2]], [${T}], [2]${Object.keys(options).length ? `, ${JSON.stringify(options).replace(/"(\w+)":/g, '$1: ')}` : ''});`].join('\n'));
      const { loss, grad } = entry.fn.withGrad!(logProbs, [[1, 2]], [T], [2], options);
      lossOut.set(loss.item(), loss.toString());
      const largest = Math.max(...Array.from(grad!.data, Math.abs)) || 1;
      grad!.data.forEach((g, k) => {
        const cell = cells[Math.floor(k / C)][k % C];
        cell.set(g);
        const a = Math.abs(g) / largest;
        cell.style.background = g < 0 ? `rgba(11, 95, 165, ${a * 0.6})` : `rgba(179, 38, 30, ${a * 0.6})`;
      });
    },
  };
}
