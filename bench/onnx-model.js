// A tiny ONNX model, written as protobuf bytes by hand (no ONNX tooling is needed): mean
// cross-entropy of logits [N, C] (float) with class indices [N] (int64), opset 13, made of core
// operators only: ReduceLogSumExp(logits) − GatherElements(logits, labels), then ReduceMean.
const varint = (n) => {
  const out = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, v) => [...key(field, 0), ...varint(v)];
const bytes = (field, b) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);
const message = (field, parts) => bytes(field, parts.flat());

const attrInt = (name, v) => message(5, [str(1, name), int(20, 2), int(3, v)]);
const attrInts = (name, vs) => message(5, [str(1, name), int(20, 7), ...vs.map((v) => int(8, v))]);
const node = (op, inputs, outputs, attributes = []) => message(1, [...inputs.map((s) => str(1, s)), ...outputs.map((s) => str(2, s)), str(3, `${op}_${outputs[0]}`), str(4, op), ...attributes]);
const FLOAT = 1;
const INT64 = 7;
const valueInfo = (field, name, elemType, dims) =>
  message(field, [str(1, name), message(2, [message(1, [int(1, elemType), message(2, dims.map((d) => message(1, [typeof d === 'string' ? str(2, d) : int(1, d)])))])])]);

export function crossEntropyOnnx() {
  const axes = message(5, [int(1, 1), int(2, INT64), str(8, 'axes1'), bytes(9, [1, 0, 0, 0, 0, 0, 0, 0])]); // int64 [1] = {1}
  const graph = [
    node('Unsqueeze', ['labels', 'axes1'], ['labels2d']),
    node('GatherElements', ['logits', 'labels2d'], ['picked'], [attrInt('axis', 1)]),
    node('ReduceLogSumExp', ['logits'], ['lse'], [attrInts('axes', [1]), attrInt('keepdims', 1)]),
    node('Sub', ['lse', 'picked'], ['nll']),
    node('ReduceMean', ['nll'], ['loss'], [attrInt('keepdims', 0)]),
    str(2, 'cross_entropy'),
    axes,
    valueInfo(11, 'logits', FLOAT, ['N', 'C']),
    valueInfo(11, 'labels', INT64, ['N']),
    valueInfo(12, 'loss', FLOAT, []),
  ];
  return Uint8Array.from([...int(1, 8), ...str(2, 'losskit-bench'), ...message(7, graph), ...message(8, [str(1, ''), int(2, 13)])]);
}
