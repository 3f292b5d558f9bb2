// The page faults of fresh result arrays, call by call: `withGrad` of mseLoss on [4096, 1024]
// (float32: a 16 MB gradient; float64: 32 MB) called in a loop, as a training loop calls it; each
// call's time and minor page faults (process.resourceUsage). Shows the steady state run.js's
// batches measure (docs/benchmarks.md, "Why batches"): on Node 24 the first few calls fault on every
// page of their result, then V8 has collected the old results and malloc reuses their memory;
// 32 MB results are above glibc's largest mmap threshold and fault on every call.
//
//   node bench/page-faults.js [calls, default 20]
import * as L from 'losskit';

const calls = Number(process.argv[2] ?? 20);
await L.wasmReady();
for (const Float of [Float32Array, Float64Array]) {
  const n = 4096 * 1024;
  const x = new L.Tensor(Float.from({ length: n }, (_, i) => Math.sin(i)), [4096, 1024]);
  const y = new L.Tensor(Float.from({ length: n }, (_, i) => Math.cos(i)), [4096, 1024]);
  const out = [];
  for (let i = 0; i < calls; i++) {
    const faults = process.resourceUsage().minorPageFault;
    const start = performance.now();
    L.mseLoss.withGrad(x, y, { argnums: [0] });
    out.push(`${(performance.now() - start).toFixed(1)} ms/${process.resourceUsage().minorPageFault - faults}`);
  }
  console.log(`Node ${process.version}, mseLoss.withGrad [4096, 1024] ${Float.name.replace('Array', '')}, call by call (time/minor page faults):\n${out.join(' ')}`);
}
