/** The losses `losskit plot` draws (kept apart from plot.ts so that `--help` does not load Vega). */
export const PLOT_NAMES = [
  'l1',
  'mse',
  'smooth-l1',
  'huber',
  'bce',
  'bce-with-logits',
  'sigmoid-focal',
  'soft-margin',
  'hinge-embedding',
  'cross-entropy',
] as const;
