/**
 * The verification benchmark that runs INSIDE a runtime (workerd, Chromium). bench/verify-in-runtimes.ts
 * bundles it with esbuild under that runtime's export conditions, so `@krosai/cockpit/webhooks` is the
 * package's Web Crypto build (dist/web), as a worker or page bundled by wrangler or Vite gets it.
 *
 * Each call of `runRound` measures every task of every body size once, in an order rotated by the
 * round number. Timing is `performance.now()` here, in the runtime, over samples of many iterations,
 * each sample opened and closed by an awaited `boundary` (a timer in workerd): a workerd that freezes
 * its clock during pure compute still reads the true time after it, and the boundary's own cost is
 * measured and taken off.
 */
import { verifyWebhook } from '@krosai/cockpit/webhooks';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';

/** One body size: the body, our header (`sha256=<hex>`, signed by the host), the peers' headers. */
export interface BenchCase {
  size: number;
  body: string;
  signature: string;
  peerHeaders: Record<string, string>;
}

export interface RoundConfig {
  secret: string;
  cases: BenchCase[];
  round: number;
  /** Time per task per round, in ms. */
  taskMs: number;
  /** Shortest sample, in ms: many times the clock's resolution (1 ms in workerd) and the boundary's cost. */
  sampleMs: number;
}

export interface TaskResult {
  size: number;
  task: string;
  /** Iterations per second over the round's samples, the boundary's cost taken off. */
  opsPerSecond: number;
  samples: number;
}

export interface RoundResult {
  /** The task names in the order tables show them. */
  tasks: readonly string[];
  results: TaskResult[];
  /** The round's duration on this runtime's own clock, for the host to compare with its wall clock. */
  elapsedMs: number;
  /** What one awaited boundary costs, in ms (already taken off each sample). */
  boundaryMs: number;
}

const TASKS = ['ours (string)', 'ours (bytes)', 'standardwebhooks', 'svix', 'Web Crypto floor'] as const;

type Task = () => unknown;
const encoder = new TextEncoder();
const prepared = new Map<number, Record<string, Task>>();
/** Iterations per sample, found on a task's first round and kept, so later rounds only measure. */
const batchSizes = new Map<string, number>();

/**
 * The tasks for one body size. Each is run once and its answer checked before anything is timed: a
 * task that verified nothing would otherwise look fast.
 */
async function tasksFor({ size, body, signature, peerHeaders }: BenchCase, secret: string): Promise<Record<string, Task>> {
  const known = prepared.get(size);
  if (known) return known;
  const bytes = encoder.encode(body);
  const headers = { 'x-webhook-signature': signature };
  const standard = new StandardWebhook(secret);
  const svix = new SvixWebhook(secret);
  // The least any Web Crypto verifier can do: one HMAC with a key imported once, a compare, a parse.
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const expected = hexToBytes(signature.slice('sha256='.length));
  const tasks: Record<(typeof TASKS)[number], Task> = {
    'ours (string)': () => verifyWebhook(body, headers, secret),
    'ours (bytes)': () => verifyWebhook(bytes, headers, secret),
    standardwebhooks: () => standard.verify(body, peerHeaders),
    svix: () => svix.verify(body, peerHeaders),
    'Web Crypto floor': async () => {
      if (await crypto.subtle.verify('HMAC', key, expected, bytes)) return JSON.parse(body);
    },
  };
  for (const [name, task] of Object.entries(tasks)) {
    const delivery = (await task()) as { id?: string } | undefined;
    if (delivery?.id !== 'evt_bench') throw new Error(`${name} at ${size} bytes did not return the delivery`);
  }
  prepared.set(size, tasks);
  return tasks;
}

export async function runRound(config: RoundConfig, boundary: () => Promise<unknown>): Promise<RoundResult> {
  const started = performance.now();
  const boundaryMs = await boundaryCost(boundary);
  const results: TaskResult[] = [];
  for (const benchCase of config.cases) {
    const tasks = await tasksFor(benchCase, config.secret);
    const shift = config.round % TASKS.length;
    for (const name of [...TASKS.slice(shift), ...TASKS.slice(0, shift)]) {
      const id = `${benchCase.size}/${name}`;
      const task = tasks[name] as Task;
      let iterations = batchSizes.get(id);
      if (iterations === undefined) {
        iterations = await batchSize(task, config.sampleMs, boundary);
        batchSizes.set(id, iterations);
      }
      let done = 0;
      let spent = 0;
      let samples = 0;
      while (spent < config.taskMs || samples < 2) {
        spent += Math.max(0, (await sample(task, iterations, boundary)) - boundaryMs);
        done += iterations;
        samples++;
      }
      results.push({ size: benchCase.size, task: name, opsPerSecond: (done / spent) * 1000, samples });
    }
  }
  return { tasks: TASKS, results, elapsedMs: performance.now() - started, boundaryMs };
}

/** Milliseconds for `iterations` runs of the task, read across awaited boundaries (see the header). */
async function sample(task: Task, iterations: number, boundary: () => Promise<unknown>): Promise<number> {
  await boundary();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const result = task();
    if (result instanceof Promise) await result;
  }
  await boundary();
  return performance.now() - start;
}

/** Doubles the iterations until a sample lasts `sampleMs`; this also warms the task up. */
async function batchSize(task: Task, sampleMs: number, boundary: () => Promise<unknown>): Promise<number> {
  let iterations = 1;
  while ((await sample(task, iterations, boundary)) < sampleMs) iterations *= 2;
  return iterations;
}

/** The cost of one awaited boundary, from a run of them long enough for a 1 ms clock. */
async function boundaryCost(boundary: () => Promise<unknown>): Promise<number> {
  let count = 0;
  await boundary();
  const start = performance.now();
  while (performance.now() - start < 20 || count < 100) {
    await boundary();
    count++;
  }
  return (performance.now() - start) / count;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
