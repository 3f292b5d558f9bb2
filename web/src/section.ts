// A section of the page: heading, lead text, and its own error line and live status (results are
// announced politely to screen readers; errors stay in the panel they belong to).
import { el, errorLine } from './dom.js';

export interface Section {
  root: HTMLElement;
  error: ReturnType<typeof errorLine>;
}

export function section(id: string, title: string, lead: string): Section {
  const error = errorLine(`${id}-error`);
  const root = el('section', { id, 'aria-labelledby': `${id}-title` }, el('h2', { id: `${id}-title` }, title), el('p', { class: 'lead' }, lead), error);
  return { root, error };
}

/** A code panel: the exact losskit call behind a view, with a copy button. */
export function codePanel(test: string): { root: HTMLElement; set: (code: string) => void } {
  const code = el('code', { 'data-test': test });
  const status = el('span', { role: 'status', class: 'note' });
  const copy = el('button', { type: 'button', class: 'copy' }, 'Copy code');
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(code.textContent ?? '').then(
      () => (status.textContent = 'copied'),
      () => (status.textContent = 'copy failed: select the code and copy it by hand'),
    );
  });
  const root = el('details', { class: 'code' }, el('summary', {}, 'Code'), el('pre', { tabindex: '0' }, code), copy, status);
  return { root, set: (text) => void (code.textContent !== text && (code.textContent = text)) };
}
