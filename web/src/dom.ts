// Small DOM helpers. Controls are built once and updated in place (set()), never rebuilt: a drag
// or a typed value survives every redraw, and focus stays where the user put it.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** A number as shown on the page: 6 significant digits (the exact value goes in data-value). */
export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(6)).toString();
}

/** A readout: shown text, exact value in data-value (what the browser tests compare with losskit). */
export function readout(test: string, tag: 'td' | 'span' | 'output' = 'span'): HTMLElement & { set: (value: number, text?: string) => void } {
  const node = el(tag, { 'data-test': test, class: 'num' }) as HTMLElement & { set: (value: number, text?: string) => void };
  node.set = (value, text) => {
    const shown = text ?? format(value);
    if (node.textContent !== shown) node.textContent = shown;
    node.dataset.value = String(value);
  };
  return node;
}

let uid = 0;
export const nextId = (prefix: string) => `${prefix}-${++uid}`;

export interface Control<T> {
  root: HTMLElement;
  /** Shows a value set from elsewhere (URL, reset) without firing the change callback. */
  set(value: T): void;
}

/**
 * A range slider with a number box beside it, kept in sync. The slider's bounds never move; the
 * box accepts any number (out-of-range values go to the loss, whose error is shown in the panel).
 */
export function slider(id: string, label: string, o: { min: number; max: number; step: number; value: number; onInput: (v: number) => void }): Control<number> {
  const range = el('input', { id, type: 'range', min: String(o.min), max: String(o.max), step: String(o.step), value: String(o.value), 'aria-describedby': `${id}-box` });
  const box = el('input', { id: `${id}-box`, type: 'number', step: 'any', value: String(o.value), 'aria-label': `${label} (exact value)`, inputmode: 'decimal' });
  range.addEventListener('input', () => {
    box.value = range.value;
    o.onInput(Number(range.value));
  });
  const fromBox = () => {
    const v = Number(box.value);
    if (box.value.trim() !== '' && Number.isFinite(v)) {
      range.value = String(v);
      o.onInput(v);
    }
  };
  box.addEventListener('change', fromBox);
  return {
    root: el('span', { class: 'slider' }, el('label', { for: id }, label), range, box),
    set(v) {
      range.value = String(v);
      if (document.activeElement !== box || Number(box.value) !== v) box.value = String(v);
    },
  };
}

export function checkbox(id: string, label: string, checked: boolean, onChange: (v: boolean) => void): Control<boolean> {
  const input = el('input', { id, type: 'checkbox' });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return { root: el('label', { for: id, class: 'check' }, input, label), set: (v) => void (input.checked = v) };
}

export function select<T extends string>(id: string, label: string, choices: readonly (readonly [T, string])[], value: T, onChange: (v: T) => void): Control<T> {
  const s = el('select', { id });
  for (const [v, text] of choices) s.append(el('option', { value: v }, text));
  s.value = value;
  s.addEventListener('change', () => onChange(s.value as T));
  return { root: el('span', { class: 'field' }, el('label', { for: id }, label), s), set: (v) => void (s.value = v) };
}

export function numberBox(id: string, label: string, value: number, onChange: (v: number) => void, attributes: Record<string, string> = {}): Control<number> & { input: HTMLInputElement } {
  const input = el('input', { id, type: 'number', step: 'any', value: String(value), 'aria-label': label, inputmode: 'decimal', ...attributes });
  input.addEventListener('change', () => {
    if (input.value.trim() !== '' && Number.isFinite(Number(input.value))) onChange(Number(input.value));
  });
  const set = (v: number) => {
    // Leave a box being typed in alone when it already holds the value (1.50 stays 1.50).
    if (!(document.activeElement === input && Number(input.value) === v)) input.value = String(v);
  };
  return { root: input, input, set };
}

export function button(id: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { id, type: 'button' }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** An error line that belongs to one panel: empty and hidden until set. */
export function errorLine(test: string): HTMLElement & { set: (message: string) => void } {
  const node = el('p', { class: 'error', role: 'alert', 'data-test': test, hidden: '' }) as unknown as HTMLElement & { set: (message: string) => void };
  node.set = (message) => {
    if (node.textContent !== message) node.textContent = message;
    node.hidden = message === '';
  };
  return node;
}

/** Wraps a wide element (a table) so that it scrolls by itself on a narrow screen, focusable by keyboard. */
export function scroll(child: HTMLElement, label: string): HTMLDivElement {
  return el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': label }, child);
}
