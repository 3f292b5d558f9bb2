// The page's whole state, kept in the URL's query string so that a view can be shared.

export type TargetMode = 'indices' | 'probabilities';
export type RegressionLoss = 'l1' | 'mse' | 'smoothL1' | 'huber';

export interface State {
  beta: number;
  delta: number;
  error: number;
  show: RegressionLoss[];
  logits: number[][];
  mode: TargetMode;
  indices: number[];
  probabilities: number[][];
  smoothing: number;
  weights: number[];
  ignoreIndex: number;
  large: boolean;
  posWeight: number;
  alpha: number;
  gamma: number;
}

export const DEFAULTS: State = {
  beta: 1,
  delta: 1,
  error: 0.5,
  show: ['l1', 'mse', 'smoothL1', 'huber'],
  // The tutorial's logits and class-index targets.
  logits: [
    [0.121, 0.434, 0.2, 0.3343],
    [0.3, 0.342, 0.6, 0.123],
    [5, 2, -1, 3],
  ],
  mode: 'indices',
  indices: [1, 0, 3],
  probabilities: [
    [0, 1, 0, 0],
    [1, 0, 0, 0],
    [0, 0, 0, 1],
  ],
  smoothing: 0,
  weights: [1, 1, 1, 1],
  ignoreIndex: -100,
  large: false,
  posWeight: 1,
  alpha: 0.25,
  gamma: 2,
};

const numbers = (s: string) => s.split(',').map(Number);
const matrix = (s: string) => s.split(';').map(numbers);
const finite = (xs: number[]) => xs.every(Number.isFinite);

/** Reads the state from a query string; anything missing or malformed keeps its default. */
export function decodeState(search: string): State {
  const q = new URLSearchParams(search);
  const state: State = structuredClone(DEFAULTS);
  const num = (key: string, apply: (v: number) => void) => {
    const v = q.get(key);
    if (v !== null && v !== '' && Number.isFinite(Number(v))) apply(Number(v));
  };
  num('beta', (v) => (state.beta = v));
  num('delta', (v) => (state.delta = v));
  num('e', (v) => (state.error = v));
  num('ls', (v) => (state.smoothing = v));
  num('ii', (v) => (state.ignoreIndex = v));
  num('pw', (v) => (state.posWeight = v));
  num('a', (v) => (state.alpha = v));
  num('g', (v) => (state.gamma = v));
  const show = q.get('show');
  if (show !== null) state.show = show.split(',').filter((s): s is RegressionLoss => ['l1', 'mse', 'smoothL1', 'huber'].includes(s));
  const logits = q.get('logits');
  if (logits) {
    const m = matrix(logits);
    if (m.length === 3 && m.every((r) => r.length === 4 && finite(r))) state.logits = m;
  }
  if (q.get('mode') === 'probabilities') state.mode = 'probabilities';
  const t = q.get('t');
  if (t) {
    const v = numbers(t);
    if (v.length === 3 && finite(v)) state.indices = v;
  }
  const p = q.get('p');
  if (p) {
    const m = matrix(p);
    if (m.length === 3 && m.every((r) => r.length === 4 && finite(r))) state.probabilities = m;
  }
  const w = q.get('w');
  if (w) {
    const v = numbers(w);
    if (v.length === 4 && finite(v)) state.weights = v;
  }
  state.large = q.get('large') === '1';
  return state;
}

/** The query string of a state (only what differs from the defaults). */
export function encodeState(state: State): string {
  const q = new URLSearchParams();
  const put = (key: string, value: string, fallback: string) => {
    if (value !== fallback) q.set(key, value);
  };
  const row = (r: number[]) => r.join(',');
  put('beta', String(state.beta), String(DEFAULTS.beta));
  put('delta', String(state.delta), String(DEFAULTS.delta));
  put('e', String(state.error), String(DEFAULTS.error));
  put('show', state.show.join(','), DEFAULTS.show.join(','));
  put('logits', state.logits.map(row).join(';'), DEFAULTS.logits.map(row).join(';'));
  put('mode', state.mode, DEFAULTS.mode);
  put('t', row(state.indices), row(DEFAULTS.indices));
  put('p', state.probabilities.map(row).join(';'), DEFAULTS.probabilities.map(row).join(';'));
  put('ls', String(state.smoothing), String(DEFAULTS.smoothing));
  put('w', row(state.weights), row(DEFAULTS.weights));
  put('ii', String(state.ignoreIndex), String(DEFAULTS.ignoreIndex));
  put('large', state.large ? '1' : '0', '0');
  put('pw', String(state.posWeight), String(DEFAULTS.posWeight));
  put('a', String(state.alpha), String(DEFAULTS.alpha));
  put('g', String(state.gamma), String(DEFAULTS.gamma));
  const s = q.toString();
  return s ? `?${s}` : '';
}
