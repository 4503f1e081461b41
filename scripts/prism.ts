/**
 * Starts Prism for the vendored spec on a free loopback port, for the tests and the demo: a mock
 * server, or a validating proxy in front of a real upstream (the stateful mock). Prism is spawned
 * with node directly (npx would leave it orphaned on SIGTERM) and is killed when this process
 * exits, however it exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRISM = `${ROOT}node_modules/@stoplight/prism-cli/dist/index.js`;
const SPEC = `${ROOT}openapi/krosai-cockpit.json`;

export interface PrismServer {
  url: string;
  stop(): Promise<void>;
}

/** A Prism mock: it answers every request from the spec and keeps no state. */
export function startPrism(): Promise<PrismServer> {
  return spawnPrism(['mock', SPEC]);
}

/**
 * A Prism proxy that forwards to `upstream` and reports in an `sl-violations` header where the
 * request or the upstream's response departs from the spec. `--errors` turns a response violation
 * into a Prism error (and answers invalid requests itself, without forwarding them).
 */
export function startPrismProxy(upstream: string, flags: ('--errors' | '--validate-request=false')[] = ['--errors']): Promise<PrismServer> {
  return spawnPrism(['proxy', SPEC, upstream, ...flags]);
}

async function spawnPrism(args: string[]): Promise<PrismServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, ...args, '--host', '127.0.0.1', '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    await terminate(child);
  };
  try {
    await waitUntilAnswering(url, child, 30_000);
  } catch (error) {
    await stop();
    throw new Error(`Prism did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { url, stop };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port assigned');
  return address.port;
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no answer on ${url} within ${timeoutMs} ms`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(forced);
}
