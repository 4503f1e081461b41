import { once } from 'node:events';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createKrosClient,
  KrosApiError,
  type KrosClientOptions,
  KrosConnectionError,
  KrosInvalidResponseError,
  KrosRateLimitError,
  KrosTimeoutError,
} from '@krosai/cockpit';
import { afterEach, describe, expect, it } from 'vitest';
import { delayed, hang, type Responder, reply, resetMidResponse, script, startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true };
const BODY = { url: 'https://example.com/hooks', events: ['call.completed' as const] };
const KEY = 'kros_live_FAULTSECRET42';

let server: TestServer | undefined;
afterEach(() => server?.close());

/** A client with short timings against a server scripted by `respond`, and its log lines. */
async function setup(respond: Responder, options: KrosClientOptions = {}) {
  server = await startServer(respond);
  const log: string[] = [];
  const logger = { info: (line: string) => log.push(line), warn: (line: string) => log.push(`WARN ${line}`) };
  const kros = createKrosClient({ baseUrl: server.url, apiKey: KEY, timeoutMs: 200, initialRetryDelayMs: 20, logger, ...options });
  return { kros, log, attempts: () => server!.requests.length };
}

/** Runs a call and reports how it ended and how long it took. */
async function timed<T>(pending: Promise<T>) {
  const started = performance.now();
  const outcome = await pending.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...outcome, ms: performance.now() - started };
}

async function closedPort(): Promise<string> {
  const closed = await startServer();
  await closed.close();
  return closed.url;
}

describe('connection failures', () => {
  it('retries a refused connection, then rejects with KrosConnectionError', async () => {
    const log: string[] = [];
    const kros = createKrosClient({
      baseUrl: await closedPort(),
      apiKey: KEY,
      initialRetryDelayMs: 20,
      logger: { info: (l) => log.push(l) },
    });
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(log).toHaveLength(2);
    expect(ms).toBeLessThan(1_000);
  });

  it('retries a create whose connection was refused, since the API never saw it', async () => {
    const url = await closedPort();
    const kros = createKrosClient({ baseUrl: url, apiKey: KEY, initialRetryDelayMs: 300 });
    const pending = timed(kros.webhooks.create(BODY));
    // The server comes up during the backoff wait, on the port the first attempt found closed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    server = await startServer(reply(201, WEBHOOK), Number(new URL(url).port));
    const { value, error, ms } = await pending;
    expect(error).toBeUndefined();
    expect(value).toEqual(WEBHOOK);
    expect(server.requests).toHaveLength(1);
    expect(ms).toBeLessThan(1_500);
  });

  it('retries a GET whose connection was reset mid-response', async () => {
    const { kros, attempts } = await setup(script(resetMidResponse, reply(200, [WEBHOOK])));
    const { value, ms } = await timed(kros.webhooks.list());
    expect(value).toEqual([WEBHOOK]);
    expect(attempts()).toBe(2);
    expect(ms).toBeLessThan(1_000);
  });

  it('does not retry a create whose connection was reset: it may have been created', async () => {
    const { kros, attempts } = await setup(resetMidResponse);
    const { error } = await timed(kros.webhooks.create(BODY));
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect(attempts()).toBe(1);
  });
});

describe('timeouts', () => {
  it('times out each attempt against a server that never answers, then rejects with KrosTimeoutError', async () => {
    const { kros, attempts } = await setup(hang);
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect((error as Error).message).toBe('the request timed out after 200 ms');
    expect(attempts()).toBe(3);
    expect(ms).toBeGreaterThanOrEqual(600);
    expect(ms).toBeLessThan(1_500);
  });

  it('closes the connection of an attempt that timed out before any answer: an API that hangs holds no socket', async () => {
    const socketsClosed: Promise<unknown>[] = [];
    const { kros } = await setup((_request, response) => socketsClosed.push(once(response.socket as Socket, 'close')), {
      maxRetries: 0,
      timeoutMs: 500,
    });
    expect((await timed(kros.webhooks.list())).error).toBeInstanceOf(KrosTimeoutError);
    expect(socketsClosed).toHaveLength(1);
    // Left open, undici would keep the socket until its own 300 s headers timeout.
    const stillOpen = sleep(1_000).then(() => 'still open');
    expect(await Promise.race([socketsClosed[0], stillOpen])).not.toBe('still open');
  });

  it('waits for slow headers that arrive within the timeout', async () => {
    const { kros, attempts } = await setup(delayed(100, reply(200, [WEBHOOK])), { timeoutMs: 400 });
    const { value, ms } = await timed(kros.webhooks.list());
    expect(value).toEqual([WEBHOOK]);
    expect(attempts()).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(100);
  });

  it('times out on headers slower than the timeout', async () => {
    const { kros, attempts } = await setup(delayed(300, reply(200, [WEBHOOK])), { maxRetries: 0 });
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(attempts()).toBe(1);
    expect(ms).toBeLessThan(300);
  });

  it('times out a body that stalls after the headers', async () => {
    const stall: Responder = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
    };
    const { kros, attempts } = await setup(stall, { maxRetries: 1 });
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(attempts()).toBe(2);
    expect(ms).toBeLessThan(1_000);
  });

  it('lets a request set its own timeout', async () => {
    const { kros } = await setup(delayed(300, reply(200, [WEBHOOK])));
    const { value } = await timed(kros.webhooks.list({ timeoutMs: 1_000 }));
    expect(value).toEqual([WEBHOOK]);
  });

  it('does not retry a create that timed out: it may have been created', async () => {
    const { kros, attempts } = await setup(hang);
    const { error } = await timed(kros.webhooks.create(BODY));
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(attempts()).toBe(1);
  });
});

describe('retryable statuses', () => {
  it('honours Retry-After on a 429, then succeeds', async () => {
    const { kros, attempts } = await setup(
      script(reply(429, { error: 'Rate limit exceeded' }, { 'retry-after': '1' }), reply(200, [WEBHOOK])),
    );
    const { value, ms } = await timed(kros.webhooks.list());
    expect(value).toEqual([WEBHOOK]);
    expect(attempts()).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(1_000);
    expect(ms).toBeLessThan(1_600);
  });

  it('retries a 503 twice, then succeeds', async () => {
    const { kros, attempts } = await setup(script(reply(503), reply(503), reply(200, [WEBHOOK])));
    const { value, ms } = await timed(kros.webhooks.list());
    expect(value).toEqual([WEBHOOK]);
    expect(attempts()).toBe(3);
    expect(ms).toBeLessThan(1_000);
  });

  it('exhausts its retries on a 500 every time, then rejects with KrosApiError', async () => {
    const { kros, attempts } = await setup(reply(500, { error: 'boom', code: 'INTERNAL' }));
    const { error, ms } = await timed(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosApiError);
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(attempts()).toBe(3);
    expect(ms).toBeLessThan(1_000);
  });

  it('never retries a 400', async () => {
    const { kros, attempts } = await setup(reply(400, { error: 'bad url' }));
    const { error } = await timed(kros.webhooks.update(ID, { url: 'https://example.com/x' }));
    expect(error).toMatchObject({ status: 400 });
    expect(attempts()).toBe(1);
  });

  it('fails at once, without sleeping, when Retry-After is longer than 60 s', async () => {
    const { kros, attempts, log } = await setup(reply(429, { error: 'Rate limit exceeded' }, { 'retry-after': '120' }));
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosRateLimitError);
    expect(error).toMatchObject({ retryAfter: 120 });
    expect(attempts()).toBe(1);
    expect(ms).toBeLessThan(200);
    expect(log).toEqual([expect.stringMatching(/^WARN .*asks to wait 120 s, longer than 60 s: not retrying$/)]);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const far = new Date(Date.now() + 120_000).toUTCString();
    const { kros, attempts } = await setup(reply(503, '', { 'retry-after': far }));
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosApiError);
    expect(attempts()).toBe(1);
    expect(ms).toBeLessThan(200);
  });

  it('honours retry-after-ms over the backoff', async () => {
    const { kros, attempts } = await setup(script(reply(503, '', { 'retry-after-ms': '300' }), reply(200, [WEBHOOK])), {
      initialRetryDelayMs: 5_000,
    });
    const { value, ms } = await timed(kros.webhooks.list());
    expect(value).toEqual([WEBHOOK]);
    expect(attempts()).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(1_000);
  });

  it("honours a 429 body's retry_after when there is no header", async () => {
    const limited = reply(429, { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 0.3 });
    const { kros, attempts } = await setup(script(limited, reply(200, [WEBHOOK])), { initialRetryDelayMs: 5_000 });
    const { value, ms } = await timed(kros.webhooks.list());
    expect(value).toEqual([WEBHOOK]);
    expect(attempts()).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(1_000);
  });

  it('exposes retryAfter and the X-RateLimit values on a 429', async () => {
    const headers = { 'retry-after': '2', 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767225600' };
    const { kros } = await setup(reply(429, { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 1.5 }, headers));
    const { error } = await timed(kros.webhooks.list({ maxRetries: 0 }));
    expect(error).toBeInstanceOf(KrosRateLimitError);
    expect(error).toMatchObject({ retryAfter: 2, rateLimit: { limit: 10, remaining: 0, reset: 1767225600 }, code: 'RATE_LIMIT_EXCEEDED' });
  });

  it('lets a request turn retries off', async () => {
    const { kros, attempts } = await setup(reply(503));
    await timed(kros.webhooks.list({ maxRetries: 0 }));
    expect(attempts()).toBe(1);
  });
});

describe('no duplicate creates or test deliveries', () => {
  it('sends a create against a 503 exactly once', async () => {
    const { kros, attempts } = await setup(reply(503));
    const { error } = await timed(kros.webhooks.create(BODY));
    expect(error).toBeInstanceOf(KrosApiError);
    expect(attempts()).toBe(1);
  });

  it('sends a test delivery against a 503 exactly once', async () => {
    const { kros, attempts } = await setup(reply(503));
    await timed(kros.webhooks.test(ID));
    expect(attempts()).toBe(1);
  });

  it('retries a create refused with 429, which the API did not act on', async () => {
    const { kros, attempts } = await setup(script(reply(429, { error: 'slow down' }, { 'retry-after': '0' }), reply(201, WEBHOOK)));
    const { value } = await timed(kros.webhooks.create(BODY));
    expect(value).toEqual(WEBHOOK);
    expect(attempts()).toBe(2);
  });

  it('re-sends the same body on a retry', async () => {
    const { kros } = await setup(script(reply(503), reply(200, WEBHOOK)));
    await kros.webhooks.update(ID, { url: 'https://example.com/new', active: false });
    const [first, second] = server!.requests;
    expect(first!.body).toBe('{"url":"https://example.com/new","active":false}');
    expect(second!.body).toBe(first!.body);
  });
});

describe('malformed responses', () => {
  it('rejects a 200 with invalid JSON as KrosInvalidResponseError, without retrying', async () => {
    const { kros, attempts } = await setup(reply(200, '{"id": "497f', { 'content-type': 'application/json' }));
    const { error } = await timed(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('is invalid JSON where the spec promises a JSON object');
    expect(attempts()).toBe(1);
  });

  it('rejects a 502 with an HTML body as a Bad Gateway after retrying', async () => {
    const { kros, attempts } = await setup(reply(502, '<html><h1>502 Bad Gateway</h1></html>', { 'content-type': 'text/html' }));
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosApiError);
    expect((error as Error).message).toBe('502 Bad Gateway');
    expect(attempts()).toBe(3);
    expect(ms).toBeLessThan(1_000);
  });

  it('rejects a 200 with an empty body on list', async () => {
    const { kros, attempts } = await setup(reply(200));
    const { error } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('empty body');
    expect(attempts()).toBe(1);
  });

  it('reads a 1 MB response in full', async () => {
    const webhooks = Array.from({ length: 8_000 }, (_, i) => ({ ...WEBHOOK, url: `https://example.com/hooks/${i}` }));
    expect(JSON.stringify(webhooks).length).toBeGreaterThan(1_000_000);
    const { kros, attempts } = await setup(reply(200, webhooks), { timeoutMs: 5_000 });
    const { value } = await timed(kros.webhooks.list());
    expect(value).toEqual(webhooks);
    expect(attempts()).toBe(1);
  });
});

describe('cancellation', () => {
  it('rejects promptly with the abort reason when aborted during a backoff wait, and sends nothing more', async () => {
    const { kros, attempts } = await setup(reply(503), { initialRetryDelayMs: 5_000 });
    const controller = new AbortController();
    const reason = new DOMException('the user left the page', 'AbortError');
    setTimeout(() => controller.abort(reason), 100);
    const { error, ms } = await timed(kros.webhooks.list({ signal: controller.signal }));
    expect(error).toBe(reason);
    expect(attempts()).toBe(1);
    expect(ms).toBeLessThan(400);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(attempts()).toBe(1);
  });

  it('rejects at once with an already-aborted signal', async () => {
    const { kros, attempts } = await setup(reply(200, [WEBHOOK]));
    const { error } = await timed(kros.webhooks.list({ signal: AbortSignal.abort() }));
    expect((error as DOMException).name).toBe('AbortError');
    expect(attempts()).toBe(0);
  });
});

describe('logging', () => {
  it('logs one line per retry with the reason, the attempt and the delay', async () => {
    const { kros, log } = await setup(script(reply(503), reply(500), reply(200, [WEBHOOK])));
    await kros.webhooks.list();
    expect(log).toEqual([
      expect.stringMatching(/^\[@krosai\/cockpit\] GET \/webhooks: 503 Service Unavailable; retry 1 of 2 in \d+ ms$/),
      expect.stringMatching(/^\[@krosai\/cockpit\] GET \/webhooks: 500 Internal Server Error; retry 2 of 2 in \d+ ms$/),
    ]);
  });

  it('asks the token function again for every attempt', async () => {
    let issued = 0;
    const { kros } = await setup(script(reply(503), reply(200, [WEBHOOK])), { apiKey: () => `jwt.${++issued}` });
    await kros.webhooks.list();
    expect(server!.requests.map((r) => r.headers.authorization)).toEqual(['Bearer jwt.1', 'Bearer jwt.2']);
  });
});

describe('load', () => {
  it('serves 500 concurrent list calls', async () => {
    const { kros, attempts } = await setup(reply(200, [WEBHOOK]), { timeoutMs: 10_000 });
    const results = await Promise.all(Array.from({ length: 500 }, () => kros.webhooks.list()));
    expect(results.every((webhooks) => webhooks[0]?.id === ID)).toBe(true);
    expect(attempts()).toBe(500);
  });
});
