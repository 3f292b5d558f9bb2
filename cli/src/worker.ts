// A worker thread of `losskit eval --jobs N`: evaluates its shards and posts back their exact totals.
import { parentPort, workerData } from 'node:worker_threads';
import { CliError } from './errors.js';
import { evaluateShards, type EvalRequest } from './eval.js';

const { request, shards } = workerData as { request: EvalRequest; shards: string[][] };
try {
  parentPort!.postMessage({ ok: true, result: await evaluateShards(request, shards) });
} catch (e) {
  parentPort!.postMessage({ ok: false, message: (e as Error).message, exitCode: e instanceof CliError ? e.exitCode : 1 });
}
