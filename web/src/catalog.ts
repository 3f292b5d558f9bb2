// The catalogue as the playground reads it: every loss, its options (type, default, range, doc),
// reductions, plot axis and reference. The views and their controls are built from this alone.
// INTERIM: until losskit's `catalog` (issue 13) is in main, a snapshot of its data (catalog-snapshot.json,
// written from the catalog branch's build) stands in for it; the functions come from losskit itself.
import * as losskit from 'losskit';
import snapshot from './catalog-snapshot.json';

export type NumberRange = { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean; also?: readonly number[] };
export type OptionSpec =
  | { type: 'number' | 'integer'; default: number; range?: NumberRange; values?: readonly number[]; doc: string }
  | { type: 'boolean'; default: boolean; doc: string }
  | { type: 'tensor'; default: number; shape: string; broadcast: boolean; doc: string }
  | { type: 'labels'; default: null; doc: string };
export type PlotAxis = 'error' | 'probability' | 'logit' | 'true-class-logit' | 'margin' | 'distance';
export interface LossEntry {
  name: string;
  kind: 'loss' | 'activation';
  fn: ((...args: unknown[]) => unknown) & { withGrad?: (...args: unknown[]) => { loss: losskit.Tensor; grad: losskit.Tensor | null; grads: (losskit.Tensor | null)[] } };
  reference: { library: string; function: string };
  args: readonly { name: string; shape: string; differentiable: boolean; classIndices: boolean; optional: boolean }[];
  options: Readonly<Record<string, OptionSpec>>;
  reductions: readonly string[];
  withGrad: boolean;
  plot: { x: PlotAxis; range: readonly [number, number]; targets?: readonly number[]; options?: readonly string[] } | null;
  cliName: string;
}

const exports = losskit as unknown as Record<string, LossEntry['fn']>;

/** The catalogue's losses, in its order. */
export function catalogLosses(): LossEntry[] {
  return Object.values(snapshot as unknown as Record<string, Omit<LossEntry, 'fn'>>)
    .filter((e) => e.kind === 'loss')
    .map((e) => ({ ...e, fn: exports[e.name] }) as LossEntry);
}
