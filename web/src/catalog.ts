// The catalogue as the playground reads it: every loss, its options (type, default, range, doc),
// reductions, plot axis and reference, from losskit's `catalog`. The views and their controls are
// built from this alone: a loss added to the catalogue gets its view without an edit here.
import { catalog, type CatalogEntry, type Tensor } from 'losskit';

export type { OptionSpec, PlotAxis } from 'losskit';

/** A catalogue entry with its function callable as the views call it (any tensor arguments, then options). */
export type LossEntry = Omit<CatalogEntry, 'fn'> & {
  fn: ((...args: unknown[]) => unknown) & { withGrad?: (...args: unknown[]) => { loss: Tensor; grad: Tensor | null; grads: (Tensor | null)[] } };
};

/** The catalogue's losses, in its order. */
export function catalogLosses(): LossEntry[] {
  return Object.values(catalog).filter((e) => e.kind === 'loss') as unknown as LossEntry[];
}

/** One loss's entry, by its catalogue name. */
export function lossEntry(name: string): LossEntry {
  const entry = catalogLosses().find((e) => e.name === name);
  if (!entry) throw new Error(`playground: the catalogue has no loss '${name}'`);
  return entry;
}
