/**
 * Memory stays bounded whatever a server sends: each case runs the built package in a process of its
 * own and reads how far that process's peak memory rose during one call, beside the rise for an
 * ordinary answer (fetch's own first-call cost) measured in the same run.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Responder, reply, startServer, type TestServer } from './helpers/server.ts';

const MiB = 1024 * 1024;
const DEFAULT_LIMIT = 10 * MiB;
/** The body held up to the limit, fetch's and zlib's buffers ahead of the reader: before the cap, these cases rose by 240 MiB and 1.1 GiB. */
const BOUND = 6 * DEFAULT_LIMIT;
const PROBE = fileURLToPath(new URL('./fixtures/memory-probe.mjs', import.meta.url));

let server: TestServer | undefined;
afterEach(() => server?.close());

async function probe(respond: Responder): Promise<{ name: string; message: string; grewBytes: number }> {
  server = await startServer(respond);
  const url = server.url;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROBE, url], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))));
  });
}

describe('memory under a hostile server', () => {
  let ordinaryRise = 0;
  beforeAll(async () => {
    ordinaryRise = (await probe(reply(200, []))).grewBytes;
    await server?.close();
  });

  it('stays within a few times the limit for a 200 MiB body', async () => {
    const result = await probe((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(MiB, ' ');
      let sent = 0;
      const more = () => {
        while (sent++ < 200 && !response.destroyed) if (!response.write(chunk)) return response.once('drain', more);
        response.end('[]');
      };
      more();
    });
    expect(result.name).toBe('KrosInvalidResponseError');
    expect(result.grewBytes - ordinaryRise).toBeLessThan(BOUND);
  }, 30_000);

  it('stays within a few times the limit for a gzip body that inflates to 1 GiB', async () => {
    // Sixteen gzip members of 64 MiB of spaces each: under 1 MiB on the wire.
    const member = gzipSync(Buffer.alloc(64 * MiB, ' '));
    const bomb = Buffer.concat(Array.from({ length: 16 }, () => member));
    expect(bomb.length).toBeLessThan(MiB);
    const result = await probe((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(bomb);
    });
    expect(result.name).toBe('KrosInvalidResponseError');
    expect(result.grewBytes - ordinaryRise).toBeLessThan(BOUND);
  }, 30_000);
});
