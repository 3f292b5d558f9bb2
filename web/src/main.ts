// The playground: sections built once from the state (kept in the URL), each updating in place the
// parts that depend on what changed.
import './style.css';
import { Store } from './store.js';
import { binarySection } from './sections/binary.js';
import { crossEntropySection } from './sections/cross-entropy.js';
import { lossesSection } from './sections/losses.js';
import { regressionSection } from './sections/regression.js';
import { softmaxSection } from './sections/softmax.js';
import { trainSection } from './sections/train.js';

const store = new Store(location.search);
const main = document.getElementById('main')!;
// Each section is built on its own: one that fails to build shows its error, the others still work.
for (const build of [softmaxSection, crossEntropySection, binarySection, regressionSection, trainSection, lossesSection]) {
  try {
    main.append(build(store));
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'error';
    p.setAttribute('role', 'alert');
    p.textContent = `${build.name}: ${(e as Error).message}`;
    main.append(p);
    console.error(e);
  }
}
document.getElementById('reset-all')!.addEventListener('click', () => store.reset());
document.body.dataset.ready = 'true';
// For the tests and for a console: the store (state) of the page.
(window as unknown as { playground: Store }).playground = store;
