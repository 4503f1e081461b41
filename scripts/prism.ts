/**
 * Starts Prism for the vendored spec on a free loopback port, for the tests and the demo: a mock
 * server, or a validating proxy in front of a real upstream (the stateful mock). Prism is spawned
 * with node directly (npx would leave it orphaned on SIGTERM) and is killed when this process
 * exits, however it exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRISM = `${ROOT}node_modules/@stoplight/prism-cli/dist/index.js`;
const SPEC = `${ROOT}openapi/krosai-cockpit.json`;
/** How much of Prism's stderr is kept: enough for its last stack traces, bounded however long it runs. */
const STDERR_BYTES = 64 * 1024;

/** How a Prism process is doing: what a test that needed it prints when it fails. */
export interface PrismStatus {
  /** `code 1` or `signal SIGKILL` once Prism has exited; undefined while it runs. */
  exit: string | undefined;
  /** The last 64 KiB Prism wrote to stderr. */
  stderr: string;
}

export interface PrismServer {
  url: string;
  status(): PrismStatus;
  stop(): Promise<void>;
}

/** Called whenever Prism writes to stderr or exits, with its status. */
export type OnStatus = (status: PrismStatus) => void;

/** A Prism mock: it answers every request from the spec and keeps no state. */
export function startPrism(onStatus?: OnStatus): Promise<PrismServer> {
  return spawnPrism(['mock', SPEC], onStatus);
}

/**
 * A Prism proxy that forwards to `upstream` and reports in an `sl-violations` header where the
 * request or the upstream's response departs from the spec. `--errors` turns a response violation
 * into a Prism error (and answers invalid requests itself, without forwarding them).
 */
export function startPrismProxy(upstream: string, flags: ('--errors' | '--validate-request=false')[] = ['--errors']): Promise<PrismServer> {
  return spawnPrism(['proxy', SPEC, upstream, ...flags]);
}

async function spawnPrism(args: string[], onStatus: OnStatus = () => {}): Promise<PrismServer> {
  // Port 0: Prism binds a free port itself and prints it, so no other process can take the port
  // between our choosing it and Prism binding it (two test runs side by side start many servers).
  const child = spawn(process.execPath, [PRISM, ...args, '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = Buffer.alloc(0);
  const status = (): PrismStatus => ({ exit: exitOf(child), stderr: stderr.toString() });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = Buffer.concat([stderr, chunk]);
    if (stderr.length > STDERR_BYTES) stderr = stderr.subarray(stderr.length - STDERR_BYTES);
    onStatus(status());
  });
  child.once('exit', () => onStatus(status()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await terminate(child);
  };
  try {
    const url = await listeningUrl(child, 30_000);
    // Prism logs every request on stdout: keep draining it, or Prism blocks once the pipe is full.
    child.stdout?.resume();
    return { url, status, stop };
  } catch (error) {
    await stop();
    throw new Error(`Prism did not start: ${(error as Error).message}\n${status().stderr}`);
  }
}

/** The URL from Prism's "Prism is listening on http://127.0.0.1:<port>" line. */
function listeningUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => done(new Error(`it did not say it was listening within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      stdout += chunk;
      const url = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) done(undefined, url);
    };
    const onExit = () => done(new Error(`it exited (${exitOf(child)})`));
    const done = (error?: Error, url?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (url) resolve(url);
      else reject(error);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function exitOf(child: ChildProcess): string | undefined {
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  if (child.exitCode !== null) return `code ${child.exitCode}`;
  return undefined;
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(forced);
}
