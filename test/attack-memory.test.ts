/**
 * Attack: memory is bounded by bytes, not by chunks. A hostile server that sends its body one byte
 * per TCP write gets one chunk per byte into the reader; the transport keeps every chunk as its own
 * Uint8Array and races each read against the attempt's never-settling `stopped` promise (each race
 * leaves a reaction on it until the attempt ends). A body of a few hundred KiB, far under
 * maxResponseBytes, then raises the process's memory by hundreds of MiB within the default timeout.
 *
 * Runs the built package in its own process (test/fixtures/memory-probe.mjs, as memory.test.ts does)
 * and holds it to the README's claim: peak memory rises by less than six times the limit.
 */
import { execFile } from 'node:child_process';
import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const MiB = 1024 * 1024;
const README_BOUND = 6 * 10 * MiB;
const PROBE = fileURLToPath(new URL('./fixtures/memory-probe.mjs', import.meta.url));

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server that answers 400 with a chunked body written one byte per write for `seconds`. */
async function dripServer(seconds: number) {
  const stats = { bytes: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write('HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
      const end = Date.now() + seconds * 1000;
      const step = () => {
        if (socket.destroyed) return;
        if (Date.now() > end) return void socket.end('0\r\n\r\n');
        stats.bytes++;
        socket.write('1\r\nx\r\n', () => setImmediate(step));
      };
      step();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, stats };
}

function probe(url: string): Promise<{ name: string; grewBytes: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROBE, url], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))));
  });
}

it('a body dripped one byte per write (a few hundred KiB, under the limit) keeps memory within six times maxResponseBytes', async () => {
  const { url, stats } = await dripServer(12);
  const result = await probe(url);
  expect(result.name).toBe('KrosBadRequestError');
  expect(stats.bytes).toBeLessThan(10 * MiB);
  expect(result.grewBytes).toBeLessThan(README_BOUND);
}, 60_000);
