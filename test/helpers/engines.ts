import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { terminate } from '../../scripts/prism.ts';

/**
 * PGlite is one Postgres backend. pglite-socket refuses a second connection unless `maxConnections`
 * allows it; then it runs the messages of every connection one at a time, in arrival order. A pg
 * query (Parse, Bind, Execute, Sync) that arrives in one piece runs whole before the next, so small
 * queries from many connections do not interleave. Enough for every pool of a test run.
 */
const MAX_CONNECTIONS = 32;

/** Postgres as PGlite, served on a free loopback port to any Postgres client. */
export async function startPostgres(): Promise<{ port: number; stop(): Promise<void> }> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
  await server.start();
  return {
    port: Number(server.getServerConn().split(':').pop()),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** The `pg` connection settings for {@link startPostgres}'s server. */
export const pgConfig = (port: number, max: number) => ({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max });

/** The redis-server on the PATH, if there is one. */
export const REDIS_SERVER = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

export interface RedisServer {
  port: number;
  /** What redis-server printed: shown when a test finds it gone. */
  output(): string;
  stop(): Promise<void>;
}

/** A throwaway redis-server (no persistence) on a free loopback port, killed when this process exits. */
export async function startRedis(): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error('no redis-server on the PATH');
  let lastOutput = '';
  // Redis cannot pick its own port: a port found free may be taken before it binds, so try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => (output = (output + chunk).slice(-16_384)));
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = async () => {
      process.off('exit', killOnExit);
      await terminate(child);
    };
    if (await ready(child, () => output)) return { port, output: () => output, stop };
    lastOutput = output;
    await stop();
  }
  throw new Error(`redis-server did not start:\n${lastOutput}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether the server said it accepts connections before it exited (or 30 s passed). */
function ready(child: ChildProcess, output: () => string): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => settle(false), 30_000);
    const check = () => {
      if (output().includes('Ready to accept connections')) settle(true);
    };
    const settle = (value: boolean) => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', exited);
      resolve(value);
    };
    const exited = () => settle(false);
    child.stdout?.on('data', check);
    child.once('exit', exited);
  });
}
