// Tutorial §2: multi-class cross-entropy three ways side by side — from one-hot rows (argmax), from
// class indices, and by hand (softmax, then mean of −Σ y log p) — with the target class marked in
// the logits table and the by-hand terms shown; then PyTorch's options on the same logits.
import { crossEntropy, softmax, tensor } from 'losskit';
import { el, format, numberBox, readout, scroll, select } from '../dom.js';
import { lossEntry } from '../catalog.js';
import { optionControl } from '../option-control.js';
import { formula } from '../math.js';
import { codePanel, section } from '../section.js';
import type { Store } from '../store.js';

export const CE_LOGITS = [[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
export const CE_TARGETS = [1, 0, 3];
const N = CE_LOGITS.length;
const C = CE_LOGITS[0].length;

const oneHot = (t: number[]) => t.map((k) => Array.from({ length: C }, (_, c) => (c === k ? 1 : 0)));
const argmax = (rows: number[][]) => rows.map((r) => r.indexOf(Math.max(...r)));

export function crossEntropySection(store: Store): HTMLElement {
  const s = section('cross-entropy', '2. Multi-class cross-entropy, three ways', 'The same loss from one-hot rows, from class indices and by hand. Edit a logit or a target: all three follow, and agree.');
  store.define('logits', CE_LOGITS);
  store.define('t', CE_TARGETS);
  const entry = lossEntry('crossEntropy');
  // Label smoothing and the ignore index: controls from the catalogue's options. The class weights
  // (a [C] tensor) get one box per class here.
  const smoothing = optionControl(entry, 'labelSmoothing', store, { key: 'ls', id: 'ls', label: 'label smoothing' })!;
  const ignore = optionControl(entry, 'ignoreIndex', store, { key: 'ii', id: 'ignore-index', label: 'ignore index' })!;
  store.define('w', Array.from({ length: C }, () => (entry.options.weight as { default: number }).default));
  const problems = ['logits', 't', 'ls', 'w', 'ii'].flatMap((k) => (store.problems.has(k) ? [store.problems.get(k)!] : []));

  // The logits table: inputs built once; the target cell of each row is marked.
  const logitInputs: ReturnType<typeof numberBox>[][] = [];
  const probCells: ReturnType<typeof readout>[][] = [];
  const targetSelects: ReturnType<typeof select>[] = [];
  const cells: HTMLTableCellElement[][] = [];
  const table = el('table', { class: 'logits' }, el('caption', {}, 'Logits (editable), softmax probabilities p under each; the target class of each sample is outlined and marked ◆.'));
  table.append(el('tr', {}, el('th', { scope: 'col' }, 'sample'), ...Array.from({ length: C }, (_, c) => el('th', { scope: 'col' }, `class ${c}`)), el('th', { scope: 'col' }, 'target')));
  for (let i = 0; i < N; i++) {
    const row = el('tr', {}, el('th', { scope: 'row' }, String(i)));
    logitInputs.push([]);
    probCells.push([]);
    cells.push([]);
    for (let c = 0; c < C; c++) {
      const box = numberBox(`logit-${i}-${c}`, `logit of sample ${i}, class ${c}`, store.get<number[][]>('logits')[i][c], (v) =>
        store.set({ logits: store.get<number[][]>('logits').map((r, k) => (k === i ? r.map((u, j) => (j === c ? v : u)) : r)) }),
      );
      const p = readout(`ce-p-${i}-${c}`);
      logitInputs[i].push(box);
      probCells[i].push(p);
      const td = el('td', {}, box.root, el('span', { class: 'sub' }, 'p = ', p), el('span', { class: 'target-mark', 'aria-hidden': 'true' }, ' ◆'));
      cells[i].push(td);
      row.append(td);
    }
    const choice = select(`target-${i}`, `target of sample ${i}`, Array.from({ length: C }, (_, c) => [String(c), String(c)] as const), String(store.get<number[]>('t')[i]), (v) =>
      store.set({ t: store.get<number[]>('t').map((u, k) => (k === i ? Number(v) : u)) }),
    );
    targetSelects.push(choice);
    row.append(el('td', {}, choice.root));
    table.append(row);
  }

  // The three ways, side by side.
  const way = (test: string, title: string, call: string) => {
    const value = readout(test, 'output');
    const box = el('div', { class: 'way' }, el('h3', {}, title), el('code', { class: 'call' }, call), el('p', { class: 'big' }, value));
    return { box, value };
  };
  const a = way('ce-argmax', 'from one-hot rows', 'crossEntropy(logits, argmax(oneHot))');
  const b = way('ce-indices', 'from class indices', 'crossEntropy(logits, [t0, t1, t2])');
  const c = way('ce-hand', 'by hand', 'mean(−Σ y · log softmax(logits))');
  const oneHotText = el('pre', { 'data-test': 'ce-onehot' });
  const terms = el('table', { class: 'terms' });
  const termCells = Array.from({ length: N }, (_, i) => ({ p: readout(`ce-term-p-${i}`, 'td'), term: readout(`ce-term-${i}`, 'td'), lib: readout(`ce-sample-${i}`, 'td') }));
  terms.append(
    el('caption', {}, 'The by-hand terms: each sample contributes −log of its target class\'s probability; the library\'s per-sample losses (reduction "none") beside them.'),
    el('tr', {}, el('th', { scope: 'col' }, 'sample'), el('th', { scope: 'col' }, 'p of target'), el('th', { scope: 'col' }, '−log p'), el('th', { scope: 'col' }, "crossEntropy(…, { reduction: 'none' })")),
    ...termCells.map((t, i) => el('tr', {}, el('th', { scope: 'row' }, String(i)), t.p, t.term, t.lib)),
  );
  const perSampleText = el('pre', { 'data-test': 'ce-none' });

  // PyTorch's options on the same logits and targets.
  const weightBoxes = Array.from({ length: C }, (_, k) => numberBox(`weight-${k}`, `weight of class ${k}`, store.get<number[]>('w')[k], (v) => store.set({ w: store.get<number[]>('w').map((u, j) => (j === k ? v : u)) })));
  const withOptions = readout('ce-opt-mean', 'output');
  const optionsError = el('p', { class: 'error', role: 'alert', 'data-test': 'ce-opt-error', hidden: '' });
  const optionsNote = el('p', { class: 'note', 'aria-live': 'polite', 'data-test': 'ce-opt-note' });
  const gradTable = el('table', { class: 'heat' }, el('caption', {}, 'Gradient of the loss (with the options) with respect to each logit: softmax − target, over N (or the weight sum). Blue: the step raises the logit; red: lowers it.'));
  const gradCells = Array.from({ length: N }, (_, i) => Array.from({ length: C }, (_, k) => readout(`ce-grad-${i}-${k}`, 'td')));
  gradTable.append(el('tr', {}, el('th', {}, 'sample'), ...Array.from({ length: C }, (_, k) => el('th', { scope: 'col' }, `class ${k}`))), ...gradCells.map((r, i) => el('tr', {}, el('th', { scope: 'row' }, String(i)), ...r)));
  const code = codePanel('ce-code');

  s.root.append(
    formula(String.raw`\ell = \frac{1}{N}\sum_{n=1}^{N} -\sum_{c} y_{n,c}\,\log \frac{e^{x_{n,c}}}{\sum_{k} e^{x_{n,k}}} = \frac{1}{N}\sum_{n} -\log p_{n,\,t_n}`),
    scroll(table, 'logits table'),
    el('div', { class: 'ways', 'aria-live': 'polite' }, a.box, b.box, c.box),
    el('div', { class: 'cols' }, el('div', { class: 'col' }, el('h4', {}, 'one-hot rows of the targets'), oneHotText, el('h4', {}, 'per sample (library)'), perSampleText), el('div', { class: 'col' }, scroll(terms, 'by-hand terms'))),
    el('h3', {}, "PyTorch's options"),
    el('div', { class: 'controls' }, smoothing.root, el('span', { class: 'option' }, el('span', { class: 'field' }, el('span', {}, 'class weights'), ...weightBoxes.map((w) => w.root)), el('span', { class: 'doc' }, entry.options.weight.doc)), ignore.root),
    el('p', {}, 'with these options: ', el('code', {}, 'crossEntropy(logits, t, options)'), ' = ', withOptions),
    optionsError,
    optionsNote,
    scroll(gradTable, 'gradient table'),
    code.root,
  );
  if (problems.length) s.error.set(problems.join(' '));

  store.watch(['logits', 't'], () => {
    const logits = store.get<number[][]>('logits');
    const t = store.get<number[]>('t');
    const hot = oneHot(t);
    logits.forEach((r, i) => r.forEach((v, k) => logitInputs[i][k].set(v)));
    t.forEach((k, i) => targetSelects[i].set(String(k)));
    cells.forEach((r, i) => r.forEach((td, k) => td.classList.toggle('target', k === t[i])));
    const p = softmax(logits, { dim: 1 });
    p.data.forEach((v, k) => probCells[Math.floor(k / C)][k % C].set(v));
    const fromHot = crossEntropy(logits, argmax(hot));
    const fromIndices = crossEntropy(logits, t);
    // By hand, in float32 as the tutorial: −log p of the target (the one-hot row picks it), averaged.
    const f = Math.fround;
    let sum = 0;
    termCells.forEach((cell, i) => {
      let term = 0;
      for (let k = 0; k < C; k++) term = f(term - f(hot[i][k] * f(Math.log(p.data[i * C + k]))));
      cell.p.set(p.data[i * C + t[i]]);
      cell.term.set(term);
      sum = f(sum + term);
    });
    const byHand = tensor(new Float32Array([f(sum / N)]), { shape: [] });
    a.value.set(fromHot.item(), fromHot.toString());
    b.value.set(fromIndices.item(), fromIndices.toString());
    c.value.set(byHand.item(), byHand.toString());
    oneHotText.textContent = `oneHot = ${JSON.stringify(hot)}\nargmax(oneHot) = ${JSON.stringify(argmax(hot))}`;
    const none = crossEntropy(logits, t, { reduction: 'none' });
    none.data.forEach((v, i) => termCells[i].lib.set(v));
    perSampleText.textContent = none.toString();
  });

  store.watch(['logits', 't', 'ls', 'w', 'ii'], () => {
    const logits = store.get<number[][]>('logits');
    const t = store.get<number[]>('t');
    const w = store.get<number[]>('w');
    const options: Record<string, unknown> = {};
    if (store.get('ls') !== 0) options.labelSmoothing = store.get('ls');
    if (w.some((v) => v !== 1)) options.weight = w;
    if (store.get('ii') !== -100) options.ignoreIndex = store.get('ii');
    smoothing.sync();
    weightBoxes.forEach((b, k) => b.set(w[k]));
    ignore.sync();
    const optionText = Object.keys(options).length ? `, ${JSON.stringify(options).replace(/"(\w+)":/g, '$1: ')}` : '';
    code.set(
      [
        `import { crossEntropy, softmax } from 'losskit';`,
        `const logits = ${JSON.stringify(logits)};`,
        `const t = ${JSON.stringify(t)};`,
        `const oneHot = ${JSON.stringify(oneHot(t))};`,
        `console.log(crossEntropy(logits, oneHot.map((r) => r.indexOf(1))).toString()); // one-hot rows`,
        `console.log(crossEntropy(logits, t).toString());                            // class indices`,
        `const p = softmax(logits, { dim: 1 }).toArray();                           // by hand`,
        `console.log(-oneHot.reduce((s, y, n) => s + y.reduce((a, v, c) => a + v * Math.log(p[n][c]), 0), 0) / t.length);`,
        `const { loss, grad } = crossEntropy.withGrad(logits, t${optionText});`,
        `console.log(loss.toString(), grad.toString());`,
      ].join('\n'),
    );
    try {
      const { loss, grad } = crossEntropy.withGrad(logits, t, options);
      optionsError.hidden = true;
      withOptions.set(loss.item(), loss.toString());
      grad!.data.forEach((g, k) => {
        const cell = gradCells[Math.floor(k / C)][k % C];
        cell.set(g);
        const a = Math.min(1, Math.abs(g) / 0.34);
        cell.style.background = Number.isFinite(g) ? (g < 0 ? `rgba(11, 95, 165, ${a * 0.55})` : `rgba(179, 38, 30, ${a * 0.55})`) : '';
      });
      const targetWeight = t.reduce((acc, k) => acc + (k === store.get('ii') ? 0 : (w[k] ?? 0)), 0);
      optionsNote.textContent = Number.isNaN(loss.item())
        ? `The loss is NaN because the mean divides by the sum of the weights of the targets that count, here ${format(targetWeight)} (${t.map((k) => `w[${k}]`).join(' + ')}): 0 / 0, as in PyTorch. Give a target class a weight other than 0, or use reduction 'sum'.`
        : Object.keys(options).length
          ? `Label smoothing mixes ${format(store.get<number>('ls'))} of the uniform distribution into each target; weights scale each sample by its target class's weight and the mean divides by their sum (${format(targetWeight)}); the ignore index drops samples whose target equals it.`
          : 'No options: the same value as the three ways above.';
    } catch (e) {
      optionsError.hidden = false;
      optionsError.textContent = (e as Error).message;
      withOptions.set(NaN, '—');
      optionsNote.textContent = '';
    }
  });
  return s.root;
}
