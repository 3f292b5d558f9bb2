// Panel 4: the exact losskit calls that reproduce what is on screen, with a copy button.
import { el } from '../dom.js';
import type { State } from '../state.js';
import { classificationCall } from './classification.js';

const json = (v: unknown) => JSON.stringify(v);

export function codeFor(state: State): string {
  const { logits, target, options } = classificationCall(state);
  const ceOptions = Object.keys(options).length ? `, ${json(options).replace(/"(\w+)":/g, '$1: ')}` : '';
  return [
    `import { crossEntropy, huberLoss, smoothL1Loss } from 'losskit';`,
    ``,
    `// Classification panel`,
    `const logits = ${json(logits)};`,
    `const target = ${json(target)};`,
    `const { loss, grad } = crossEntropy.withGrad(logits, target${ceOptions});`,
    `console.log(loss.toString(), grad.toString());`,
    ``,
    `// Regression panel: value and gradient at the error`,
    `const error = [${state.error}], zero = [0];`,
    `console.log(smoothL1Loss.withGrad(error, zero, { beta: ${state.beta} }).grad.toString());`,
    `console.log(huberLoss.withGrad(error, zero, { delta: ${state.delta} }).grad.toString());`,
  ].join('\n');
}

export function renderCode(root: HTMLElement, state: State): void {
  const code = codeFor(state);
  const button = el('button', { type: 'button', id: 'copy' }, 'Copy');
  const status = el('span', { role: 'status', class: 'note' });
  button.addEventListener('click', () => {
    navigator.clipboard.writeText(code).then(
      () => (status.textContent = ' copied'),
      () => (status.textContent = ' copy failed: select the code and copy it by hand'),
    );
  });
  root.replaceChildren(el('h2', { id: 'code-title' }, '4. Code'), el('pre', {}, el('code', { 'data-test': 'code' }, code)), button, status);
}
