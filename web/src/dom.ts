// Small DOM helpers: labelled, keyboard-operable native controls, and readouts that carry their
// exact value in data-value (what the browser tests compare with losskit's own results).

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** A labelled range slider with its value shown beside it. */
export function slider(id: string, label: string, min: number, max: number, step: number, value: number, onInput: (v: number) => void): HTMLLabelElement {
  const input = el('input', { id, type: 'range', min: String(min), max: String(max), step: String(step), value: String(value) });
  const shown = el('output', { for: id }, String(value));
  input.addEventListener('input', () => {
    shown.textContent = input.value;
    onInput(Number(input.value));
  });
  return el('label', { for: id }, `${label} `, input, shown);
}

export function checkbox(id: string, label: string, checked: boolean, onChange: (v: boolean) => void): HTMLLabelElement {
  const input = el('input', { id, type: 'checkbox' });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return el('label', { for: id }, input, ` ${label}`);
}

export function numberInput(id: string, label: string, value: number, step: number, onChange: (v: number) => void): HTMLInputElement {
  const input = el('input', { id, type: 'number', step: String(step), value: String(value), 'aria-label': label });
  input.addEventListener('change', () => {
    if (input.value !== '' && Number.isFinite(Number(input.value))) onChange(Number(input.value));
  });
  return input;
}

/** A number as shown on the page (6 significant digits), with the exact value in data-value. */
export function readout(test: string, value: number): HTMLTableCellElement {
  return el('td', { 'data-test': test, 'data-value': String(value) }, format(value));
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(6)).toString();
}

/** Wraps a wide element (a table) so that it scrolls by itself on a narrow screen. */
export function scroll(child: HTMLElement): HTMLDivElement {
  return el('div', { class: 'scroll' }, child);
}
