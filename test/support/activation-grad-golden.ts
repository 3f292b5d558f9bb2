// Golden cases of the activations' withGrad (value and vector–Jacobian product, from PyTorch's
// autograd: scripts/generate_fixtures.py, activation_grad_cases), on one backend.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setBackend, tensor, wasmReady, type ActivationWithGrad, type Backend, type Tensor } from '../../src/index.js';
import { assertTensorClose } from './close.js';
import { checkFiniteDifferences } from './finite-difference.js';
import { decode, loadFixture, type EncodedTensor } from './fixtures.js';
import { uniform } from './random.js';

export interface ActivationGradCase {
  fn: string;
  dtype: 'float32' | 'float64';
  range: string;
  args: EncodedTensor[];
  options: Record<string, unknown>;
  gradOutput: EncodedTensor;
  value: EncodedTensor;
  grad: EncodedTensor;
  /**
   * logSumExp's float32 cases: the gradient PyTorch computes in float64 on the same values, the
   * reference there (PyTorch's float32 backward takes exp(x − y) of the float32-rounded y).
   */
  grad64?: EncodedTensor;
}

type WithGrad = (x: Tensor, options?: never) => ActivationWithGrad;

export function activationGradCases(name: string): ActivationGradCase[] {
  return loadFixture<ActivationGradCase>('activations-grad.json').cases.filter((c) => c.fn === name);
}

export function activationGradGoldenTests(name: string, withGrad: WithGrad, backend: Backend = 'ts'): void {
  const cases = activationGradCases(name);
  describe(`${name}.withGrad matches PyTorch's autograd (golden fixtures), backend '${backend}'`, () => {
    before(async () => {
      await wasmReady(); // setBackend('wasm') needs the kernels loaded
      setBackend(backend);
    });
    after(() => setBackend('auto'));
    for (const range of ['small', 'typical', 'extreme', 'special']) {
      const group = cases.filter((c) => c.range === range);
      test(`${range} inputs: ${group.length} cases`, () => {
        if (group.length === 0) throw new Error(`no ${range} cases of ${name} in activations-grad.json`);
        group.forEach((c, i) => {
          const label = `${name}.withGrad ${c.dtype} ${range} case ${i} shape [${c.args[0].shape}] ${JSON.stringify(c.options)}`;
          const r = withGrad(decode(c.args[0]), { ...c.options, gradOutput: decode(c.gradOutput) } as never);
          assertTensorClose(r.value, decode(c.value), `${label}: value`);
          const expected = c.grad64 ? tensor(decode(c.grad64).data, { dtype: c.dtype, shape: c.grad64.shape }) : decode(c.grad);
          assertTensorClose(r.grad, expected, `${label}: grad${c.grad64 ? ' (PyTorch in float64)' : ''}`);
        });
      });
    }
  });
}

type Activation = ((x: Tensor, options?: never) => Tensor) & { withGrad: WithGrad };

/**
 * What every activation's withGrad must do beyond the golden values: central finite differences
 * in float64 for each option set (layouts: `dim`s, keepdim...), `value` equal to the plain call bit
 * for bit on both backends (large float32 rows run the kernel under 'auto'), `gradInto` returned
 * and filled, inputs unchanged, and bad input refused naming the function and the argument.
 */
export function activationGradChecks(name: string, fn: Activation, optionSets: Record<string, unknown>[]): void {
  describe(`${name}.withGrad`, () => {
    before(() => wasmReady());
    test('matches central finite differences (float64) in every layout', () => {
      optionSets.forEach((options, k) => {
        for (const shape of [[7], [3, 5], [2, 3, 4]]) {
          if (typeof options.dim === 'number' && options.dim >= shape.length) continue;
          const checked = checkFiniteDifferences(fn, [uniform(shape, -3, 3, 11 + k)], options, `${name} [${shape}] ${JSON.stringify(options)}`);
          if (checked === 0) throw new Error('nothing checked');
        }
      });
    });
    for (const backend of ['ts', 'auto'] as const) {
      test(`value is the plain call's result, gradInto is filled and returned, inputs unchanged (backend '${backend}')`, () => {
        setBackend(backend);
        try {
          for (const dtype of ['float32', 'float64'] as const) {
            const x = tensor(uniform([64, 300], -5, 5, 3).data, { dtype, shape: [64, 300] });
            const options = optionSets[0];
            const plain = fn(x, options as never);
            const g = tensor(uniform(plain.shape, -2, 2, 4).data, { dtype, shape: plain.shape });
            const before = [Float64Array.from(x.data), Float64Array.from(g.data)];
            const r = fn.withGrad(x, { ...options, gradOutput: g } as never);
            assert.equal(r.value.dtype, dtype);
            assert.equal(r.grad.dtype, dtype);
            assert.deepEqual(r.grad.shape, x.shape);
            assert.equal(r.grads[0], r.grad);
            assert.deepEqual(r.value.data, plain.data, `${name} ${dtype}: value differs from the plain call`);
            const into = dtype === 'float32' ? new Float32Array(x.size) : new Float64Array(x.size);
            const again = fn.withGrad(x, { ...options, gradOutput: g, gradInto: into } as never);
            assert.equal(again.grad.data, into);
            assert.deepEqual(into, r.grad.data);
            assert.deepEqual(Float64Array.from(x.data), before[0]);
            assert.deepEqual(Float64Array.from(g.data), before[1]);
          }
        } finally {
          setBackend('auto');
        }
      });
    }
    test('int32 and plain input: a float32 gradient; default gradOutput is ones', () => {
      const x = tensor([[1, -2, 3], [0, 4, -1]], { dtype: 'int32' });
      const r = fn.withGrad(x, optionSets[0] as never);
      assert.equal(r.grad.dtype, 'float32');
      const ones = fn.withGrad(tensor([[1, -2, 3], [0, 4, -1]]), { ...optionSets[0], gradOutput: tensor(Array(r.value.size).fill(1), { shape: r.value.shape }) } as never);
      assert.deepEqual(r.grad.data, ones.grad.data);
    });
    test('bad input', () => {
      const x = tensor([[1, 2, 3], [4, 5, 6]]);
      const fnName = `${name}.withGrad`;
      assert.throws(() => fn.withGrad(x, { ...optionSets[0], gradOutput: tensor([1, 2, 3, 4, 5, 6, 7]) } as never), new RegExp(`^Error: ${fnName.replace('.', '\\.')}: gradOutput shape \\[7\\] does not match the result's shape`));
      assert.throws(() => fn.withGrad(x, { ...optionSets[0], gradInto: new Float64Array(6) } as never), new RegExp(`${fnName.replace('.', '\\.')}: gradInto must be a Float32Array of 6 elements`));
      assert.throws(() => fn.withGrad(x, { ...optionSets[0], gradInto: x.data } as never), /gradInto shares memory with input/);
      assert.throws(() => fn.withGrad(x, { gradOuput: 1 } as never), /unknown option 'gradOuput'/);
      assert.throws(() => (fn.withGrad as (...a: unknown[]) => unknown)(x, {}, 3), new RegExp(fnName.replace('.', '\\.')));
      assert.throws(() => fn.withGrad([[1, 2], [3]] as never), /input/);
    });
  });
}
