// Golden fixture cases of the activations (forward only).
import { after, before, describe, test } from 'node:test';
import { setBackend, wasmReady, type Backend, type Tensor } from '../../src/index.js';
import { assertTensorClose } from './close.js';
import { decode, loadFixture, type EncodedTensor } from './fixtures.js';

export interface ActivationCase {
  fn: string;
  dtype: 'float32' | 'float64';
  range: string;
  args: EncodedTensor[];
  options: Record<string, unknown>;
  result: EncodedTensor;
}

export function activationGoldenTests(name: string, fn: (x: Tensor, options?: never) => Tensor, backend?: Backend): void {
  const cases = loadFixture<ActivationCase>('activations.json').cases.filter((c) => c.fn === name);
  describe(`${name} matches PyTorch (golden fixtures)${backend ? `, backend '${backend}'` : ''}`, () => {
    if (backend) {
      before(async () => {
        await wasmReady(); // setBackend('wasm') needs the kernels loaded
        setBackend(backend);
      });
      after(() => setBackend('auto'));
    }
    for (const range of ['small', 'typical', 'extreme']) {
      const group = cases.filter((c) => c.range === range);
      test(`${range} inputs: ${group.length} cases`, () => {
        group.forEach((c, i) => {
          assertTensorClose(fn(decode(c.args[0]), c.options as never), decode(c.result), `${name} ${c.dtype} ${range} case ${i} ${JSON.stringify(c.options)}`);
        });
      });
    }
  });
}
