/**
 * `npm run bench:runtimes`: webhook verification by the package's Web Crypto build, measured inside
 * workerd (through Miniflare) and Chromium against standardwebhooks and svix run there too. One module,
 * bench/verify-in-runtime.ts, is bundled with esbuild per runtime (that runtime's export conditions)
 * and run in a worker and in a page; it times itself with `performance.now()`. The host only signs the
 * bodies, asks for the rounds one by one and prints a table per runtime.
 *
 * `-- --smoke` runs every runtime and every task briefly (CI: it must run; it asserts no timing). A full
 * run also writes bench/RESULTS-runtimes.md, keeping what follows its `<!-- reading -->` line.
 * Runtimes come from runtimes/ (`npm run test:runtimes` installs them on first use).
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import { type BuildOptions, build } from 'esbuild';
import { chromium as playwright } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { BenchCase, RoundConfig, RoundResult } from './verify-in-runtime.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNTIMES = join(ROOT, 'runtimes');
const runtimeRequire = createRequire(join(RUNTIMES, 'package.json'));
const SMOKE = process.argv.includes('--smoke');
const ROUNDS = SMOKE ? 1 : 5;
const TASK_MS = SMOKE ? 20 : 1000;
const SAMPLE_MS = SMOKE ? 5 : 100;
const SIZES = [1024, 16 * 1024, 256 * 1024];
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const RESULTS = join(ROOT, 'bench/RESULTS-runtimes.md');
const READING_MARK = '<!-- reading -->';

interface Runtime {
  name: string;
  /** Bundles the benchmark for the runtime, starts it, and returns a way to run a round, and to stop. */
  start(): Promise<{ version: string; resolved: string; round(config: RoundConfig): Promise<RoundResult>; stop(): Promise<void> }>;
}

// The package resolved by name, as a consumer's bundler does: a scratch node_modules holding a link to this checkout.
const scratch = mkdtempSync(join(tmpdir(), 'kros-bench-runtimes-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, 'node_modules/@krosai'), { recursive: true });
symlinkSync(ROOT, join(scratch, 'node_modules/@krosai/cockpit'));

/** The bundle of an entry importing the benchmark, and which build of the package went into it. */
async function bundle(entry: string, options: BuildOptions) {
  const { outputFiles, metafile } = await build({
    stdin: { contents: entry, resolveDir: join(ROOT, 'bench'), loader: 'ts' },
    bundle: true,
    write: false,
    metafile: true,
    nodePaths: [join(scratch, 'node_modules')],
    // Not the project's tsconfig: its `paths` point the package's name at src/, not at the build users get.
    tsconfigRaw: {},
    logLevel: 'warning',
    ...options,
  });
  const resolved = Object.keys(metafile?.inputs ?? {})
    .filter((input) => /(^|\/)dist\/(node|web)\/webhooks\.js$/.test(input))
    .map((input) => /dist\/.*/.exec(input)?.[0]);
  if (resolved.length !== 1 || resolved[0] !== 'dist/web/webhooks.js') {
    throw new Error(`expected the Web Crypto build (dist/web/webhooks.js) in the bundle, got ${resolved.join(', ') || 'none'}`);
  }
  return { code: outputFiles?.[0]?.text ?? '', resolved: resolved[0] };
}

const RUNTIME_LIST: Runtime[] = [
  {
    name: 'workerd (miniflare)',
    async start() {
      // A timer is an I/O event for workerd: its clock reads the true time again after one (see the module's header).
      const { code: script, resolved } = await bundle(
        `import { runRound } from './verify-in-runtime.ts';
        const boundary = () => new Promise((resolve) => setTimeout(resolve, 0));
        export default {
          async fetch(request) {
            if (request.method !== 'POST') return new Response('ready');
            return Response.json(await runRound(await request.json(), boundary));
          },
        };`,
        { format: 'esm', platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['browser', 'module', 'main'] },
      );
      const { Miniflare } = await import(runtimeRequire.resolve('miniflare'));
      const miniflare = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' });
      // Started before the rounds, so that the clock check compares rounds only.
      await (await miniflare.dispatchFetch('http://bench.local/')).text();
      const workerd = execFileSync(join(RUNTIMES, 'node_modules/.bin/workerd'), ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
      return {
        version: `workerd ${workerd}, miniflare ${runtimeRequire('miniflare/package.json').version}`,
        resolved,
        async round(config) {
          const response = await miniflare.dispatchFetch('http://bench.local/', { method: 'POST', body: JSON.stringify(config) });
          if (!response.ok) throw new Error(`workerd answered ${response.status}: ${await response.text()}`);
          return response.json();
        },
        stop: () => miniflare.dispose(),
      };
    },
  },
  {
    name: 'chromium',
    async start() {
      // A message on a channel: an awaited task that browsers do not clamp to 4 ms, as they clamp nested timers.
      const { code, resolved } = await bundle(
        `import { runRound } from './verify-in-runtime.ts';
        const channel = new MessageChannel();
        const waiting = [];
        channel.port1.onmessage = () => waiting.shift()();
        const boundary = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });
        window.runRound = (config) => runRound(config, boundary);`,
        { format: 'esm', platform: 'browser' },
      );
      const page = '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="/bench.js"></script>';
      // Served from 127.0.0.1: a secure context, which Web Crypto requires.
      const server = createServer((request, response) => {
        const [type, body] = request.url === '/bench.js' ? ['text/javascript', code] : ['text/html', page];
        response.writeHead(200, { 'content-type': type }).end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const executablePath = process.env.CHROMIUM_PATH || (await chromium.executablePath());
      const browser = await playwright.launch({ executablePath, args: chromium.args.filter((arg) => arg !== '--disable-web-security') });
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await tab.waitForFunction(() => 'runRound' in window);
      return {
        version: `chromium ${browser.version()}`,
        resolved,
        round: (config) =>
          tab.evaluate((config) => (window as unknown as { runRound(config: RoundConfig): Promise<RoundResult> }).runRound(config), config),
        async stop() {
          await browser.close();
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        },
      };
    },
  },
];

/** Bodies of each size, signed here with node:crypto as KrosAI signs, and with standardwebhooks for the peers. */
function benchCases(): BenchCase[] {
  const standard = new StandardWebhook(SECRET);
  return SIZES.map((size) => {
    const envelope = { id: 'evt_bench', event: 'call.completed', timestamp: new Date().toISOString(), data: { transcript: '' } };
    envelope.data.transcript = 'x'.repeat(size - JSON.stringify(envelope).length);
    const body = JSON.stringify(envelope);
    const stamp = new Date();
    return {
      size,
      body,
      signature: `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      peerHeaders: {
        'webhook-id': 'msg_bench',
        'webhook-timestamp': String(Math.floor(+stamp / 1000)),
        'webhook-signature': standard.sign('msg_bench', stamp, body),
      },
    };
  });
}

const lines: string[] = [];
const print = (line = '') => {
  lines.push(line);
  console.log(line);
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const spread = (values: number[], format: (n: number) => string) =>
  values.length > 1
    ? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`
    : format(values[0] as number);
const perSecond = (n: number) => Math.round(n).toLocaleString('en');
const times = (n: number) => `${n.toFixed(2)}×`;

async function measure(runtime: Runtime, cases: BenchCase[]) {
  const started = await runtime.start();
  // ops[size][task] holds one figure per round.
  const ops = new Map<string, number[]>();
  let inside = 0;
  let wall = 0;
  let boundary = 0;
  let tasks: readonly string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const before = performance.now();
      const result = await started.round({ secret: SECRET, cases, round, taskMs: TASK_MS, sampleMs: SAMPLE_MS });
      wall += performance.now() - before;
      inside += result.elapsedMs;
      boundary = Math.max(boundary, result.boundaryMs);
      tasks = result.tasks;
      for (const { size, task, opsPerSecond } of result.results) {
        const key = `${size}/${task}`;
        ops.set(key, [...(ops.get(key) ?? []), opsPerSecond]);
      }
      process.stderr.write(`${runtime.name}: round ${round + 1}/${ROUNDS} done\n`);
    }
  } finally {
    await started.stop();
  }
  print(`## ${runtime.name}: ${started.version}`);
  print();
  print(
    `Bundled with esbuild under its export conditions: resolved \`${started.resolved}\`. Clock check: the runtime's own clock saw ${((inside / wall) * 100).toFixed(1)}% of the host's wall time for the rounds; one awaited boundary costs ${(boundary * 1000).toFixed(0)} µs (taken off each sample).`,
  );
  print();
  print(`| body (ops/s) | ${tasks.join(' | ')} | ours (string) / faster peer | ours (bytes) / faster peer | target |`);
  print(`| --- | ${tasks.map(() => '---: | ').join('')}---: | ---: | --- |`);
  for (const { size } of cases) {
    const rounds = (task: string) => ops.get(`${size}/${task}`) ?? [];
    const fasterPeer = rounds('standardwebhooks').map((standard, i) => Math.max(standard, rounds('svix')[i] as number));
    const ratios = (task: string) => rounds(task).map((ours, i) => ours / (fasterPeer[i] as number));
    const target = size <= 1024 ? 1 : 2;
    const worst = Math.min(...ratios('ours (string)'), ...ratios('ours (bytes)'));
    const typical = Math.min(median(ratios('ours (string)')), median(ratios('ours (bytes)')));
    const verdict =
      worst >= target
        ? `≥ ${target}×: met in every round`
        : typical >= target
          ? `≥ ${target}×: met at the median only`
          : `≥ ${target}×: missed`;
    print(
      `| ${size / 1024} KB | ${tasks.map((task) => spread(rounds(task), perSecond)).join(' | ')} | ${spread(ratios('ours (string)'), times)} | ${spread(ratios('ours (bytes)'), times)} | ${verdict} |`,
    );
  }
  print();
}

async function main() {
  const cases = benchCases();
  print('# Webhook verification inside workerd and Chromium (the Web Crypto build)');
  print();
  print(
    `\`npm run bench:runtimes\`, ${new Date().toISOString().slice(0, 10)}, host Node ${process.version}, ${ROUNDS} interleaved rounds (task order rotated each round), ${TASK_MS} ms per task per round in samples of at least ${SAMPLE_MS} ms, timed with \`performance.now()\` inside the runtime. Operations per second: median over the rounds (slowest–fastest round). A ratio is taken within each round, then summarised the same way. Each peer verifies its own scheme (standard webhooks: id.timestamp.body, base64) over the same JSON body, given as a string; ours gets the string and, separately, its UTF-8 bytes; the floor is one \`crypto.subtle.verify\` with a key imported once, then \`JSON.parse\`.`,
  );
  print();
  let failed = false;
  for (const runtime of RUNTIME_LIST) {
    try {
      await measure(runtime, cases);
    } catch (error) {
      failed = true;
      print(`## ${runtime.name}: did not run: ${(error as Error).message}`);
      print();
    }
  }
  if (!SMOKE && !failed) {
    const previous = (() => {
      try {
        return readFileSync(RESULTS, 'utf8');
      } catch {
        return '';
      }
    })();
    const reading = previous.includes(READING_MARK) ? previous.slice(previous.indexOf(READING_MARK)) : `${READING_MARK}\n`;
    writeFileSync(RESULTS, `${lines.join('\n')}\n${reading}`);
    console.log(`written to ${RESULTS}`);
  }
  process.exit(failed ? 1 : 0);
}

await main();
