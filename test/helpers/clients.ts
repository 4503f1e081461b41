import { createKrosClient, type KrosClientOptions } from '@krosai/cockpit';
import { afterEach } from 'vitest';
import { type Responder, reply, startRawServer, startServer, type TestServer } from './server.ts';

/**
 * `serve(respond)` starts a local server (given bytes, one that answers exactly those); every server
 * it started is closed after each test.
 */
export function serversPerTest(): (answer?: Responder | Buffer) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (answer = reply(200, [])) => {
    const server = Buffer.isBuffer(answer) ? await startRawServer(answer) : await startServer(answer);
    servers.push(server);
    return server;
  };
}

/** A client with `options` (short timings, say) and a logger that keeps every line, warnings marked. */
export function loggingClient(options: KrosClientOptions) {
  const log: string[] = [];
  const logger = { info: (line: string) => log.push(line), warn: (line: string) => log.push(`WARN ${line}`) };
  return { kros: createKrosClient({ logger, ...options }), log };
}
