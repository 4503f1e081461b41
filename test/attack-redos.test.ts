/**
 * Attack: error text a server (or a chatty fetch) picks goes through the redactor. A pattern that
 * backtracks over it made one answer of a few dozen KiB block the event loop for seconds; the
 * default maxResponseBytes (10 MiB) would have allowed hours. An error body must become an error in
 * well under a second, at a cost linear in its size.
 */
import { createKrosClient, KrosApiError, KrosConnectionError } from '@krosai/cockpit';
import { describe, expect, it } from 'vitest';
import { serversPerTest } from './helpers/clients.ts';
import { reply } from './helpers/server.ts';

const KEY = 'kros_live_ATTACKREDOS42';
const serve = serversPerTest();

/** How long the event loop was blocked at most while `pending` ran, and how the call ended. */
async function blocked(pending: Promise<unknown>) {
  let worst = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  const outcome = await pending.then(
    () => undefined,
    (error: unknown) => error,
  );
  clearInterval(tick);
  return { outcome, worstStallMs: Math.max(worst, performance.now() - last) };
}

async function errorFrom(status: number, body: unknown) {
  const api = await serve(reply(status, body));
  return blocked(createKrosClient({ baseUrl: api.url, apiKey: KEY, maxRetries: 0 }).webhooks.list());
}

describe('redaction cost is linear in the size of what a server sends', () => {
  it.each([
    ['a 400 whose JSON error is 48 KiB of spaces', 400, { error: ' '.repeat(48 * 1024), code: 'BAD' }],
    ['a 502 text body of "eyJ" repeated (48 KiB, as from a proxy)', 502, 'eyJ'.repeat(16 * 1024)],
    ['a realistic 48 KiB HTML error page from a proxy', 502, `<html>\n${'  <div class="x">Bad gateway</div>\n'.repeat(1300)}</html>`],
  ])(
    'turns %s into KrosApiError without blocking the event loop for seconds',
    async (_name, status, body) => {
      const { outcome, worstStallMs } = await errorFrom(status, body);
      expect(outcome).toBeInstanceOf(KrosApiError);
      expect(worstStallMs).toBeLessThan(500);
    },
    60_000,
  );

  it('stalls at most about twice as long for a whitespace error body twice as large', async () => {
    const stalls: number[] = [];
    for (const size of [16 * 1024, 32 * 1024]) stalls.push((await errorFrom(400, ' '.repeat(size))).worstStallMs);
    // Linear redaction stalls ~2x (both well under 50 ms); quadratic, ~4x.
    expect(stalls[1]).toBeLessThan(Math.max(50, (stalls[0] as number) * 3));
  }, 60_000);

  it("a custom fetch whose error message is 48 KiB of whitespace (a chatty polyfill's dump) does not stall", async () => {
    const chatty: typeof fetch = async () => {
      throw new Error(`failed:${'\n'.repeat(48 * 1024)}end`);
    };
    const kros = createKrosClient({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY, maxRetries: 0, fetch: chatty });
    const { outcome, worstStallMs } = await blocked(kros.webhooks.list());
    expect(outcome).toBeInstanceOf(KrosConnectionError);
    expect(worstStallMs).toBeLessThan(500);
  }, 60_000);
});
