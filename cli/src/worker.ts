// A worker thread of `losskit eval --jobs N`: evaluates its shards (or its part of one CSV file) and
// posts back their exact totals.
import { parentPort, workerData } from 'node:worker_threads';
import { CliError } from './errors.js';
import { evaluateShards, type EvalRequest, type WorkerTask } from './eval.js';

const { request, task } = workerData as { request: EvalRequest; task: WorkerTask };
try {
  parentPort!.postMessage({ ok: true, result: await evaluateShards(request, task) });
} catch (e) {
  parentPort!.postMessage({ ok: false, message: (e as Error).message, exitCode: e instanceof CliError ? e.exitCode : 1 });
}
