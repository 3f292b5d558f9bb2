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
export { LossAccumulator, type AccumulatorReduction, type AccumulatorState, type ExactSumState } from './core/accumulator.js';
export type { AnyLoss, GradDType, GradOf, GradOptions, Loss2, Loss3, Loss4, LossOf, LossWithGrad, OutputOptions, ResultDType, Scalar } from './core/loss.js';
export { getBackend, setBackend, WASM_THRESHOLD, type Backend } from './kernels/backend.js';
export { wasmReady, wasmStatus, wasmVariant, type WasmStatus, type WasmUnavailable, type WasmVariant } from './kernels/wasm.js';

export * from './activations/index.js';
export * from './losses/index.js';

export {
  catalog,
  cliNameOf,
  describeRange,
  kebabCase,
  type AxesOptionSpec,
  type BooleanOptionSpec,
  type ChoiceOptionSpec,
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
