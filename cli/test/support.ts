// Helpers for the command-line tests: run the built `losskit` binary, read .npy files independently
// of the code under test, and measure a child process's peak memory.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
export const ROOT_FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function losskit(args: string[], cwd?: string, input?: Buffer | string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, input, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

const made: string[] = [];
// Every test file runs in its own process: its folders go when it ends.
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder in the system's temporary directory, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'losskit-cli-'));
  made.push(dir);
  return dir;
}

export function expected(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { expected: Record<string, unknown> }).expected;
}

/** A minimal .npy reader (little-endian float32/float64, C order), written apart from the CLI's own. */
export function readNpy(path: string): { shape: number[]; data: Float32Array | Float64Array } {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(',').filter((s) => s.trim()).map(Number);
  const body = bytes.subarray(10 + headerLength);
  const copy = new Uint8Array(body).buffer;
  return { shape, data: descr === '<f4' ? new Float32Array(copy) : new Float64Array(copy) };
}

/** Runs the CLI and samples its peak resident memory (VmHWM in /proc) until it exits. */
export function peakMemory(args: string[]): Promise<{ status: number; stdout: string; peakBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let peak = 0;
    child.stdout.on('data', (d) => (stdout += d));
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
        peak = Math.max(peak, kb * 1024);
      } catch {
        // the process has exited
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ status: code ?? -1, stdout, peakBytes: peak });
    });
  });
}
