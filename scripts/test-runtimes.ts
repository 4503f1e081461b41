/**
 * `npm run test:runtimes`: the packed package, installed as users install it, runs one shared
 * scenario (runtimes/scenario.js) in every runtime docs/runtimes.md names: Node 18, 20, 22 and 24, Bun,
 * Deno, workerd, Vercel's Edge runtime, Chromium and a Chromium worker. The runtimes come from npm, pinned in
 * runtimes/package.json and installed there on first use, outside the project's node_modules.
 * Prism and the fault servers (a server that never answers, one that answers 429 then 200, one that
 * redirects to another origin) run here, on free loopback ports. One line per runtime, then
 * "N passed, N failed" over every step; the exit code is non-zero if any step failed.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import { type BuildOptions, build } from 'esbuild';
import { chromium as playwright } from 'playwright-core';
import { startPrism } from './prism.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNTIMES = join(ROOT, 'runtimes');
const runtimeRequire = createRequire(join(RUNTIMES, 'package.json'));
const bin = (path: string) => join(RUNTIMES, 'node_modules', path);

interface Result {
  build: string;
  steps: Record<string, string | null>;
  resolved?: string;
}
interface Runtime {
  name: string;
  /** Runs the scenario in the consumer `dir`; returns the runtime's version and the scenario's result. */
  run(dir: string, config: object): Promise<{ version: string; result: Result }>;
}

// The bundlers' export conditions: wrangler's for workerd, Next.js's for Vercel Edge, the browser's for
// Chromium. Returns the bundle and which of the package's files went into it.
const bundle = async (dir: string, adapter: string, options: BuildOptions) => {
  const { outputFiles, metafile } = await build({
    entryPoints: [join(dir, adapter)],
    bundle: true,
    write: false,
    metafile: true,
    absWorkingDir: dir,
    ...options,
  });
  const [output] = outputFiles ?? [];
  if (!output) throw new Error(`esbuild made no bundle of ${adapter}`);
  const resolved = Object.keys(metafile?.inputs ?? {}).find((input) => /@krosai\/cockpit\/dist\/(node|web)\/index\.js$/.test(input));
  return { code: output.text, resolved };
};

const processRuntime = (name: string, command: string, args: string[] = []): Runtime => ({
  name,
  async run(dir, config) {
    // `v20.20.2`, `1.4.5`, `deno 2.9.6 (stable, …)`: the version number, whatever it comes with.
    const version = `${name.split(' ')[0]} ${/\d+\.\d+\.\d+/.exec(await exec(command, ['--version'], dir))?.[0]}`;
    const stdout = await exec(command, [...args, 'process.js'], dir, { KROS_MATRIX: JSON.stringify(config) });
    return { version, result: JSON.parse(stdout.trim().split('\n').at(-1) ?? '') };
  },
});

const RUNTIME_LIST: Runtime[] = [
  processRuntime('node 18', bin('node18/bin/node')),
  processRuntime('node 20 (host)', process.execPath),
  processRuntime('node 22', bin('node22/bin/node')),
  processRuntime('node 24', bin('node24/bin/node')),
  processRuntime('bun', bin('.bin/bun')),
  processRuntime('deno', bin('.bin/deno'), ['run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', '--no-prompt']),
  {
    name: 'workerd (miniflare)',
    async run(dir, config) {
      const { code: script, resolved } = await bundle(dir, 'workerd.js', {
        format: 'esm',
        platform: 'neutral',
        conditions: ['workerd', 'worker', 'browser'],
      });
      const { Miniflare } = await import(runtimeRequire.resolve('miniflare'));
      const miniflare = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' });
      try {
        const response = await miniflare.dispatchFetch('http://matrix.local/', { method: 'POST', body: JSON.stringify(config) });
        const version = `workerd ${(await exec(bin('.bin/workerd'), ['--version'], dir)).trim().split(' ')[1]}, miniflare ${packageVersion('miniflare')}`;
        return { version, result: { ...(await response.json()), resolved } };
      } finally {
        await miniflare.dispose();
      }
    },
  },
  {
    name: 'vercel edge (edge-runtime)',
    async run(dir, config) {
      const { code: initialCode, resolved } = await bundle(dir, 'edge.js', {
        format: 'iife',
        platform: 'neutral',
        conditions: ['edge-light', 'worker', 'browser'],
      });
      const { EdgeRuntime } = await import(runtimeRequire.resolve('edge-runtime'));
      const runtime = new EdgeRuntime({ initialCode });
      const response = await runtime.dispatchFetch('http://matrix.local/', { method: 'POST', body: JSON.stringify(config) });
      return { version: `edge-runtime ${packageVersion('edge-runtime')}`, result: { ...(await response.json()), resolved } };
    },
  },
  {
    name: 'chromium',
    run: (dir, config) => inChromium(dir, config, 'browser.js', '<script type="module" src="/scenario.js"></script>'),
  },
  {
    // No window and no document: the browser guards must still know where they are.
    name: 'chromium worker',
    run: (dir, config) =>
      inChromium(
        dir,
        config,
        'worker.js',
        `<script type="module">
          const worker = new Worker('/scenario.js' + location.hash, { type: 'module' });
          window.matrixResult = new Promise((resolve) => { worker.onmessage = (message) => resolve(message.data); });
        </script>`,
      ),
  },
];

/** Runs the scenario bundled from `adapter` in headless Chromium, on a page of its own origin holding `script`. */
async function inChromium(dir: string, config: object, adapter: string, script: string) {
  const { code, resolved } = await bundle(dir, adapter, { format: 'esm', platform: 'browser' });
  const page = `<!doctype html><meta charset="utf-8"><title>matrix</title>${script}`;
  const server = await listen((request, response) => {
    const [type, body] = request.url?.startsWith('/scenario.js') ? ['text/javascript', code] : ['text/html', page];
    response.writeHead(200, { 'content-type': type }).end(body);
  });
  const executablePath = process.env.CHROMIUM_PATH || (await chromium.executablePath());
  // Without the serverless flag that turns CORS off: every call here crosses origins, as on a real page.
  const browser = await playwright.launch({ executablePath, args: chromium.args.filter((arg) => arg !== '--disable-web-security') });
  try {
    const tab = await browser.newPage();
    await tab.goto(`${origin(server)}/#${encodeURIComponent(JSON.stringify(config))}`);
    await tab.waitForFunction(() => 'matrixResult' in window);
    const result = await tab.evaluate(() => (window as unknown as { matrixResult: Promise<Result> }).matrixResult);
    return { version: `chromium ${browser.version()}`, result: { ...result, resolved } };
  } finally {
    await browser.close();
    await close(server);
  }
}

/** Steps in the order the scenario runs them (`require` only where the runtime has one), then the host's build check. */
const STEPS = [
  'import',
  'require',
  'operations',
  'spec',
  'timeout',
  'abort',
  'retry-429',
  'no-redirect',
  'live-key-guard',
  'verify',
  'verify-reused-buffer',
  'build',
];

async function main() {
  const only = process.argv.slice(2);
  const runtimes = only.length ? RUNTIME_LIST.filter((runtime) => only.some((name) => runtime.name.startsWith(name))) : RUNTIME_LIST;
  const timings: string[] = [];
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings.push(`${what} ${seconds(started)}`);
    }
  };
  const scratch = await mkdtemp(join(tmpdir(), 'kros-runtimes-'));
  process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  await timed('runtimes install', installRuntimes);
  const tarball = await timed('build and npm pack', async () => {
    await exec('npm', ['run', '--silent', 'build'], ROOT);
    const stdout = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT);
    return join(scratch, JSON.parse(stdout)[0].filename);
  });
  const prism = await timed('prism start', startPrism);
  const listBody = await (await fetch(`${prism.url}/webhooks`, { headers: { authorization: 'Bearer kros_test_matrix' } })).text();
  const faults = await startFaultServers(listBody);

  let passed = 0;
  let failed = 0;
  try {
    for (const runtime of runtimes) {
      const id = runtime.name
        .split(' ')
        .slice(0, 2)
        .join('-')
        .replace(/[^a-z0-9-]/g, '');
      const config = { prismUrl: prism.url, faultUrl: `${faults.url}/${id}`, delivery: signedDelivery() };
      let line: string;
      try {
        const started = Date.now();
        const dir = await consumer(scratch, id, tarball);
        const installed = seconds(started);
        const ran = Date.now();
        const { version, result } = await withTimeout(runtime.run(dir, config), 180_000, runtime.name);
        hostChecks(result, faults.hits, id);
        for (const step of STEPS.filter((name) => name in result.steps)) result.steps[step] === null ? passed++ : failed++;
        const steps = STEPS.filter((name) => name in result.steps).map(
          (name) => `${name} ${result.steps[name] === null ? 'pass' : 'FAIL'}`,
        );
        const reasons = Object.entries(result.steps).filter(([, why]) => why !== null);
        const file = /\/dist\/.*/.exec(result.resolved ?? '')?.[0].slice(1) ?? 'file unknown';
        line = `${runtime.name.padEnd(27)} ${version.padEnd(42)} build=${result.build} (${file})  ${steps.join(', ')}  (install ${installed}, run ${seconds(ran)})`;
        line += reasons.map(([step, why]) => `\n    ${step}: ${why}`).join('');
      } catch (error) {
        failed++;
        line = `${runtime.name.padEnd(27)} did not run: ${(error as Error).message.split('\n')[0]}`;
      }
      console.log(line);
    }
  } finally {
    await faults.stop();
    await prism.stop();
  }
  console.log(`timings: ${timings.join(', ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  // Not waiting for a runtime that outlived its time limit.
  process.exit(failed === 0 ? 0 : 1);
}

/** What only the host sees: the other origin got nothing, and the 429 was answered by exactly one retry. */
function hostChecks(result: Result, hits: Map<string, number>, id: string) {
  const redirected = hits.get(`${id}/sink`) ?? 0;
  if (redirected > 0)
    result.steps['no-redirect'] = `${result.steps['no-redirect'] ?? 'rejected'}; the other origin received ${redirected} request(s)`;
  const rateLimited = hits.get(`${id}/rate-limited`) ?? 0;
  if (result.steps['retry-429'] === null && rateLimited !== 2)
    result.steps['retry-429'] = `${rateLimited} requests, not 429 then one retry`;
  // Two witnesses of the build: the file the loader or bundler resolved, and what the verifier ran on.
  const named = /\/dist\/(node|web)\//.exec(result.resolved ?? '')?.[1];
  result.steps.build =
    named === result.build ? null : `resolved ${result.resolved ?? 'an unknown file'}, verified as the ${result.build} build`;
}

/** The runtimes' pinned install, redone only when runtimes/package-lock.json changed. */
async function installRuntimes() {
  const lock = createHash('sha256')
    .update(await readFile(join(RUNTIMES, 'package-lock.json')))
    .digest('hex');
  const stamp = join(RUNTIMES, 'node_modules/.installed-lock');
  if ((await readFile(stamp, 'utf8').catch(() => '')) === lock) return;
  console.log('installing the runtimes into runtimes/node_modules (first use: about 700 MB from npm)…');
  await exec('npm', ['ci', '--no-audit', '--no-fund'], RUNTIMES);
  await writeFile(stamp, lock);
}

/** A scratch project with the tarball installed, as `npm install @krosai/cockpit` would, plus the scenario. */
async function consumer(scratch: string, id: string, tarball: string): Promise<string> {
  const dir = join(scratch, id);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${id}`, private: true, type: 'module' }));
  await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], dir);
  await copyFile(join(RUNTIMES, 'scenario.js'), join(dir, 'scenario.js'));
  for (const adapter of ['process', 'workerd', 'edge', 'browser', 'worker']) {
    await copyFile(join(RUNTIMES, `adapters/${adapter}.js`), join(dir, `${adapter}.js`));
  }
  return dir;
}

/** A delivery signed here with node:crypto, as KrosAI signs (`sha256=<hex>` of the raw body), and a tampered copy. */
function signedDelivery() {
  const secret = `whsec_${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
  const id = 'evt_matrix';
  const body = JSON.stringify({ id, event: 'call.completed', timestamp: new Date().toISOString(), data: { call_id: 'call_1' } });
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return { id, body, tampered: body.replace('call_1', 'call_2'), signature, secret };
}

/**
 * One server for the faults, addressed by path (`/<runtime>/<fault>/webhooks`), and one on another
 * origin that a redirect points to: it counts whatever reaches it. Both answer CORS for the browser.
 */
async function startFaultServers(listBody: string) {
  const hits = new Map<string, number>();
  const count = (key: string) => hits.set(key, (hits.get(key) ?? 0) + 1);
  const cors = (request: IncomingMessage) => ({
    'access-control-allow-origin': '*',
    'access-control-allow-methods': '*',
    'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
    'access-control-expose-headers': '*',
  });
  const json = { 'content-type': 'application/json' };
  const sink = await listen((request, response) => {
    count(`${request.url?.split('/')[1]}/sink`);
    response.writeHead(200, { ...cors(request), ...json }).end(listBody);
  });
  const faults = await listen((request, response) => {
    if (request.method === 'OPTIONS') return response.writeHead(204, cors(request)).end();
    const [, id, fault] = (request.url ?? '').split('/');
    const key = `${id}/${fault}`;
    count(key);
    if (fault === 'hang') return;
    if (fault === 'rate-limited' && hits.get(key) === 1) {
      return response.writeHead(429, { ...cors(request), ...json, 'retry-after': '1' }).end('{"error":"rate_limited"}');
    }
    if (fault === 'rate-limited') return response.writeHead(200, { ...cors(request), ...json }).end(listBody);
    if (fault === 'redirect') return response.writeHead(307, { ...cors(request), location: `${origin(sink)}/${id}/webhooks` }).end();
    response.writeHead(404, cors(request)).end();
  });
  return {
    url: origin(faults),
    hits,
    stop: async () => {
      await close(faults);
      await close(sink);
    },
  };
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const origin = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function close(server: Server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

function exec(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, timeout: 600_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

function packageVersion(name: string): string {
  return runtimeRequire(`${name}/package.json`).version;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

await main().catch((error) => {
  console.error(error);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
