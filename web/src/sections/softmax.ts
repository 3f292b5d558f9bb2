// Tutorial §1: softmax by hand (exp(x) / Σ exp(x), float32 like the tutorial's PyTorch) beside the
// library's, over dim 1 and dim 0 side by side; the overflow at [[1000, 1001, 1002]] appears right
// under the switch that selects it.
import { softmax, tensor } from 'losskit';
import { el, select } from '../dom.js';
import { formula } from '../math.js';
import { codePanel, section } from '../section.js';
import type { Store } from '../store.js';

export const SOFTMAX_INPUTS = {
  demo: [[1, 4, 8, 6], [5, 2, -1, 3]],
  big: [[1000, 1001, 1002]],
} as const;

/** The textbook softmax in float32: exp overflows to Infinity at 89, and Infinity / Infinity is NaN. */
export function softmaxByHand(x: readonly (readonly number[])[], dim: 0 | 1): Float32Array {
  const f = Math.fround;
  const rows = x.length;
  const cols = x[0].length;
  const e = x.map((r) => r.map((v) => f(Math.exp(f(v)))));
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      if (dim === 1) for (let k = 0; k < cols; k++) sum = f(sum + e[i][k]);
      else for (let k = 0; k < rows; k++) sum = f(sum + e[k][j]);
      out[i * cols + j] = f(e[i][j] / sum);
    }
  }
  return out;
}

export function softmaxSection(store: Store): HTMLElement {
  const s = section('softmax', '1. Softmax: by hand and from the library', 'Softmax turns a row of scores into probabilities. Written by hand it is one line; the library computes the same numbers, and keeps computing them where the hand-written line overflows.');
  const input = store.define('sm', 'demo', ['demo', 'big']);
  if (store.problems.has('sm')) s.error.set(store.problems.get('sm')!);
  const choice = select('sm-input', 'logits', [['demo', "the tutorial's demo = [[1, 4, 8, 6], [5, 2, -1, 3]]"], ['big', 'large logits [[1000, 1001, 1002]] (overflow)']], input, (sm) => store.set({ sm }));
  const cells = { hand1: el('pre', { 'data-test': 'softmax-hand-1' }), lib1: el('pre', { 'data-test': 'softmax-lib-1' }), hand0: el('pre', { 'data-test': 'softmax-hand-0' }), lib0: el('pre', { 'data-test': 'softmax-lib-0' }) };
  const note = el('p', { class: 'callout', 'aria-live': 'polite', 'data-test': 'softmax-note' });
  const code = codePanel('softmax-code');
  const column = (dim: 0 | 1, hand: HTMLElement, lib: HTMLElement) =>
    el('div', { class: 'col' }, el('h3', {}, dim === 1 ? 'dim = 1: each row (sample) sums to 1' : 'dim = 0: each column (class) sums to 1'), el('h4', {}, 'by hand: exp(x) / sum(exp(x), dim)'), hand, el('h4', {}, `losskit: softmax(x, { dim: ${dim} })`), lib);
  s.root.append(
    formula(String.raw`\operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}} = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}},\quad m = \max_j x_j`),
    el('div', { class: 'controls' }, choice.root),
    note,
    el('div', { class: 'cols' }, column(1, cells.hand1, cells.lib1), column(0, cells.hand0, cells.lib0)),
    code.root,
  );
  store.watch(['sm'], () => {
    const key = store.get<'demo' | 'big'>('sm');
    const x = SOFTMAX_INPUTS[key] as unknown as number[][];
    const shape = [x.length, x[0].length];
    cells.hand1.textContent = tensor(softmaxByHand(x, 1), { shape }).toString();
    cells.lib1.textContent = softmax(x, { dim: 1 }).toString();
    cells.hand0.textContent = tensor(softmaxByHand(x, 0), { shape }).toString();
    cells.lib0.textContent = softmax(x, { dim: 0 }).toString();
    for (const c of [cells.hand1, cells.hand0]) c.classList.toggle('bad', c.textContent!.includes('nan'));
    note.textContent =
      key === 'big'
        ? 'exp(1000) overflows (float32 holds up to 3.4e38, exp(89) already exceeds it): Infinity / Infinity = NaN. The library subtracts the row maximum first, exp(x − m) ≤ 1, so nothing overflows.'
        : 'Same numbers by hand and from the library. Over dim 1 each sample becomes a distribution over its classes (what a classifier needs); over dim 0 each class is spread over the samples.';
    code.set(
      [
        `import { softmax, tensor } from 'losskit';`,
        `const x = ${JSON.stringify(x)};`,
        `console.log(softmax(x, { dim: 1 }).toString());`,
        `console.log(softmax(x, { dim: 0 }).toString());`,
        `// by hand (float32, as the tutorial's PyTorch): overflows for large x`,
        `const e = x.map((r) => r.map((v) => Math.fround(Math.exp(v))));`,
        `const byHand = e.map((r) => { const s = r.reduce((a, b) => a + b); return r.map((v) => v / s); });`,
        `console.log(tensor(byHand, { dtype: 'float32' }).toString());`,
      ].join('\n'),
    );
  });
  return s.root;
}
