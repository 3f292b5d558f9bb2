// Type-checked (strict, no emit) by run.mjs under moduleResolution node16 and nodenext (as .mts,
// an ES module, and as .cts, CommonJS: each resolves its own condition of `exports`) and bundler
// (as .ts). The @ts-expect-error lines fail the check if the types resolve to `any`.
import { crossEntropy, mseLoss, Tensor, tensor } from 'losskit';

const x = new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
const loss: Tensor = mseLoss(x, tensor([[1, 2], [3, 5]]), { reduction: 'sum' });
export const value: number = loss.item();
export const gradient = crossEntropy.withGrad([[1, 2, 3]], [0]).grad;

// @ts-expect-error: not an option of mseLoss
mseLoss(x, x, { reductio: 'sum' });
// @ts-expect-error: item() is a number
export const wrong: string = loss.item();
