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
 * 5. Deliveries per second through `handler.fetch(request)`, against the same receiver built on svix
 *    and on @octokit/webhooks, and the bare node:crypto floor. `-- --only=deliveries` runs it alone.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Webhooks as OctokitWebhooks } from '@octokit/webhooks';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { Bench } from 'tinybench';
import { KEY, ORG, perCallClients, sdk } from './clients.ts';
import { oneClientArgs, startServer } from './processes.ts';

type Sdk = typeof import('../src/index.ts');
type WebhooksEntry = typeof import('../src/webhooks/index.ts');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const execFileAsync = promisify(execFile);
const SMOKE = process.argv.includes('--smoke');
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
if (ONLY !== undefined && ONLY !== 'deliveries') throw new Error(`--only=${ONLY}: only --only=deliveries is supported`);
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

/** A delivery's envelope, as every contender of section 5 parses it. */
type Envelope = { id: string; event: string; timestamp: string; data: Record<string, unknown> };
/** Takes a fresh Request, answers as a route handler does. */
type Receiver = (request: Request) => Promise<Response>;

/** Every contender answers with the same kind of Response as the handler, so that building it costs all alike. */
const respond = (status: number, json: object) =>
  new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });

/**
 * Deliveries signed in advance and cycled through: signing in the timed loop would add a hash to
 * every contender and flatten the ratios. Each contender's state (store, Map, handler) is rebuilt
 * whenever the pool wraps, so every delivery it sees has a new id and no store short-circuits.
 */
const POOL = 1_024;

async function deliveriesSection() {
  const webhooks = (await import(pathToFileURL(join(ROOT, 'dist/node/webhooks.js')).href)) as WebhooksEntry;
  print('## 5. Receiving deliveries: `handler.fetch(request)` against the same receiver on svix, @octokit/webhooks, and the floor');
  print();
  print('Each call builds a fresh `Request` (a new delivery id, the body as a string) and answers a JSON `Response`;');
  print('between them: read the body, verify, parse, deduplicate, dispatch to an empty `call.completed` handler.');
  print('Ours: `createWebhookHandler` (the Node build) with `memoryStore()`. svix: `Webhook.verify` (its own scheme');
  print('over the same body) + a `Map` + a `switch`. octokit: `verifyAndReceive` (`x-hub-signature-256`) + a `Map` in');
  print('the handler registered with `on`. Floor: `await request.text()`, `createHmac` + `timingSafeEqual`, `JSON.parse`,');
  print('a `Map` lookup.');
  print();
  print('| body | ours | svix + switch | octokit | node:crypto floor | ours / faster peer | ours / floor (time) |');
  print('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const verdicts: string[] = [];
  for (const size of [1024, 16 * 1024]) {
    const stamp = new Date();
    const svixSigner = new SvixWebhook(secret);
    const octokitSigner = new OctokitWebhooks({ secret });
    const deliveries = await Promise.all(
      Array.from({ length: POOL }, async (_, i) => {
        const envelope: Envelope = {
          id: `evt_${size}_${i}`,
          event: 'call.completed',
          timestamp: stamp.toISOString(),
          data: { transcript: '' },
        };
        envelope.data.transcript = 'x'.repeat(size - JSON.stringify(envelope).length);
        const body = JSON.stringify(envelope);
        const hex = createHmac('sha256', secret).update(body).digest('hex');
        const headers: Record<string, Record<string, string>> = {
          ours: { 'content-type': 'application/json', 'x-webhook-signature': `sha256=${hex}` },
          svix: {
            'content-type': 'application/json',
            'webhook-id': envelope.id,
            'webhook-timestamp': String(Math.floor(+stamp / 1000)),
            'webhook-signature': svixSigner.sign(envelope.id, stamp, body),
          },
          octokit: {
            'content-type': 'application/json',
            'x-github-delivery': envelope.id,
            'x-github-event': 'call.completed',
            'x-hub-signature-256': await octokitSigner.sign(body),
          },
        };
        headers.floor = headers.ours as Record<string, string>;
        return { body, headers };
      }),
    );

    const handled = { ours: 0, svix: 0, octokit: 0, floor: 0 };
    const makers: Record<keyof typeof handled, () => Receiver> = {
      ours: () =>
        webhooks.createWebhookHandler({
          secret,
          store: webhooks.memoryStore(),
          on: {
            'call.completed': () => {
              handled.ours++;
            },
          },
        }).fetch,
      svix: () => {
        const svix = new SvixWebhook(secret);
        const seen = new Map<string, true>();
        return async (request) => {
          const payload = await request.text();
          let delivery: Envelope;
          try {
            delivery = svix.verify(payload, {
              'webhook-id': request.headers.get('webhook-id') ?? '',
              'webhook-timestamp': request.headers.get('webhook-timestamp') ?? '',
              'webhook-signature': request.headers.get('webhook-signature') ?? '',
            }) as Envelope;
          } catch {
            return respond(400, { error: 'invalid_signature' });
          }
          if (seen.has(delivery.id)) return respond(200, { status: 'duplicate' });
          seen.set(delivery.id, true);
          switch (delivery.event) {
            case 'call.completed':
              handled.svix++;
              break;
          }
          return respond(200, { status: 'handled' });
        };
      },
      octokit: () => {
        // 'call.completed' is not a GitHub event: octokit warns once per registration, which says nothing here.
        const octokit = new OctokitWebhooks({ secret, log: { warn: () => {} } });
        const seen = new Map<string, true>();
        octokit.on('call.completed' as never, ({ payload }: { payload: Envelope }) => {
          if (seen.has(payload.id)) return;
          seen.set(payload.id, true);
          handled.octokit++;
        });
        return async (request) => {
          const payload = await request.text();
          try {
            await octokit.verifyAndReceive({
              id: request.headers.get('x-github-delivery') ?? '',
              name: request.headers.get('x-github-event') ?? '',
              payload,
              signature: request.headers.get('x-hub-signature-256') ?? '',
            });
          } catch {
            return respond(400, { error: 'invalid_signature' });
          }
          return respond(200, { status: 'handled' });
        };
      },
      floor: () => {
        const seen = new Map<string, true>();
        return async (request) => {
          const payload = await request.text();
          const signature = Buffer.from((request.headers.get('x-webhook-signature') ?? '').slice('sha256='.length), 'hex');
          const digest = createHmac('sha256', secret).update(payload).digest();
          if (signature.length !== digest.length || !timingSafeEqual(signature, digest))
            return respond(400, { error: 'invalid_signature' });
          const delivery = JSON.parse(payload) as Envelope;
          if (seen.has(delivery.id)) return respond(200, { status: 'duplicate' });
          seen.set(delivery.id, true);
          if (delivery.event === 'call.completed') handled.floor++;
          return respond(200, { status: 'handled' });
        };
      },
    };
    const sent = { ours: 0, svix: 0, octokit: 0, floor: 0 };
    const tasks = Object.fromEntries(
      (Object.keys(makers) as (keyof typeof makers)[]).map((name) => {
        const make = makers[name];
        let receive = make();
        return [
          name,
          async () => {
            const i = sent[name]++ % POOL;
            // Once the pool wraps, a new state, to which its ids are new.
            if (i === 0 && sent[name] > 1) receive = make();
            const { body, headers } = deliveries[i] as (typeof deliveries)[number];
            const response = await receive(new Request('http://localhost/webhooks', { method: 'POST', headers: headers[name], body }));
            if (response.status !== 200) throw new Error(`${name}: ${response.status} ${await response.text()}`);
          },
        ];
      }),
    );
    const results = await compare(tasks);
    // Every delivery reached its handler once: nothing was refused or taken for a duplicate.
    for (const name of Object.keys(makers) as (keyof typeof makers)[]) {
      if (handled[name] !== sent[name]) throw new Error(`${name}: ${sent[name]} sent, ${handled[name]} handled`);
    }
    const perSecond = Object.fromEntries(results.map(({ name, p50 }) => [name, 1000 / p50])) as Record<string, number>;
    const [ours, svix, octokit, floor] = ['ours', 'svix', 'octokit', 'floor'].map((name) => perSecond[name] as number) as [
      number,
      number,
      number,
      number,
    ];
    const fasterPeer = Math.max(svix, octokit);
    const fmt = (n: number) => `${Math.round(n).toLocaleString('en')}/s`;
    print(
      `| ${size / 1024} KB | ${fmt(ours)} | ${fmt(svix)} | ${fmt(octokit)} | ${fmt(floor)} | ${(ours / fasterPeer).toFixed(2)}× | ${(floor / ours).toFixed(2)}× |`,
    );
    verdicts.push(
      `- ${size / 1024} KB: ours / faster peer ${(ours / fasterPeer).toFixed(2)}× (${ours / fasterPeer >= 2 ? 'meets' : 'misses'} ≥ 2×); ours / floor ${(floor / ours).toFixed(2)}× (${verdict(floor / ours, 1.3)})`,
    );
  }
  print();
  for (const line of verdicts) print(line);
  print();
  print('Targets (issue 22): ours ≥ 2× the faster of svix and octokit, and ≤ 1.3× the floor, at both sizes.');
  print();
}

const nodeVersion = process.version;
print(`# Benchmark run${SMOKE ? ' (smoke pass: too short to read)' : ''}`);
print();
print(
  `${cpus().length} × ${cpus()[0]?.model}, Node ${nodeVersion}, ${new Date().toISOString().slice(0, 10)}; ${ROUNDS} interleaved round(s) of ${TASK_TIME_MS} ms per task.`,
);
print();
if (ONLY === 'deliveries') {
  await deliveriesSection();
} else {
  const { url, child } = await startServer();
  try {
    const kros = await httpSections(url);
    await verificationSection();
    importSection();
    await heapSection(kros);
    await deliveriesSection();
  } finally {
    child.kill();
  }
}
