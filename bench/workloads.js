// The benchmark's workloads: every loss and activation of losskit, in each layout it accepts, float32
// and float64, forward and forward + gradient of argument 0 (`argnums: [0]`).
//
// `benchmarkedFunctions()` is the one list of what is benchmarked: every entry of losskit's
// catalogue with a gradient (the losses and the activations). A recipe below says how to make its
// arguments (value domains and shapes, per layout); a function without one is reported, not skipped
// silently. The PyTorch function each is compared with is its catalogued reference.
import * as L from 'losskit';
import { mulberry32 } from '../scripts/random.mjs';

/** Base sizes: 4M elements (2^22) for elementwise work, [4096, 1000] for rows of classes. */
const N = 4096;
const C = 1000;
const D = 1024;

// Value domains: each returns the value of element i from a uniform u in [0, 1) (and the row's
// length where it matters).
const DOMAINS = {
  real: (u) => u * 6 - 3,
  wide: (u) => u * 20 - 10,
  prob: (u) => 0.02 + 0.96 * u,
  logProb: (u) => Math.log(0.02 + 0.96 * u),
  positive: (u) => 0.1 + 2 * u,
  counts: (u) => Math.floor(u * 6),
  binary: (u) => (u < 0.5 ? 0 : 1),
  pm1: (u) => (u < 0.5 ? -1 : 1),
};

const real = (shape) => ({ domain: 'real', shape });
const of = (domain, shape) => ({ domain, shape });
/** Class indices in [0, classes). */
const indices = (shape, classes) => ({ domain: 'indices', classes, shape, dtype: 'int32' });

/**
 * Recipes: per function, its layouts. A layout has a name, its arguments (shapes at scale 1: the
 * first dimension is the batch, scaled by --scale), options and tensor options. A `fixed` layout
 * keeps its sizes at every scale; `smoke` arguments replace a layout's in a smoke run, where
 * scaling its batch alone leaves it large (or, for ntxentLoss, without a positive pair).
 */
const RECIPES = {
  crossEntropy: [
    { layout: 'class indices', args: [real([N, C]), indices([N], C)] },
    { layout: 'K-dim (segmentation map)', args: [real([4, 21, 128, 128]), indices([4, 128, 128], 21)], smoke: [real([1, 21, 8, 8]), indices([1, 8, 8], 21)] },
    { layout: 'probability targets', args: [real([N, C]), of('probRows', [N, C])] },
    { layout: 'class weights', args: [real([N, C]), indices([N], C)], tensorOptions: { weight: of('positive', [C]) } },
    { layout: 'unbatched', args: [real([100000]), indices([], 100000)], fixed: true },
  ],
  nllLoss: [
    { layout: 'plain', args: [of('logProb', [N, C]), indices([N], C)] },
    { layout: 'K-dim', args: [of('logProb', [4, 21, 128, 128]), indices([4, 128, 128], 21)], smoke: [of('logProb', [1, 21, 8, 8]), indices([1, 8, 8], 21)] },
  ],
  binaryCrossEntropy: [{ layout: 'plain', args: [of('prob', [N, D]), of('prob', [N, D])] }],
  binaryCrossEntropyWithLogits: [
    { layout: 'plain', args: [real([N, D]), of('prob', [N, D])] },
    { layout: 'broadcast posWeight', args: [real([N, D]), of('prob', [N, D])], tensorOptions: { posWeight: of('positive', [D]) } },
  ],
  l1Loss: [{ layout: 'plain', args: [real([N, D]), real([N, D])] }],
  mseLoss: [{ layout: 'plain', args: [real([N, D]), real([N, D])] }],
  smoothL1Loss: [{ layout: 'plain', args: [real([N, D]), real([N, D])] }],
  huberLoss: [{ layout: 'plain', args: [real([N, D]), real([N, D])] }],
  klDiv: [{ layout: 'plain', args: [of('logProb', [N, D]), of('prob', [N, D])] }],
  poissonNllLoss: [{ layout: 'plain', args: [real([N, D]), of('counts', [N, D])] }],
  gaussianNllLoss: [{ layout: 'plain', args: [real([N, D]), real([N, D]), of('positive', [N, D])] }],
  marginRankingLoss: [{ layout: 'plain', args: [real([N * D]), real([N * D]), of('pm1', [N * D])] }],
  hingeEmbeddingLoss: [{ layout: 'plain', args: [of('wide', [N, D]), of('pm1', [N, D])] }],
  softMarginLoss: [{ layout: 'plain', args: [real([N, D]), of('pm1', [N, D])] }],
  multilabelSoftMarginLoss: [{ layout: 'plain', args: [real([N, D]), of('binary', [N, D])] }],
  multiMarginLoss: [{ layout: 'plain', args: [real([N, C]), indices([N], C)] }],
  multilabelMarginLoss: [{ layout: '5 labels a row', args: [real([N, C]), of('labelLists', [N, C])] }],
  cosineEmbeddingLoss: [{ layout: 'plain', args: [real([N, D]), real([N, D]), of('pm1', [N])] }],
  tripletMarginLoss: [{ layout: 'plain', args: [real([N, D]), real([N, D]), real([N, D])] }],
  sigmoidFocalLoss: [{ layout: 'plain', args: [real([N, D]), of('binary', [N, D])] }],
  ctcLoss: [
    {
      layout: 'T=200 N=32 C=30 S=50',
      // logProbs [T, N, C] (log-softmax rows), targets [N, S] in 1..C−1, lengths: T, and S − (n mod 10)
      args: [of('logSoftmaxRows', [200, 32, 30]), { domain: 'labels', classes: 30, shape: [32, 50], dtype: 'int32' }, { domain: 'constant', value: 200, shape: [32], dtype: 'int32' }, { domain: 'targetLengths', S: 50, shape: [32], dtype: 'int32' }],
      fixed: true,
    },
  ],
  // Issue 16 (branch losses-torch). Boxes of any real coordinates (torchvision checks none).
  generalizedBoxIouLoss: [{ layout: 'plain', args: [real([N * 256, 4]), real([N * 256, 4])] }],
  distanceBoxIouLoss: [{ layout: 'plain', args: [real([N * 256, 4]), real([N * 256, 4])] }],
  completeBoxIouLoss: [{ layout: 'plain', args: [real([N * 256, 4]), real([N * 256, 4])] }],
  tripletMarginWithDistanceLoss: [
    { layout: 'pairwise', args: [real([N, D]), real([N, D]), real([N, D])] },
    { layout: 'cosine', args: [real([N, D]), real([N, D]), real([N, D])], options: { distance: 'cosine' } },
  ],
  // The weight [V, H] is a parameter, not a batch: a fixed size (bench/linear-cross-entropy/ has the
  // large ones); a smoke run takes its tiny `smoke` arguments instead.
  linearCrossEntropy: [
    {
      layout: '[512, 1024] x 8192',
      args: [real([512, D]), of('positive', [8192, D]), indices([512], 8192)],
      smoke: [real([4, 16]), of('positive', [32, 16]), indices([4], 32)],
      fixed: true,
    },
  ],
  softmax: [
    { layout: 'last dim', args: [real([N, C])] },
    { layout: 'dim 0', args: [real([N, C])], options: { dim: 0 } },
  ],
  logSoftmax: [{ layout: 'last dim', args: [real([N, C])] }],
  logSumExp: [{ layout: 'last dim', args: [real([N, C])] }],
  // Issue 16's Keras and optax losses (no PyTorch function: compared with TF.js, jax-js and plain JavaScript).
  categoricalFocalCrossEntropy: [
    { layout: 'probabilities', args: [of('probRows', [N, C]), of('oneHotRows', [N, C])] },
    { layout: 'from logits', args: [real([N, C]), of('oneHotRows', [N, C])], options: { fromLogits: true } },
  ],
  categoricalHingeLoss: [{ layout: 'one-hot targets', args: [real([N, C]), of('oneHotRows', [N, C])] }],
  cosineSimilarityLoss: [{ layout: 'last axis', args: [real([N, D]), real([N, D])] }],
  diceLoss: [
    { layout: 'whole tensor', args: [of('prob', [N, D]), of('binary', [N, D])] },
    { layout: 'per row (axis 1)', args: [of('prob', [N, D]), of('binary', [N, D])], options: { axis: 1 } },
  ],
  logCoshLoss: [{ layout: 'plain', args: [real([N, D]), real([N, D])] }],
  // O(N² D): a batch of 1024 embeddings of 128, two views of each item (labels 0, 0, 1, 1, ...).
  ntxentLoss: [
    {
      layout: 'pairs',
      args: [real([1024, 128]), { domain: 'pairs', shape: [1024], dtype: 'int32' }],
      smoke: [real([4, 128]), { domain: 'pairs', shape: [4], dtype: 'int32' }],
    },
  ],
  polyLossCrossEntropy: [{ layout: 'probability targets', args: [real([N, C]), of('probRows', [N, C])] }],
  sparsemaxLoss: [{ layout: 'plain', args: [real([N, D]), of('binary', [N, D])] }],
  squaredHingeLoss: [{ layout: '±1 targets', args: [real([N, D]), of('pm1', [N, D])] }],
  tverskyLoss: [{ layout: 'whole tensor', args: [of('prob', [N, D]), of('binary', [N, D])] }],
  sigmoid: [{ layout: 'plain', args: [of('wide', [N, D])] }],
  logSigmoid: [{ layout: 'plain', args: [of('wide', [N, D])] }],
  softplus: [{ layout: 'plain', args: [of('wide', [N, D])] }],
};

/**
 * What is benchmarked: every catalogue entry (`catalog`, issue 13) with a gradient, losses and
 * activations, by name; and what is not, with the reason. A new loss is picked up here and needs a
 * recipe above (until it has one, the report lists it as not benchmarked).
 */
export function benchmarkedFunctions() {
  const entries = Object.values(L.catalog);
  return {
    names: entries.filter((e) => e.withGrad).map((e) => e.name).sort(),
    notDifferentiable: entries.filter((e) => !e.withGrad).map((e) => `${e.name} (no gradient; ${e.reference.library}'s ${e.reference.function})`),
  };
}

/** A family per kind of catalogued items (`items`): what the sweeps and tables group by. */
const FAMILIES = { elements: 'elementwise', rows: 'rows', classes: 'rows', groups: 'rows', sequences: 'sequence' };

/** The family a function's sweep and table belong to: activations, losses over rows (of classes, features or groups), CTC, elementwise losses. */
export function familyOf(fn) {
  const entry = L.catalog[fn];
  if (entry.kind === 'activation') return 'activations';
  const family = FAMILIES[entry.items];
  if (!family) throw new Error(`bench: ${fn}'s items '${entry.items}' have no family (valid: ${Object.keys(FAMILIES).join(', ')})`);
  return family;
}

/**
 * The options as the call states them, for every implementation alike: an activation's catalogued
 * `dim` default written out (PyTorch's softmax wants one); a loss's reduction, losskit's default
 * `'mean'`, written out (torchvision's box IoU and focal losses default to `'none'`, whose result
 * is no scalar to differentiate).
 */
function callOptions(fn, options) {
  const entry = L.catalog[fn];
  const dim = entry.options.dim;
  if (entry.kind === 'activation') return dim && !('dim' in options) ? { dim: dim.default, ...options } : options;
  return entry.reductions.includes('mean') && !('reduction' in options) ? { reduction: 'mean', ...options } : options;
}

const scaleShape = (shape, scale, fixed) => (fixed || shape.length === 0 ? shape : [Math.max(1, Math.round(shape[0] * scale)), ...shape.slice(1)]);

/**
 * The workloads: each recipe layout × dtype × (forward, forward + gradient). `scale` multiplies the
 * batch dimension (1: the sizes of issue 14's table); `smoke`: a smoke run's sizes. Returns { workloads, missing } where
 * `missing` lists the functions without a recipe.
 */
export function workloads({ scale = 1, dtypes = ['float32', 'float64'], only = null, smoke = false } = {}) {
  const list = [];
  const { names, notDifferentiable } = benchmarkedFunctions();
  const missing = [...notDifferentiable];
  for (const fn of names) {
    const recipes = RECIPES[fn];
    if (!recipes) {
      missing.push(`${fn} (no recipe in bench/workloads.js)`);
      continue;
    }
    for (const r of recipes) {
      const args = smoke && r.smoke ? r.smoke : r.args.map((a) => ({ ...a, shape: scaleShape(a.shape, scale, r.fixed) }));
      // Tensor options are per class or per column: not scaled.
      const tensorOptions = r.tensorOptions ?? {};
      const elements = args[0].shape.reduce((a, b) => a * b, 1);
      for (const dtype of dtypes) {
        for (const grad of [false, true]) {
          const id = `${fn} ${r.layout} [${args[0].shape.join(', ')}] ${dtype} ${grad ? 'fwd+grad' : 'fwd'}`;
          if (only && !only.some((o) => id.includes(o))) continue;
          list.push({ id, fn, reference: L.catalog[fn].reference.function, library: L.catalog[fn].reference.library, family: familyOf(fn), layout: r.layout, dtype, grad, args, options: callOptions(fn, r.options ?? {}), tensorOptions, elements, activation: L.catalog[fn].kind === 'activation' });
        }
      }
    }
  }
  return { workloads: list, missing };
}

/**
 * The size sweep of one representative per family, forward + gradient, float32: `elements` of
 * the first argument from 1e3 up.
 */
export function sweepWorkloads(sizes) {
  const reps = [
    { fn: 'crossEntropy', family: 'rows', make: (n) => [real([Math.max(1, n / C), C]), indices([Math.max(1, n / C)], C)] },
    { fn: 'binaryCrossEntropyWithLogits', family: 'elementwise', make: (n) => [real([n]), of('prob', [n])] },
    { fn: 'klDiv', family: 'elementwise', make: (n) => [of('logProb', [n]), of('prob', [n])] },
    { fn: 'softmax', family: 'activations', make: (n) => [real([Math.max(1, n / C), C])] },
  ];
  // Size after size, every family at each: a library that fails at the largest size (TF.js's wasm
  // backend aborts at 1e8 and is unusable afterwards) fails there only.
  return sizes.flatMap((n) =>
    reps.map((r) => {
      const args = r.make(n);
      return { id: `sweep ${r.fn} ${n}`, sweep: true, fn: r.fn, reference: L.catalog[r.fn].reference.function, family: r.family, layout: r.fn === 'crossEntropy' ? `class indices, ${n} elements` : `${n} elements`, dtype: 'float32', grad: true, args, options: callOptions(r.fn, {}), tensorOptions: {}, elements: args[0].shape.reduce((a, b) => a * b, 1), activation: L.catalog[r.fn].kind === 'activation' };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Data: deterministic (a seeded generator per argument: scripts/random.mjs), the same bytes for every
// implementation.

/** One argument's values as a typed array of the workload's dtype (int32 for indices). */
export function makeArray(spec, dtype, seed) {
  const u = mulberry32(seed);
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const Float = dtype === 'float64' ? Float64Array : Float32Array;
  const last = spec.shape[spec.shape.length - 1] ?? 1;
  switch (spec.domain) {
    case 'indices':
    case 'labels':
      return Int32Array.from({ length: size }, () => (spec.domain === 'labels' ? 1 : 0) + Math.floor(u() * (spec.classes - (spec.domain === 'labels' ? 1 : 0))));
    case 'pairs':
      return Int32Array.from({ length: size }, (_, i) => i >> 1);
    case 'constant':
      return new Int32Array(size).fill(spec.value);
    case 'targetLengths':
      return Int32Array.from({ length: size }, (_, n) => spec.S - (n % 10));
    case 'labelLists': {
      // multilabel margin targets: 5 distinct class indices a row, then −1
      const out = new Int32Array(size).fill(-1);
      for (let r = 0; r < size / last; r++) for (let k = 0; k < 5; k++) out[r * last + k] = Math.floor(u() * last);
      return out;
    }
    case 'oneHotRows': {
      const out = new Float(size);
      for (let r = 0; r < size / last; r++) out[r * last + Math.floor(u() * last)] = 1;
      return out;
    }
    case 'probRows':
    case 'logSoftmaxRows': {
      const out = new Float(size);
      for (let r = 0; r < size / last; r++) {
        let s = 0;
        for (let k = 0; k < last; k++) s += out[r * last + k] = spec.domain === 'probRows' ? u() : Math.exp(u() * 4 - 2);
        for (let k = 0; k < last; k++) out[r * last + k] = spec.domain === 'probRows' ? out[r * last + k] / s : Math.log(out[r * last + k] / s);
      }
      return out;
    }
    default: {
      const f = DOMAINS[spec.domain];
      if (!f) throw new Error(`bench: unknown domain ${spec.domain}`);
      const out = new Float(size);
      for (let i = 0; i < size; i++) out[i] = f(u());
      return out;
    }
  }
}

/** The workload's data: arguments, tensor options, and (activations) the upstream gradient. */
export function makeData(w) {
  let seed = 1;
  const args = w.args.map((a) => makeArray(a, w.dtype, seed++));
  const tensorOptions = Object.fromEntries(Object.entries(w.tensorOptions).map(([k, a]) => [k, makeArray(a, w.dtype, seed++)]));
  let gradOutput = null;
  if (w.activation && w.grad) {
    const shape = resultShape(w);
    gradOutput = { shape, data: makeArray({ domain: 'real', shape }, w.dtype, seed++) };
  }
  return { args, tensorOptions, gradOutput };
}

/** The shape of an activation's result (logSumExp reduces its dim). */
export function resultShape(w) {
  const shape = w.args[0].shape;
  if (w.fn !== 'logSumExp') return shape;
  const dim = (w.options.dim ?? -1) < 0 ? shape.length + (w.options.dim ?? -1) : w.options.dim;
  return shape.filter((_, i) => i !== dim);
}
