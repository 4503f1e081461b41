/**
 * `npm run bench`: the SDK against its alternatives, measured side by side in one run, reported as
 * ratios. `-- --smoke` runs every section briefly (CI: it must run; it asserts no timing).
 *
 * 1. Per call over loopback keep-alive: raw fetch, openapi-fetch, the facade, undici.request; wall
 *    time and the client's CPU time per call, side by side in this process, then each client alone
 *    in a fresh process.
 * 2. The error path: a 404 mapped to KrosApiError, against raw fetch reading the same 404.
 * 3. Webhook verification throughput, string and Buffer bodies, against standardwebhooks, svix and
 *    bare node:crypto.
 * 4. Import time in a fresh process, and heap after many calls.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { Bench } from 'tinybench';
import { KEY, ORG, perCallClients, sdk } from './clients.ts';
import { oneClientArgs, startServer } from './processes.ts';

type Sdk = typeof import('../src/index.ts');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const execFileAsync = promisify(execFile);
const SMOKE = process.argv.includes('--smoke');
const ROUNDS = SMOKE ? 1 : 5;
const TASK_TIME_MS = SMOKE ? 30 : 600;
const webSdk = (await import(pathToFileURL(join(ROOT, 'dist/web/index.js')).href)) as Sdk;

type Alone = { p50: number; cpu: number };

interface Measured {
  name: string;
  /** Milliseconds per call. */
  p50: number;
  p99: number;
}

/**
 * Runs the tasks in ROUNDS rounds, each with the task order rotated, so that drift (thermal, other
 * load) hits every task alike; the percentiles come from the pooled samples of all rounds.
 */
async function compare(tasks: Record<string, () => unknown>): Promise<Measured[]> {
  const names = Object.keys(tasks);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TASK_TIME_MS, warmupTime: TASK_TIME_MS / 4, retainSamples: true });
    for (const name of rotated(names, round)) bench.add(name, tasks[name] as () => unknown);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { state: string; error?: Error; latency?: { samples?: number[] } };
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state} ${result.error?.stack ?? ''}`);
      for (const sample of result.latency?.samples ?? []) samples.get(task.name)?.push(sample);
    }
  }
  return names.map((name) => {
    const sorted = (samples.get(name) as number[]).sort((a, b) => a - b);
    return { name, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  });
}

/**
 * CPU time of this process per call (user + system, `process.cpuUsage`), in ms: each task runs
 * `calls` times in each of ROUNDS rounds, order rotated. The server runs in a child process, so
 * this is the client's cost alone. Median of the rounds, and the spread (lowest–highest round).
 */
async function cpuPerCall(tasks: Record<string, () => unknown>, calls = SMOKE ? 50 : 2_000) {
  const names = Object.keys(tasks);
  const rounds = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of rotated(names, round)) {
      const task = tasks[name] as () => unknown;
      for (let i = 0; i < calls / 10; i++) await task();
      const before = process.cpuUsage();
      for (let i = 0; i < calls; i++) await task();
      const { user, system } = process.cpuUsage(before);
      rounds.get(name)?.push((user + system) / 1000 / calls);
    }
  }
  return new Map(
    names.map((name) => {
      const sorted = (rounds.get(name) as number[]).sort((a, b) => a - b);
      return [name, { median: quantile(sorted, 0.5), low: sorted[0] as number, high: sorted.at(-1) as number }];
    }),
  );
}

/**
 * Each client alone in a fresh process (bench/one-client.ts), ROUNDS times, order rotated. An app
 * runs one client; in one process, the clients warmed up first change how V8 treats the next one's
 * allocations (bench/RESULTS.md). Median over the rounds of each process's median wall time and CPU per call.
 */
async function alonePerCall(url: string, names: string[], calls = SMOKE ? 50 : 2_000) {
  const runs = new Map<string, Alone[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of rotated(names, round)) {
      // Not execFileSync: this process's idle keep-alive sockets must still see the server close them.
      const { stdout } = await execFileAsync(process.execPath, oneClientArgs(name, url, calls), { cwd: ROOT });
      runs.get(name)?.push(JSON.parse(stdout));
    }
  }
  return new Map(
    [...runs].map(([name, results]) => [name, { p50: median(results.map(({ p50 }) => p50)), cpu: median(results.map(({ cpu }) => cpu)) }]),
  );
}

/** The names in a round's order: each round starts one later, so drift hits every task alike. */
function rotated(names: string[], round: number): string[] {
  return [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
}

function median(values: number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const microseconds = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}×`;
const verdict = (value: number, target: number) => (value <= target ? `meets ≤ ${target}×` : `misses ≤ ${target}×`);
const lines: string[] = [];
const print = (line = '') => {
  lines.push(line);
  console.log(line);
};

function latencyTable(results: Measured[]) {
  print('| | median | p99 |');
  print('| --- | ---: | ---: |');
  for (const { name, p50, p99 } of results) print(`| ${name} | ${microseconds(p50)} | ${microseconds(p99)} |`);
}

const FACADE = 'facade (kros.webhooks.list)';
const BASELINE = 'openapi-fetch with AbortSignal.timeout';

/** The facade against openapi-fetch given the same per-attempt timeout (the budget: CPU ≤ 1.25×), and against plain openapi-fetch. */
function printRatios(wallOf: (name: string) => number, cpuOf: (name: string) => number) {
  print(`- facade / ${BASELINE}, client CPU: ${ratio(cpuOf(FACADE), cpuOf(BASELINE))} (${verdict(cpuOf(FACADE) / cpuOf(BASELINE), 1.25)})`);
  print(`- facade / ${BASELINE}, wall: ${ratio(wallOf(FACADE), wallOf(BASELINE))}`);
  print(`- facade / openapi-fetch without a timeout, client CPU: ${ratio(cpuOf(FACADE), cpuOf('openapi-fetch'))}`);
}

async function httpSections(url: string) {
  const headers = { authorization: `Bearer ${KEY}`, 'x-organization-id': ORG };
  const kros = sdk.createKrosClient({ baseUrl: url, apiKey: KEY, organizationId: ORG });

  print('## 1. Per call: list webhooks over loopback keep-alive');
  print();
  const perCallTasks = perCallClients(url);
  const perCall = await compare(perCallTasks);
  const cpu = await cpuPerCall(perCallTasks);
  print('| | median wall | p99 wall | client CPU per call (spread over rounds) |');
  print('| --- | ---: | ---: | ---: |');
  for (const { name, p50, p99 } of perCall) {
    const { median, low, high } = cpu.get(name) as { median: number; low: number; high: number };
    print(
      `| ${name} | ${microseconds(p50)} | ${microseconds(p99)} | ${microseconds(median)} (${microseconds(low)}–${microseconds(high)}) |`,
    );
  }
  const wallOf = (name: string) => (perCall.find((result) => result.name === name) as Measured).p50;
  const cpuOf = (name: string) => (cpu.get(name) as { median: number }).median;
  print();
  printRatios(wallOf, cpuOf);
  print();

  print('## 1b. Per call, each client alone in a fresh process');
  print();
  const alone = await alonePerCall(url, Object.keys(perCallTasks));
  print('| | median wall | client CPU per call |');
  print('| --- | ---: | ---: |');
  for (const [name, { p50, cpu }] of alone) print(`| ${name} | ${microseconds(p50)} | ${microseconds(cpu)} |`);
  print();
  printRatios(
    (name) => (alone.get(name) as Alone).p50,
    (name) => (alone.get(name) as Alone).cpu,
  );
  print();

  print('## 2. Error path: a 404');
  print();
  const missing = '497f6eca-6276-4993-bfeb-53cbbbba6f99';
  const errorPath = await compare({
    'raw fetch, status check and body': async () => {
      const response = await fetch(`${url}/webhooks/${missing}`, { headers });
      if (!response.ok) return response.json();
    },
    'facade, KrosApiError': () => kros.webhooks.get(missing).catch((error: unknown) => error),
  });
  latencyTable(errorPath);
  const [fetch404, facade404] = errorPath as [Measured, Measured];
  print();
  print(`- facade / raw fetch on a 404: ${ratio(facade404.p50, fetch404.p50)} at the median`);
  print();
  return kros;
}

async function verificationSection() {
  print('## 3. Webhook verification throughput (Node, in this process)');
  print();
  print('Each body as a `string` (what `await request.text()` gives) and as a `Buffer`; the floor is');
  print('`createHmac` + `timingSafeEqual` + `JSON.parse` on the same input form. The peers take a string.');
  print();
  print(
    '| body | form | ours (node build) | node:crypto floor | ours / floor (time) | faster peer | ours / faster peer | ours (Web Crypto build) |',
  );
  print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  for (const size of [1024, 16 * 1024, 256 * 1024]) {
    const envelope = { id: 'evt_bench', event: 'call.completed', timestamp: new Date().toISOString(), data: { transcript: '' } };
    envelope.data.transcript = 'x'.repeat(size - JSON.stringify(envelope).length);
    const text = JSON.stringify(envelope);
    const bytes = Buffer.from(text);
    const digest = createHmac('sha256', secret).update(bytes).digest();
    const ourHeaders = { 'x-webhook-signature': `sha256=${digest.toString('hex')}` };
    const standard = new StandardWebhook(secret);
    const svix = new SvixWebhook(secret);
    const stamp = new Date();
    const peerHeaders = {
      'webhook-id': 'msg_bench',
      'webhook-timestamp': String(Math.floor(+stamp / 1000)),
      'webhook-signature': standard.sign('msg_bench', stamp, text),
    };
    const results = await compare({
      'ours (string)': () => sdk.verifyWebhook(text, ourHeaders, secret),
      'ours (Buffer)': () => sdk.verifyWebhook(bytes, ourHeaders, secret),
      'ours web (Buffer)': () => webSdk.verifyWebhook(bytes, ourHeaders, secret),
      standardwebhooks: () => standard.verify(text, peerHeaders),
      svix: () => svix.verify(text, peerHeaders),
      'floor (string)': () => {
        if (timingSafeEqual(createHmac('sha256', secret).update(text).digest(), digest)) return JSON.parse(text);
      },
      'floor (Buffer)': () => {
        if (timingSafeEqual(createHmac('sha256', secret).update(bytes).digest(), digest)) return JSON.parse(bytes.toString());
      },
    });
    const perSecond = Object.fromEntries(results.map(({ name, p50 }) => [name, 1000 / p50])) as Record<string, number>;
    const fasterPeer = Math.max(perSecond.standardwebhooks as number, perSecond.svix as number);
    const fmt = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;
    for (const form of ['string', 'Buffer']) {
      const ours = perSecond[`ours (${form})`] as number;
      const floor = perSecond[`floor (${form})`] as number;
      const web = form === 'Buffer' ? fmt(perSecond['ours web (Buffer)'] as number) : '';
      print(
        `| ${size / 1024} KB | ${form} | ${fmt(ours)} | ${fmt(floor)} | ${(floor / ours).toFixed(2)}× | ${fmt(fasterPeer)} | ${(ours / fasterPeer).toFixed(2)}× | ${web} |`,
      );
    }
  }
  print();
  print('Targets (Node build, both forms): ours / faster peer ≥ 2× at every size; ours ≤ 1.3× the floor at 16 and 256 KB.');
  print('The Web Crypto build is shown as Node runs it; `npm run bench:runtimes` measures it in workerd and Chromium.');
  print();
}

function importSection() {
  print('## 4a. Import time in a fresh Node process');
  print();
  const runs = SMOKE ? 2 : 15;
  // Both by package name, as an app imports them: the same resolution work on each side (the
  // package resolves itself through its own exports, to dist/node under Node).
  const importMs = (specifier: string) =>
    Number(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import('${specifier}'); process.stdout.write(String(performance.now() - t));`,
        ],
        { cwd: ROOT },
      ),
    );
  const targets = { '@krosai/cockpit': '@krosai/cockpit', 'openapi-fetch alone': 'openapi-fetch' };
  const times = new Map<string, number[]>(Object.keys(targets).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) for (const [name, specifier] of Object.entries(targets)) times.get(name)?.push(importMs(specifier));
  const [ours, alone] = [...times.values()].map(median) as [number, number];
  print(`| | median of ${runs} |`);
  print('| --- | ---: |');
  print(`| @krosai/cockpit | ${ours.toFixed(2)} ms |`);
  print(`| openapi-fetch alone | ${alone.toFixed(2)} ms |`);
  print();
  print(
    `- @krosai/cockpit / openapi-fetch: ${ratio(ours, alone)}, ${(ours - alone).toFixed(2)} ms more (${ours - alone <= 5 ? 'meets' : 'misses'} ≤ 5 ms more)`,
  );
  print();
}

async function heapSection(kros: ReturnType<Sdk['createKrosClient']>) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  const total = SMOKE ? 2_000 : 100_000;
  const step = total / 5;
  print(`## 4b. Heap after ${total.toLocaleString('en')} facade calls`);
  print();
  print('| calls | heap used after GC |');
  print('| ---: | ---: |');
  const heaps: number[] = [];
  for (let done = 0; done <= total; done += step) {
    if (done > 0) for (let i = 0; i < step; i += 50) await Promise.all(Array.from({ length: 50 }, () => kros.webhooks.list()));
    gc();
    const used = process.memoryUsage().heapUsed / 1024 / 1024;
    heaps.push(used);
    print(`| ${done.toLocaleString('en')} | ${used.toFixed(2)} MB |`);
  }
  print();
  print(
    `- from ${step.toLocaleString('en')} to ${total.toLocaleString('en')} calls: ${((heaps.at(-1) as number) - (heaps[1] as number)).toFixed(2)} MB`,
  );
  print();
}

const nodeVersion = process.version;
print(`# Benchmark run${SMOKE ? ' (smoke pass: too short to read)' : ''}`);
print();
print(
  `${cpus().length} × ${cpus()[0]?.model}, Node ${nodeVersion}, ${new Date().toISOString().slice(0, 10)}; ${ROUNDS} interleaved round(s) of ${TASK_TIME_MS} ms per task.`,
);
print();
const { url, child } = await startServer();
try {
  const kros = await httpSections(url);
  await verificationSection();
  importSection();
  await heapSection(kros);
} finally {
  child.kill();
}
