// The implementations the benchmark compares. Each is `make(w, data)`: a function that runs the
// workload once (from and to plain typed arrays: other libraries' tensor creation and read-back are
// included), or a string saying why it has none. `data` is makeData(w) (bench/workloads.js).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as L from 'losskit';
import { resultShape } from './workloads.js';

// jax-js 0.1.25 tests `instanceof Float16Array`, which Node 20 does not have: an empty class
// (nothing is one) lets it run there.
globalThis.Float16Array ??= class Float16Array {};
const jax = await import('@jax-js/jax');

const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);
const argShape = (w, k) => w.args[k].shape;

// ---------------------------------------------------------------------------------------------
// losskit

/**
 * losskit as a user calls it: `new Tensor(data, shape)` (no copy), the loss, or `withGrad` with
 * `argnums: [0]` (activations: `gradOutput`). `reuse`: the gradient goes into one caller-owned
 * array (`gradInto`), as a training loop would.
 */
export const losskit = (reuse) => (w, d) => {
  const f = L[w.fn];
  const args = d.args.map((a, k) => new L.Tensor(a, argShape(w, k)));
  const options = { ...w.options };
  for (const [k, v] of Object.entries(d.tensorOptions)) options[k] = new L.Tensor(v, w.tensorOptions[k].shape);
  if (!w.grad) return reuse ? 'the forward pass has no gradient' : () => f(...args, options).data;
  if (w.activation) options.gradOutput = new L.Tensor(d.gradOutput.data, d.gradOutput.shape);
  else options.argnums = [0];
  if (reuse) options.gradInto = w.dtype === 'float64' ? new Float64Array(d.args[0].length) : new Float32Array(d.args[0].length);
  return () => f.withGrad(...args, options).grad.data;
};

// ---------------------------------------------------------------------------------------------
// Plain JavaScript: the scalar loops one writes by hand (Math.exp, Math.log), for the common ones.

const POINTWISE = {
  mseLoss: (a, b) => [(a - b) * (a - b), 2 * (a - b)],
  l1Loss: (a, b) => [Math.abs(a - b), Math.sign(a - b)],
  binaryCrossEntropyWithLogits: (a, b) => [Math.max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a))), 1 / (1 + Math.exp(-a)) - b],
  klDiv: (a, b) => [b * (Math.log(b) - a), -b],
  softMarginLoss: (a, b) => [Math.log1p(Math.exp(-a * b)), -b / (1 + Math.exp(a * b))],
  // Keras's row means over equal rows: the mean over every element.
  logCoshLoss: (a, b) => [Math.log(Math.cosh(a - b)), Math.tanh(a - b)],
  squaredHingeLoss: (a, b) => {
    const m = Math.max(1 - a * b, 0);
    return [m * m, -2 * m * b];
  },
  sparsemaxLoss: (a, b) => {
    const z = b === 1 ? -a : a;
    return [z <= -1 ? 0 : z < 1 ? (z + 1) ** 2 / 4 : z, (b === 1 ? -1 : 1) * Math.min(Math.max((z + 1) / 2, 0), 1)];
  },
};

export function plain(w, d) {
  const Float = w.dtype === 'float64' ? Float64Array : Float32Array;
  if (w.fn === 'crossEntropy' && w.layout.startsWith('class indices')) {
    const [n, c] = argShape(w, 0);
    const [x, t] = d.args;
    return () => {
      const grad = w.grad ? new Float(n * c) : null;
      let total = 0;
      for (let r = 0; r < n; r++) {
        const o = r * c;
        let m = -Infinity;
        for (let k = 0; k < c; k++) if (x[o + k] > m) m = x[o + k];
        let s = 0;
        for (let k = 0; k < c; k++) s += Math.exp(x[o + k] - m);
        total += Math.log(s) + m - x[o + t[r]];
        if (grad) {
          for (let k = 0; k < c; k++) grad[o + k] = Math.exp(x[o + k] - m) / s / n;
          grad[o + t[r]] -= 1 / n;
        }
      }
      return grad ?? total / n;
    };
  }
  if (w.fn === 'softmax' && w.options.dim === undefined) {
    const [n, c] = argShape(w, 0);
    const [x] = d.args;
    const g = d.gradOutput?.data;
    return () => {
      const y = new Float(n * c);
      const grad = g ? new Float(n * c) : null;
      for (let r = 0; r < n; r++) {
        const o = r * c;
        let m = -Infinity;
        for (let k = 0; k < c; k++) if (x[o + k] > m) m = x[o + k];
        let s = 0;
        for (let k = 0; k < c; k++) s += y[o + k] = Math.exp(x[o + k] - m);
        let dot = 0;
        for (let k = 0; k < c; k++) dot += g ? g[o + k] * (y[o + k] /= s) : ((y[o + k] /= s), 0);
        if (grad) for (let k = 0; k < c; k++) grad[o + k] = y[o + k] * (g[o + k] - dot);
      }
      return grad ?? y;
    };
  }
  const point = POINTWISE[w.fn];
  if (!point || Object.keys(d.tensorOptions).length) return 'not written by hand here';
  const [x, y] = d.args;
  const n = x.length;
  return () => {
    const grad = w.grad ? new Float(n) : null;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const [l, g] = point(x[i], y[i]);
      total += l;
      if (grad) grad[i] = g / n;
    }
    return grad ?? total / n;
  };
}

// ---------------------------------------------------------------------------------------------
// TF.js: each loss as the composition of ops one writes in TF.js (its tf.losses where they exist),
// the loss and gradient by tf.valueAndGrad. float32 only (TF.js has no float64).

const T = tf;
/** Class dimension moved last and flattened: [M, C] (the unbatched [C] is one row). */
const rows = (x, classDim) => {
  if (x.rank === 1) return x.reshape([1, -1]);
  if (x.rank === 2) return x;
  const perm = [...Array(x.rank).keys()].filter((k) => k !== classDim).concat([classDim]);
  return x.transpose(perm).reshape([-1, x.shape[classDim]]);
};
const mean = (v) => v.mean();

/** TF.js expressions: (args, options, tensorOptions) => loss (scalar) or activation result. */
const TFJS = {
  crossEntropy: ([x, t], o, { weight }) => {
    const C = x.rank === 1 ? x.shape[0] : x.shape[1];
    const logp = T.logSoftmax(rows(x, 1));
    const y = t.dtype === 'int32' ? T.oneHot(t.reshape([-1]), C).toFloat() : rows(t, 1);
    const per = y.mul(logp).sum(1).neg();
    if (!weight) return mean(per);
    const wi = y.mul(weight).sum(1);
    return per.mul(wi).sum().div(wi.sum());
  },
  nllLoss: ([x, t]) => {
    const C = x.shape[1];
    return T.oneHot(t.reshape([-1]), C).toFloat().mul(rows(x, 1)).sum(1).neg().mean();
  },
  binaryCrossEntropy: ([x, y]) => T.losses.logLoss(y, x, undefined, 0),
  binaryCrossEntropyWithLogits: ([x, y], o, { posWeight }) => {
    if (!posWeight) return T.losses.sigmoidCrossEntropy(y, x);
    // (1 − y) x + (1 + (pw − 1) y) (log1p(e^−|x|) + max(−x, 0)), PyTorch's form
    const l = T.log1p(T.exp(x.abs().neg())).add(T.relu(x.neg()));
    return mean(T.sub(1, y).mul(x).add(posWeight.sub(1).mul(y).add(1).mul(l)));
  },
  l1Loss: ([x, y]) => T.losses.absoluteDifference(y, x),
  mseLoss: ([x, y]) => T.losses.meanSquaredError(y, x),
  huberLoss: ([x, y]) => T.losses.huberLoss(y, x, undefined, 1),
  smoothL1Loss: ([x, y]) => T.losses.huberLoss(y, x, undefined, 1), // beta = delta = 1: the same function
  klDiv: ([x, y]) => mean(y.mul(y.log().sub(x))),
  poissonNllLoss: ([x, y]) => mean(x.exp().sub(y.mul(x))),
  gaussianNllLoss: ([x, y, v]) => {
    const vc = v.maximum(1e-6);
    return mean(vc.log().add(x.sub(y).square().div(vc)).mul(0.5));
  },
  marginRankingLoss: ([a, b, y]) => mean(T.relu(y.neg().mul(a.sub(b)))),
  hingeEmbeddingLoss: ([x, y]) => mean(T.where(y.equal(1), x, T.relu(T.sub(1, x)))),
  softMarginLoss: ([x, y]) => mean(T.softplus(y.neg().mul(x))),
  // log σ(x) as −softplus(−x): tf.logSigmoid's gradient fails under tf.grad in a tidy (TF.js 4.22)
  multilabelSoftMarginLoss: ([x, y]) => mean(y.mul(T.softplus(x.neg())).add(T.sub(1, y).mul(T.softplus(x))).mean(1)),
  multiMarginLoss: ([x, t]) => {
    const C = x.shape[1];
    const onehot = T.oneHot(t, C).toFloat();
    const xy = onehot.mul(x).sum(1, true);
    return mean(T.relu(T.sub(1, xy).add(x)).mul(T.sub(1, onehot)).sum(1).div(C));
  },
  cosineEmbeddingLoss: ([a, b, y]) => {
    const cos = a.mul(b).sum(1).div(a.square().sum(1).mul(b.square().sum(1)).add(1e-12).sqrt());
    return mean(T.where(y.equal(1), T.sub(1, cos), T.relu(cos)));
  },
  tripletMarginLoss: ([a, p, n]) => {
    const dist = (u, v) => u.sub(v).add(1e-6).square().sum(1).sqrt();
    return mean(T.relu(dist(a, p).sub(dist(a, n)).add(1)));
  },
  sigmoidFocalLoss: ([x, y]) => {
    const p = T.sigmoid(x);
    const ce = T.relu(x).sub(x.mul(y)).add(T.log1p(T.exp(x.abs().neg())));
    const pt = p.mul(y).add(T.sub(1, p).mul(T.sub(1, y)));
    return mean(ce.mul(T.sub(1, pt).square()).mul(y.mul(0.25).add(T.sub(1, y).mul(0.75))));
  },
  // Keras and optax losses (as their definitions in src/losses/ state them), over the last axis.
  categoricalFocalCrossEntropy: ([x, y], o) => {
    const q = o.fromLogits ? T.softmax(x) : x;
    const p = q.div(q.sum(-1, true)).clipByValue(1e-7, 1 - 1e-7);
    return mean(T.sub(1, p).square().mul(y.mul(p.log()).neg()).mul(0.25).sum(-1));
  },
  categoricalHingeLoss: ([x, y]) => mean(T.relu(T.sub(1, y).mul(x).max(-1).sub(y.mul(x).sum(-1)).add(1))),
  cosineSimilarityLoss: ([x, y]) => {
    const unit = (v) => v.div(v.square().sum(-1, true).sqrt());
    return mean(unit(x).mul(unit(y)).sum(-1).neg());
  },
  diceLoss: ([p, y], o) => {
    const axis = o.axis ?? undefined;
    return mean(T.sub(1, y.mul(p).sum(axis).mul(2).div(y.sum(axis).add(p.sum(axis)).add(1e-7))));
  },
  logCoshLoss: ([x, y]) => mean(x.sub(y).cosh().log()),
  ntxentLoss: ([e, labels]) => {
    const n = e.shape[0];
    const u = e.div(e.square().sum(1, true).maximum(2 ** -23).sqrt());
    const s = u.matMul(u.transpose()).div(0.07);
    const same = labels.reshape([n, 1]).equal(labels.reshape([1, n]));
    const positive = same.logicalAnd(T.eye(n).equal(0));
    const m = T.logSumExp(T.where(same, T.fill([n, n], -1e9), s), 1, true);
    return T.where(positive, T.softplus(m.sub(s)), T.zeros([n, n])).sum().div(positive.sum());
  },
  polyLossCrossEntropy: ([x, y]) => mean(y.mul(T.logSoftmax(x)).sum(-1).neg().add(y.mul(T.sub(1, T.softmax(x))).sum(-1).mul(2))),
  // sparse_plus(z) = (clip(z, −1, 1) + 1)² / 4 + relu(z − 1), z = ∓x (TF.js has no gradient for comparisons)
  sparsemaxLoss: ([x, y]) => {
    const z = x.mul(T.sub(1, y.mul(2)));
    return mean(z.clipByValue(-1, 1).add(1).square().div(4).add(T.relu(z.sub(1))));
  },
  squaredHingeLoss: ([x, y]) => mean(T.relu(T.sub(1, y.mul(x))).square()),
  tverskyLoss: ([p, y]) => {
    const i = y.mul(p).sum();
    return T.sub(1, i.div(i.add(y.mul(T.sub(1, p)).sum().mul(0.5)).add(p.mul(T.sub(1, y)).sum().mul(0.5)).add(1e-7)));
  },
  softmax: ([x], o) => (o.dim === 0 ? T.softmax(x.transpose()).transpose() : T.softmax(x)),
  logSoftmax: ([x]) => T.logSoftmax(x),
  logSumExp: ([x]) => T.logSumExp(x, -1),
  sigmoid: ([x]) => T.sigmoid(x),
  logSigmoid: ([x]) => T.softplus(x.neg()).neg(),
  softplus: ([x]) => T.softplus(x),
};

export const tfjs = (backend) => (w, d) => {
  if (w.dtype !== 'float32') return 'no float64 in TF.js';
  const expr = TFJS[w.fn];
  if (!expr) return 'not expressible in TF.js ops here';
  const make = () => ({
    args: d.args.map((a, k) => tf.tensor(a, argShape(w, k), a instanceof Int32Array ? 'int32' : 'float32')),
    opts: Object.fromEntries(Object.entries(d.tensorOptions).map(([k, v]) => [k, tf.tensor(v, w.tensorOptions[k].shape)])),
  });
  const g = d.gradOutput ? d.gradOutput : null;
  const objective = (x, rest, opts, up) => {
    const out = expr([x, ...rest], w.options, opts);
    return up ? out.mul(up).sum() : out;
  };
  return async () => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    return tf.tidy(() => {
      const { args, opts } = make();
      if (!w.grad) return expr(args, w.options, opts).dataSync();
      const up = g ? tf.tensor(g.data, g.shape) : null;
      // The loss and its gradient, both read back (as losskit's withGrad and PyTorch's forward + backward give).
      const { value, grad } = tf.valueAndGrad((x) => objective(x, args.slice(1), opts, up))(args[0]);
      value.dataSync();
      return grad.dataSync();
    });
  };
};

// ---------------------------------------------------------------------------------------------
// jax-js (wasm backend): jit(valueAndGrad(f)) of the same compositions, where written. jax-js arrays are
// reference-counted: every function consumes its arguments, so an array used twice is `.ref`-ed.

const { numpy: np, nn } = jax;
const JAX = {
  crossEntropy: ([x, t], w) => nn.logSoftmax(x, -1).mul(nn.oneHot(t, argShape(w, 0)[1])).sum(-1).mean().mul(-1),
  mseLoss: ([x, y]) => np.square(x.sub(y)).mean(),
  l1Loss: ([x, y]) => np.abs(x.sub(y)).mean(),
  binaryCrossEntropyWithLogits: ([x, y]) => np.maximum(x.ref, 0).sub(x.ref.mul(y)).add(np.log1p(np.exp(np.abs(x).mul(-1)))).mean(),
  klDiv: ([x, y]) => y.ref.mul(np.log(y).sub(x)).mean(),
  poissonNllLoss: ([x, y]) => np.exp(x.ref).sub(y.mul(x)).mean(),
  softMarginLoss: ([x, y]) => nn.softplus(y.mul(x).mul(-1)).mean(),
  logCoshLoss: ([x, y]) => np.log(np.cosh(x.sub(y))).mean(),
  squaredHingeLoss: ([x, y]) => np.square(np.maximum(y.mul(x).mul(-1).add(1), 0)).mean(),
  sparsemaxLoss: ([x, y]) => nn.sparsePlus(x.mul(y.mul(-2).add(1))).mean(),
  cosineSimilarityLoss: ([x, y]) => {
    const unit = (v) => v.ref.div(np.sqrt(np.square(v).sum(-1, { keepdims: true })));
    return unit(x).mul(unit(y)).sum(-1).mean().mul(-1);
  },
  polyLossCrossEntropy: ([x, y]) => y.ref.mul(nn.logSoftmax(x.ref, -1)).sum(-1).mul(-1).add(y.mul(nn.softmax(x, -1).mul(-1).add(1)).sum(-1).mul(2)).mean(),
  softmax: ([x], w) => nn.softmax(x, w.options.dim ?? -1),
  logSoftmax: ([x]) => nn.logSoftmax(x, -1),
  logSumExp: ([x]) => nn.logsumexp(x, -1),
  sigmoid: ([x]) => nn.sigmoid(x),
  logSigmoid: ([x]) => nn.logSigmoid(x),
  softplus: ([x]) => nn.softplus(x),
};
/** The layouts written in jax-js: no tensor options (weights, pos weights); cross-entropy with class indices [N, C]. */
const jaxCovers = (w) => Object.keys(w.tensorOptions).length === 0 && (w.fn !== 'crossEntropy' || w.layout.startsWith('class indices'));

let jaxReady = null;
export const jaxjs = async (w, d) => {
  const expr = JAX[w.fn];
  if (!expr) return 'not written in jax-js here';
  if (!jaxCovers(w)) return 'layout not written in jax-js here';
  // jax-js 0.1.25: jit(grad(f)) and jit(valueAndGrad(f)) of this composition in float64 return a gradient ~10× off (its
  // un-jitted grad agrees with losskit's to 1e-10; float32 agrees jitted too).
  if (w.fn === 'polyLossCrossEntropy' && w.dtype === 'float64' && w.grad) return "jax-js 0.1.25's jitted float64 gradient of it is wrong";
  jaxReady ??= jax.init('wasm').then(() => jax.defaultDevice('wasm'));
  await jaxReady;
  const dtype = w.dtype === 'float64' ? np.float64 : np.float32;
  const up = d.gradOutput;
  // Inputs as one list (the upstream gradient last, for activations): [x, ...rest, u?].
  const objective = (x, rest) => (up ? expr([x, ...rest.slice(0, -1)], w).mul(rest[rest.length - 1]).sum() : expr([x, ...rest], w));
  // With the gradient: jit(valueAndGrad(f)), the loss and the gradient both read back. jit(grad(f))
  // alone lets jax-js drop the loss from the compiled graph where the gradient does not need it
  // (klDiv's −y/n takes no log): it timed less work than losskit's withGrad and PyTorch do.
  const run = jax.jit(w.grad ? (inputs) => jax.valueAndGrad((v) => objective(v, inputs.slice(1)))(inputs[0]) : (inputs) => expr(inputs, w));
  return () => {
    const inputs = d.args.map((a, k) => np.array(a, { dtype: a instanceof Int32Array ? np.int32 : dtype }).reshape(argShape(w, k)));
    if (up && w.grad) inputs.push(np.array(up.data, { dtype }).reshape(up.shape));
    if (!w.grad) return run(inputs).dataSync();
    const [value, grad] = run(inputs);
    value.dataSync();
    return grad.dataSync();
  };
};

// ---------------------------------------------------------------------------------------------
// ONNX Runtime: inference only (no autograd), so forward passes of what a small hand-written graph
// expresses: cross-entropy with class indices [N, C] (bench/onnx-model.js), float32; 1 thread.
// The native build (onnxruntime-node) runs in this thread; the wasm build (onnxruntime-web) in a
// worker thread of its own.

let nativeSession = null;
let webWorker = null;

/** The ONNX graph applies: cross-entropy with class indices [N, C], float32, forward. */
function onnxApplies(w) {
  if (w.grad) return 'inference only: no gradient';
  if (w.fn !== 'crossEntropy' || !w.layout.startsWith('class indices') || w.dtype !== 'float32') return 'no ONNX graph written for it here';
  return null;
}

export async function onnxNative(w, d) {
  const why = onnxApplies(w);
  if (why) return why;
  const ort = (await import('onnxruntime-node')).default;
  const { crossEntropyOnnx } = await import('./onnx-model.js');
  nativeSession ??= await ort.InferenceSession.create(crossEntropyOnnx(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const [x, t] = d.args;
  const [n, c] = argShape(w, 0);
  return async () => {
    const labels = new ort.Tensor('int64', BigInt64Array.from(t, (v) => BigInt(v)), [n]);
    return (await nativeSession.run({ logits: new ort.Tensor('float32', x, [n, c]), labels })).loss.data[0];
  };
}

/** ONNX Runtime Web in its worker (bench/ort-web-worker.js): self-timed batches of calls, as PyTorch's. */
export async function onnxWeb(w, d) {
  const why = onnxApplies(w);
  if (why) return why;
  if (!webWorker) {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(new URL('./ort-web-worker.js', import.meta.url));
    worker.unref();
    let pending = null;
    worker.on('message', (m) => pending?.(m));
    worker.on('error', (e) => pending?.({ error: String(e.message ?? e) }));
    const ask = (message) =>
      new Promise((resolve, reject) => {
        pending = (m) => (m.error ? reject(new Error(m.error)) : resolve(m));
        worker.postMessage(message);
      });
    webWorker = { ask };
  }
  const [x, t] = d.args;
  const [n, c] = argShape(w, 0);
  await webWorker.ask({ prepare: { x, t, n, c } });
  const run = (calls) => webWorker.ask({ run: calls });
  run.selfTimed = true;
  return run;
}

