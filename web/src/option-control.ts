// A control for one option of a catalogue loss, from its catalogue spec: a select for a few allowed
// values, a checkbox for a boolean, a box for an integer, a tiny constant or a tensor option given
// as one number, else a slider (bounds from the option's range; an open bound is stepped off) with
// its exact box. Values go to the loss as typed: one it refuses shows the loss's error in its panel.
import type { LossEntry, OptionSpec } from './catalog.js';
import { checkbox, el, numberBox, select, slider, type Control } from './dom.js';
import type { Store, Value } from './store.js';

export interface OptionControl {
  root: HTMLElement;
  key: string;
  /** Shows the store's value in the control. */
  sync(): void;
  /** The option as the call takes it, or null when it is the catalogue's default (left out of the call). */
  value(): [string, unknown] | null;
}

/** The smallest of 1, 2, 5 × 10^k at least x: slider steps that read well. */
function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= x * 0.999)!;
}

/**
 * The control of `entry.options[option]`, bound to the store key `key` (defined here, with the
 * catalogue's default unless `fallback` says otherwise); null for options with no one-number control
 * (label lists, per-element or per-class tensors the view does not reduce to one number).
 */
export function optionControl(entry: LossEntry, option: string, store: Store, o: { key: string; id: string; label?: string; fallback?: Value; oneNumberTensor?: boolean }): OptionControl | null {
  const spec = entry.options[option] as OptionSpec;
  // Keras's `axis` (a list of dimensions) has no one-number control: the view keeps its default, all axes.
  if (spec.type === 'labels' || spec.type === 'axes' || (spec.type === 'tensor' && !spec.broadcast && !o.oneNumberTensor)) return null;
  const { key, id } = o;
  const label = o.label ?? option;
  store.define(key, o.fallback ?? (spec.default as Value));
  const onChange = (v: Value) => store.set({ [key]: v });
  let control: Control<Value>;
  let show = (v: Value) => v;
  if (spec.type === 'boolean') control = checkbox(id, label, store.get(key), onChange) as Control<Value>;
  else if (spec.type === 'choice') {
    control = select(id, label, spec.values.map((v) => [v, v] as const), String(store.get(key)), onChange) as Control<Value>;
    show = (v) => String(v);
  } else if (spec.type !== 'tensor' && spec.values) {
    control = select(id, label, spec.values.map((v) => [String(v), String(v)] as const), String(store.get(key)), (v) => onChange(Number(v))) as Control<Value>;
    show = (v) => String(v);
  } else if (spec.type === 'integer' || spec.type === 'tensor' || (Math.abs(spec.default) > 0 && Math.abs(spec.default) < 1e-3)) {
    const box = numberBox(id, label, store.get(key), onChange);
    control = { root: el('span', { class: 'field' }, el('label', { for: id }, label), box.root), set: box.set as (v: Value) => void };
  } else {
    const r = spec.range ?? {};
    let min = r.min ?? Math.min(-3, spec.default - 3);
    const max = r.max ?? Math.max(min + 3, spec.default * 3, 3);
    const step = niceStep((max - min) / 100);
    if (r.minOpen) min += step;
    control = slider(id, label, { min, max: r.maxOpen ? max - step : max, step, value: store.get(key), onInput: onChange }) as unknown as Control<Value>;
  }
  const root = el('span', { class: 'option' }, control.root, el('span', { class: 'doc', id: `${id}-doc` }, spec.doc));
  root.querySelector(`#${CSS.escape(id)}`)?.setAttribute('aria-describedby', `${id}-doc`);
  return {
    root,
    key,
    sync: () => control.set(show(store.get(key))),
    value: () => {
      const v = store.get(key);
      if (v === spec.default) return null;
      return [option, spec.type === 'tensor' && !spec.broadcast ? [v] : v];
    },
  };
}
