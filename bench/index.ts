/**
 * `npm run bench`: the SDK against its alternatives, measured side by side in one run, reported as
 * ratios. `-- --smoke` runs every section briefly (CI: it must run; it asserts no timing).
 *
 * 1. Per call over loopback keep-alive: raw fetch, openapi-fetch, the facade, undici.request.
 * 2. The error path: a 404 mapped to KrosApiError, against raw fetch reading the same 404.
 * 3. Webhook verification throughput against standardwebhooks, svix and bare node:crypto.
 * 4. Import time in a fresh process, and heap after many calls.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import createClient from 'openapi-fetch';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { Bench } from 'tinybench';
import { request } from 'undici';
import type { paths } from '../src/generated/api.ts';

type Sdk = typeof import('../src/index.ts');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SMOKE = process.argv.includes('--smoke');
const ROUNDS = SMOKE ? 1 : 5;
const TASK_TIME_MS = SMOKE ? 30 : 600;
const KEY = 'kros_test_bench';
const ORG = '7c60d51f-b44e-4682-87d6-449835ea4de6';

/** The package as Node users get it: the built `node` variant. */
const sdk = (await import(pathToFileURL(join(ROOT, 'dist/node/index.js')).href)) as Sdk;
const webSdk = (await import(pathToFileURL(join(ROOT, 'dist/web/index.js')).href)) as Sdk;

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
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)])
      bench.add(name, tasks[name] as () => unknown);
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

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [port] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${port.toString().trim()}`, child };
}

async function httpSections(url: string) {
  const headers = { authorization: `Bearer ${KEY}`, 'x-organization-id': ORG };
  const raw = createClient<paths>({ baseUrl: url, headers });
  const kros = sdk.createKrosClient({ baseUrl: url, apiKey: KEY, organizationId: ORG });

  print('## 1. Per call: list webhooks over loopback keep-alive');
  print();
  const perCall = await compare({
    'raw fetch': async () => (await fetch(`${url}/webhooks`, { headers })).json(),
    'openapi-fetch': async () => (await raw.GET('/webhooks')).data,
    'facade (kros.webhooks.list)': () => kros.webhooks.list(),
    'undici.request (floor)': async () => (await request(`${url}/webhooks`, { headers })).body.json(),
  });
  latencyTable(perCall);
  const [fetchCall, openapiFetchCall, facadeCall] = perCall as [Measured, Measured, Measured];
  print();
  print(`- facade / raw fetch: ${ratio(facadeCall.p50, fetchCall.p50)} at the median (${verdict(facadeCall.p50 / fetchCall.p50, 1.05)})`);
  print(
    `- facade / openapi-fetch: ${ratio(facadeCall.p50, openapiFetchCall.p50)} at the median (${verdict(facadeCall.p50 / openapiFetchCall.p50, 1.02)})`,
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
  print('## 3. Webhook verification throughput');
  print();
  print(
    '| body | ours (node:crypto) | ours (Web Crypto build) | standardwebhooks | svix | node:crypto floor | ours / faster peer | floor / ours |',
  );
  print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  for (const size of [1024, 16 * 1024, 256 * 1024]) {
    const envelope = { id: 'evt_bench', event: 'call.completed', timestamp: new Date().toISOString(), data: { transcript: '' } };
    envelope.data.transcript = 'x'.repeat(size - JSON.stringify(envelope).length);
    const body = Buffer.from(JSON.stringify(envelope));
    const digest = createHmac('sha256', secret).update(body).digest();
    const ourHeaders = { 'x-webhook-signature': `sha256=${digest.toString('hex')}` };
    const standard = new StandardWebhook(secret);
    const svix = new SvixWebhook(secret);
    const stamp = new Date();
    const peerHeaders = {
      'webhook-id': 'msg_bench',
      'webhook-timestamp': String(Math.floor(+stamp / 1000)),
      'webhook-signature': standard.sign('msg_bench', stamp, body.toString()),
    };
    const results = await compare({
      ours: () => sdk.verifyWebhook(body, ourHeaders, secret),
      'ours (web)': () => webSdk.verifyWebhook(body, ourHeaders, secret),
      standardwebhooks: () => standard.verify(body.toString(), peerHeaders),
      svix: () => svix.verify(body.toString(), peerHeaders),
      floor: () => {
        const mac = createHmac('sha256', secret).update(body).digest();
        if (timingSafeEqual(mac, digest)) return JSON.parse(body.toString());
      },
    });
    const perSecond = Object.fromEntries(results.map(({ name, p50 }) => [name, 1000 / p50]));
    const [ours, web, std, sv, floor] = ['ours', 'ours (web)', 'standardwebhooks', 'svix', 'floor'].map(
      (name) => perSecond[name] as number,
    ) as number[];
    const fasterPeer = Math.max(std as number, sv as number);
    const fmt = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;
    print(
      `| ${size / 1024} KB | ${fmt(ours as number)} | ${fmt(web as number)} | ${fmt(std as number)} | ${fmt(sv as number)} | ${fmt(floor as number)} | ${((ours as number) / fasterPeer).toFixed(2)}× | ${((floor as number) / (ours as number)).toFixed(2)}× |`,
    );
  }
  print();
  print('Targets: ours / faster peer ≥ 2× at every size; floor / ours ≤ 1.5× at 16 KB and above.');
  print();
}

function importSection() {
  print('## 4a. Import time in a fresh Node process');
  print();
  const runs = SMOKE ? 2 : 15;
  const importMs = (file: string) =>
    Number(
      execFileSync(process.execPath, [
        '--input-type=module',
        '-e',
        `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`,
      ]),
    );
  const targets = {
    '@krosai/cockpit': join(ROOT, 'dist/node/index.js'),
    'openapi-fetch alone': join(ROOT, 'node_modules/openapi-fetch/dist/index.mjs'),
  };
  const times = new Map<string, number[]>(Object.keys(targets).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) for (const [name, file] of Object.entries(targets)) times.get(name)?.push(importMs(file));
  const median = (values: number[]) =>
    quantile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  const [ours, alone] = [...times.values()].map(median) as [number, number];
  print(`| | median of ${runs} |`);
  print('| --- | ---: |');
  print(`| @krosai/cockpit | ${ours.toFixed(2)} ms |`);
  print(`| openapi-fetch alone | ${alone.toFixed(2)} ms |`);
  print();
  print(`- @krosai/cockpit / openapi-fetch: ${ratio(ours, alone)}, ${(ours - alone).toFixed(2)} ms more`);
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
