/**
 * Attack: the redactor's credential-shape regex is quadratic on some inputs, and it runs over every
 * string of every error body a server sends (message and `body`, via redactDeep). One hostile (or
 * broken) answer of a few dozen KiB blocks the event loop for seconds; the default
 * maxResponseBytes (10 MiB) allows hours.
 *
 * These tests state the behaviour a careful SDK should have (an error body is turned into an error
 * in well under a second) and FAIL on the current code.
 */
import { createKrosClient, KrosApiError, KrosConnectionError } from '@krosai/cockpit';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';
import { reply, startServer, type TestServer } from './helpers/server.ts';

const KEY = 'kros_live_ATTACKREDOS42';
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** How long the event loop was blocked at most while `pending` ran, and how long it took. */
async function blocked(pending: Promise<unknown>) {
  let worst = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  const outcome = await pending.then(
    () => undefined,
    (error: unknown) => error,
  );
  clearInterval(tick);
  return { outcome, ms: performance.now() - started, worstStallMs: Math.max(worst, performance.now() - last) };
}

describe('redaction cost is linear in the size of what a server sends', () => {
  it('a 400 whose JSON error is 48 KiB of spaces is turned into KrosApiError without blocking the event loop for seconds', async () => {
    const api = await startServer(reply(400, { error: ' '.repeat(48 * 1024), code: 'BAD' }));
    servers.push(api);
    const kros = createKrosClient({ baseUrl: api.url, apiKey: KEY, maxRetries: 0 });
    const { outcome, worstStallMs } = await blocked(kros.webhooks.list());
    expect(outcome).toBeInstanceOf(KrosApiError);
    expect(worstStallMs).toBeLessThan(500);
  }, 60_000);

  it('a 502 text body of "eyJ" repeated (48 KiB, as from a proxy) does not block the event loop for seconds', async () => {
    const api = await startServer(reply(502, 'eyJ'.repeat(16 * 1024)));
    servers.push(api);
    const kros = createKrosClient({ baseUrl: api.url, apiKey: KEY, maxRetries: 0 });
    const { outcome, worstStallMs } = await blocked(kros.webhooks.list());
    expect(outcome).toBeInstanceOf(KrosApiError);
    expect(worstStallMs).toBeLessThan(500);
  }, 60_000);

  it('cost grows quadratically: doubling a whitespace error body roughly quadruples the stall', async () => {
    const stalls: number[] = [];
    for (const size of [16 * 1024, 32 * 1024]) {
      const api = await startServer(reply(400, ' '.repeat(size)));
      servers.push(api);
      const kros = createKrosClient({ baseUrl: api.url, apiKey: KEY, maxRetries: 0 });
      const { worstStallMs } = await blocked(kros.webhooks.list());
      stalls.push(worstStallMs);
    }
    // Linear redaction would stall ~2x (both well under 50 ms); this asserts the linear behaviour.
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

// Sanity: the regex is not the only culprit if this one holds; a normal error body is cheap.
it('holds: a realistic 48 KiB HTML error page from a proxy is cheap to redact', async () => {
  const page = `<html>\n${'  <div class="x">Bad gateway</div>\n'.repeat(1300)}</html>`;
  const api = await startServer(reply(502, page));
  servers.push(api);
  const kros = createKrosClient({ baseUrl: api.url, apiKey: KEY, maxRetries: 0 });
  const { outcome, worstStallMs } = await blocked(kros.webhooks.list());
  expect(outcome).toBeInstanceOf(KrosApiError);
  expect(worstStallMs).toBeLessThan(500);
});

void rejectionOf;
