/**
 * losskit: deep-learning loss functions with PyTorch's names, options and numbers — values and
 * gradients — for Node and the browser, with no dependencies.
 */
export {
  Tensor,
  tensor,
  numel,
  type DataDimsTensorLike,
  type DataShapeTensorLike,
  type DataSyncTensorLike,
  type DataTypes,
  type DType,
  type DTypeOf,
  type FloatDType,
  type FloatDTypeOf,
  type IntegerArray,
  type NestedNumbers,
  type TensorLike,
  type TensorOptions,
  type TypedArray,
} from './core/tensor.js';
export { formatTensor } from './core/format.js';
export { closest as closestName } from './core/options.js';
export type { Reduction } from './core/reduction.js';
export type { AnyLoss, GradDType, GradOf, GradOptions, Loss2, Loss3, Loss4, LossOf, LossWithGrad, OutputOptions, ResultDType, Scalar } from './core/loss.js';
export { getBackend, setBackend, WASM_THRESHOLD, type Backend } from './kernels/backend.js';
export { wasmReady, wasmStatus, wasmVariant, type WasmStatus, type WasmUnavailable, type WasmVariant } from './kernels/wasm.js';

export { softmax, logSoftmax, type SoftmaxOptions } from './activations/softmax.js';
export { logSumExp, type LogSumExpOptions } from './activations/log-sum-exp.js';
export { sigmoid, logSigmoid, softplus, type SoftplusOptions } from './activations/sigmoid.js';

export { crossEntropy, type CrossEntropyOptions } from './losses/cross-entropy.js';
export { nllLoss, type NllLossOptions } from './losses/nll.js';
export { binaryCrossEntropy, type BinaryCrossEntropyOptions } from './losses/binary-cross-entropy.js';
export {
  binaryCrossEntropyWithLogits,
  type BinaryCrossEntropyWithLogitsOptions,
} from './losses/binary-cross-entropy-with-logits.js';
export { l1Loss, mae, type L1LossOptions } from './losses/l1.js';
export { mseLoss, mse, type MseLossOptions } from './losses/mse.js';
export { smoothL1Loss, type SmoothL1LossOptions } from './losses/smooth-l1.js';
export { huberLoss, type HuberLossOptions } from './losses/huber.js';
export { klDiv, type KlDivOptions } from './losses/kl-div.js';
export { poissonNllLoss, type PoissonNllLossOptions } from './losses/poisson-nll.js';
export { gaussianNllLoss, type GaussianNllLossOptions } from './losses/gaussian-nll.js';
export { marginRankingLoss, type MarginRankingLossOptions } from './losses/margin-ranking.js';
export { hingeEmbeddingLoss, type HingeEmbeddingLossOptions } from './losses/hinge-embedding.js';
export { softMarginLoss, type SoftMarginLossOptions } from './losses/soft-margin.js';
export { multilabelSoftMarginLoss, type MultilabelSoftMarginLossOptions } from './losses/multilabel-soft-margin.js';
export { multiMarginLoss, type MultiMarginLossOptions } from './losses/multi-margin.js';
export { multilabelMarginLoss, type MultilabelMarginLossOptions } from './losses/multilabel-margin.js';
export { cosineEmbeddingLoss, type CosineEmbeddingLossOptions } from './losses/cosine-embedding.js';
export { tripletMarginLoss, type TripletMarginLossOptions } from './losses/triplet-margin.js';
export { sigmoidFocalLoss, type SigmoidFocalLossOptions } from './losses/sigmoid-focal.js';
export { logLoss, type Label, type LogLossOptions } from './losses/log-loss.js';
export { ctcLoss, type CtcLoss, type CtcLossOptions } from './losses/ctc.js';
export { diceLoss, type DiceLossOptions } from './losses/dice.js';
export { tverskyLoss, type TverskyLossOptions } from './losses/tversky.js';
export { logCoshLoss, type LogCoshLossOptions } from './losses/log-cosh.js';
export { squaredHingeLoss, type SquaredHingeLossOptions } from './losses/squared-hinge.js';
export { categoricalHingeLoss, type CategoricalHingeLossOptions } from './losses/categorical-hinge.js';
export { categoricalFocalCrossEntropy, type CategoricalFocalCrossEntropyOptions } from './losses/categorical-focal-cross-entropy.js';
export { sparsemaxLoss, type SparsemaxLossOptions } from './losses/sparsemax.js';
export { polyLossCrossEntropy, type PolyLossCrossEntropyOptions } from './losses/poly-loss-cross-entropy.js';
export { cosineSimilarityLoss, type CosineSimilarityLossOptions } from './losses/cosine-similarity.js';
export { ntxentLoss, type NtxentLossOptions } from './losses/ntxent.js';

export {
  catalog,
  cliNameOf,
  describeRange,
  kebabCase,
  type AxesOptionSpec,
  type BooleanOptionSpec,
  type CatalogEntry,
  type CatalogReduction,
  type Definition,
  type Items,
  type LabelsOptionSpec,
  type NumberOptionSpec,
  type NumberRange,
  type OptionSpec,
  type PlotAxis,
  type PlotSpec,
  type TensorArg,
  type TensorOptionSpec,
} from './core/catalog.js';
