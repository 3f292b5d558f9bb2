// The playground: state in the URL, four panels re-rendered from it on every change.
import { renderBinary } from './panels/binary.js';
import { renderClassification } from './panels/classification.js';
import { renderCode } from './panels/code.js';
import { renderRegression } from './panels/regression.js';
import { decodeState, encodeState, type State } from './state.js';

let state: State = decodeState(location.search);

function section(id: string): HTMLElement {
  return document.getElementById(id)!;
}

function render(): void {
  // Keep keyboard focus on the control being used across re-renders.
  const focused = document.activeElement?.id;
  renderRegression(section('regression'), state, update);
  renderClassification(section('classification'), state, update);
  renderBinary(section('binary'), state, update);
  renderCode(section('code'), state);
  if (focused) document.getElementById(focused)?.focus();
  document.body.dataset.ready = 'true';
}

function update(change: Partial<State>): void {
  state = { ...state, ...change };
  history.replaceState(null, '', `${location.pathname}${encodeState(state)}`);
  render();
}

render();
