// Formulas rendered by KaTeX in the page (offline: its fonts are bundled by Vite).
import katex from 'katex';
import 'katex/dist/katex.min.css';

export function formula(tex: string, display = true): HTMLElement {
  const node = document.createElement(display ? 'div' : 'span');
  node.className = 'formula';
  katex.render(tex, node, { displayMode: display, throwOnError: true, output: 'htmlAndMathml' });
  // A formula wider than a phone scrolls sideways: then it takes keyboard focus, so it can be scrolled without a mouse.
  // Checked when its box changes and once KaTeX's fonts have loaded (they widen it without resizing the box).
  const check = () => {
    if (node.scrollWidth > node.clientWidth + 1) node.setAttribute('tabindex', '0');
    else node.removeAttribute('tabindex');
  };
  new ResizeObserver(check).observe(node);
  void document.fonts.ready.then(check);
  return node;
}
