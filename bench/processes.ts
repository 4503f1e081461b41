/** The bench's child processes: the API stand-in, and one client alone (bench/one-client.ts). */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * bench/server.ts in a process of its own, so that it does not share the client's event loop.
 * Resolves once it listens; the caller kills `child` when done (the server also exits with its
 * parent's IPC channel).
 */
export async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', here('server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [port] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${port.toString().trim()}`, child };
}

/** Node's arguments for bench/one-client.ts: `calls` calls of the client `name` against `url`, twice (warm-up, then timed). */
export function oneClientArgs(name: string, url: string, calls: number): string[] {
  return ['--import', 'tsx', here('one-client.ts'), name, url, String(calls)];
}
