/**
 * What the client retries, how long it waits, and what it never sends twice, against real loopback
 * servers. The waits are read from the client's log (`retry N of M in X ms`), not from a clock.
 */
import {
  createKrosClient,
  KrosApiError,
  type KrosClientOptions,
  KrosConnectionError,
  KrosRateLimitError,
  KrosTimeoutError,
} from '@krosai/cockpit';
import { describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { delayed, hang, type Responder, reply, resetMidResponse, script, startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true };
const BODY = { url: 'https://example.com/hooks', events: ['call.completed' as const] };
const KEY = 'kros_live_RETRIESKEY42';

const serve = serversPerTest();

/** A client with short timings against `server`, and its log lines. */
function clientOf(server: TestServer, options: KrosClientOptions = {}) {
  return loggingClient({ baseUrl: server.url, apiKey: KEY, timeoutMs: 200, initialRetryDelayMs: 20, ...options });
}

/** The wait, in ms, that a log line announces. */
const waitOf = (line: string | undefined) => Number(/ in (\d+) ms$/.exec(line ?? '')?.[1]);

describe('what is retried', () => {
  it('retries a 503 twice, then succeeds', async () => {
    const api = await serve(script(reply(503), reply(503), reply(200, [WEBHOOK])));
    const { kros } = clientOf(api);
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(api.requests).toHaveLength(3);
  });

  it('exhausts its retries on a 500 every time, then rejects with KrosApiError', async () => {
    const api = await serve(reply(500, { error: 'boom', code: 'INTERNAL' }));
    const { kros } = clientOf(api);
    const error = await rejectionOf(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosApiError);
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(api.requests).toHaveLength(3);
  });

  it('never retries a 400', async () => {
    const api = await serve(reply(400, { error: 'bad url' }));
    const { kros } = clientOf(api);
    expect(await rejectionOf(kros.webhooks.update(ID, { url: 'https://example.com/x' }))).toMatchObject({ status: 400 });
    expect(api.requests).toHaveLength(1);
  });

  it('lets a request turn retries off', async () => {
    const api = await serve(reply(503));
    const { kros } = clientOf(api);
    await rejectionOf(kros.webhooks.list({ maxRetries: 0 }));
    expect(api.requests).toHaveLength(1);
  });

  it('retries a create whose connection was refused, since the API never saw it', async () => {
    const closed = await startServer();
    await closed.close();
    // The server comes up, on the port the first attempt found closed, once the client says it will retry.
    let api: Promise<TestServer> | undefined;
    const log: string[] = [];
    const logger = {
      info: (line: string) => {
        log.push(line);
        api ??= startServer(reply(201, WEBHOOK), Number(new URL(closed.url).port));
      },
    };
    const kros = createKrosClient({ baseUrl: closed.url, apiKey: KEY, maxRetries: 10, initialRetryDelayMs: 20, logger });
    try {
      expect(await kros.webhooks.create(BODY)).toEqual(WEBHOOK);
      expect((await api)?.requests).toHaveLength(1);
      expect(log[0]).toMatch(/^\[@krosai\/cockpit\] POST \/webhooks: refused; retry 1 of 10 in \d+ ms$/);
    } finally {
      await (await api)?.close();
    }
  });

  it('asks the token function again for every attempt', async () => {
    let issued = 0;
    const api = await serve(script(reply(503), reply(200, [WEBHOOK])));
    const { kros } = clientOf(api, { apiKey: () => `jwt.${++issued}` });
    await kros.webhooks.list();
    expect(api.requests.map((request) => request.headers.authorization)).toEqual(['Bearer jwt.1', 'Bearer jwt.2']);
  });

  it('escapes control characters a server sends, in log lines and error messages: it cannot forge a line or colour a terminal', async () => {
    const body = JSON.stringify({ error: 'down\n[@krosai/cockpit] all good\u001b[0m' });
    const head = `HTTP/1.1 503 Busy\x1b[31m red\x07\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
    const api = await serve(Buffer.from(head + body));
    const { kros, log } = clientOf(api, { maxRetries: 1 });
    const error = (await rejectionOf(kros.webhooks.list())) as Error;
    expect(log).toEqual([
      expect.stringMatching(/^\[@krosai\/cockpit\] GET \/webhooks: 503 Busy\\u001b\[31m red\\u0007; retry 1 of 1 in \d+ ms$/),
    ]);
    expect(error.message).toBe(`GET /webhooks → 503 down\\u000a[@krosai/cockpit] all good\\u001b[0m (${new URL(api.url).host})`);
  });

  it('logs one line per retry with the reason, the attempt and the delay', async () => {
    const api = await serve(script(reply(503), reply(500), reply(200, [WEBHOOK])));
    const { kros, log } = clientOf(api);
    await kros.webhooks.list();
    expect(log).toEqual([
      expect.stringMatching(/^\[@krosai\/cockpit\] GET \/webhooks: 503 Service Unavailable; retry 1 of 2 in \d+ ms$/),
      expect.stringMatching(/^\[@krosai\/cockpit\] GET \/webhooks: 500 Internal Server Error; retry 2 of 2 in \d+ ms$/),
    ]);
  });
});

describe('how long it waits', () => {
  it('honours Retry-After on a 429, then succeeds', async () => {
    const api = await serve(script(reply(429, { error: 'Rate limit exceeded' }, { 'retry-after': '1' }), reply(200, [WEBHOOK])));
    const { kros, log } = clientOf(api);
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(api.requests).toHaveLength(2);
    expect(log).toEqual([expect.stringMatching(/: 429 Too Many Requests; retry 1 of 2 in 1000 ms$/)]);
  });

  it('honours retry-after-ms over the backoff', async () => {
    const api = await serve(script(reply(503, '', { 'retry-after-ms': '300' }), reply(200, [WEBHOOK])));
    const { kros, log } = clientOf(api, { initialRetryDelayMs: 5_000 });
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(log.map(waitOf)).toEqual([300]);
  });

  it("honours a 429 body's retry_after when there is no header", async () => {
    const limited = reply(429, { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 0.3 });
    const api = await serve(script(limited, reply(200, [WEBHOOK])));
    const { kros, log } = clientOf(api, { initialRetryDelayMs: 5_000 });
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(log.map(waitOf)).toEqual([300]);
  });

  it.each([
    ['-1', '-1'],
    ['empty', ''],
    ['0', '0'],
    ['a past date', new Date(Date.now() - 60_000).toUTCString()],
    ['garbage', 'soon'],
  ])('falls back to the jittered backoff when Retry-After is %s', async (_name, retryAfter) => {
    const api = await serve(script(reply(503, '', { 'retry-after': retryAfter }), reply(200, [])));
    const { kros, log } = clientOf(api, { initialRetryDelayMs: 400 });
    await kros.webhooks.list();
    expect(api.requests).toHaveLength(2);
    // The backoff is 400 ms minus at most 25% jitter.
    expect(waitOf(log[0])).toBeGreaterThanOrEqual(300);
    expect(waitOf(log[0])).toBeLessThanOrEqual(400);
  });

  it('fails at once, without waiting, when Retry-After is longer than 60 s', async () => {
    const api = await serve(reply(429, { error: 'Rate limit exceeded' }, { 'retry-after': '120' }));
    const { kros, log } = clientOf(api);
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosRateLimitError);
    expect(error).toMatchObject({ retryAfter: 120 });
    expect(api.requests).toHaveLength(1);
    expect(log).toEqual([expect.stringMatching(/^WARN .*asks to wait 120 s, longer than 60 s: not retrying$/)]);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const far = new Date(Date.now() + 120_000).toUTCString();
    const api = await serve(reply(503, '', { 'retry-after': far }));
    const { kros, log } = clientOf(api);
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosApiError);
    expect(api.requests).toHaveLength(1);
    expect(log).toEqual([expect.stringMatching(/^WARN .*asks to wait 1(19|20) s, longer than 60 s: not retrying$/)]);
  });
});

describe('no duplicate creates or test deliveries', () => {
  it.each([500, 502, 503, 504])('sends a create answered %i exactly once', async (status) => {
    const api = await serve(reply(status, { error: 'x' }));
    const { kros } = clientOf(api, { maxRetries: 5 });
    expect(await rejectionOf(kros.webhooks.create(BODY))).toBeInstanceOf(KrosApiError);
    expect(api.requests).toHaveLength(1);
  });

  it('sends a test delivery answered 503 exactly once', async () => {
    const api = await serve(reply(503));
    const { kros } = clientOf(api, { maxRetries: 5 });
    await rejectionOf(kros.webhooks.test(ID));
    expect(api.requests).toHaveLength(1);
  });

  it.each([
    ['create', (kros: ReturnType<typeof createKrosClient>) => kros.webhooks.create(BODY)],
    ['test delivery', (kros: ReturnType<typeof createKrosClient>) => kros.webhooks.test(ID)],
  ])('sends a %s that timed out exactly once: it may have been acted on', async (_what, call) => {
    const api = await serve(hang);
    const { kros } = clientOf(api, { maxRetries: 5, timeoutMs: 100 });
    expect(await rejectionOf(call(kros))).toBeInstanceOf(KrosTimeoutError);
    expect(api.requests).toHaveLength(1);
  });

  const cut: [string, Responder][] = [
    ['reset mid-response', resetMidResponse],
    ['cut before any answer', (_request, response) => response.socket?.destroy()],
  ];
  it.each(cut)('sends a create whose connection was %s exactly once: it may have been created', async (_what, respond) => {
    const api = await serve(respond);
    const { kros } = clientOf(api, { maxRetries: 5 });
    expect(await rejectionOf(kros.webhooks.create(BODY))).toBeInstanceOf(KrosConnectionError);
    expect(api.requests).toHaveLength(1);
  });

  it('retries a create refused with 429, which the API did not act on', async () => {
    const api = await serve(script(reply(429, { error: 'slow down' }, { 'retry-after': '0' }), reply(201, WEBHOOK)));
    const { kros } = clientOf(api);
    expect(await kros.webhooks.create(BODY)).toEqual(WEBHOOK);
    expect(api.requests).toHaveLength(2);
  });

  it('re-sends the same body on a retry', async () => {
    const api = await serve(script(reply(503), reply(200, WEBHOOK)));
    const { kros } = clientOf(api);
    await kros.webhooks.update(ID, { url: 'https://example.com/new', active: false });
    const [first, second] = api.requests;
    expect(first?.body).toBe('{"url":"https://example.com/new","active":false}');
    expect(second?.body).toBe(first?.body);
  });
});

describe('delete is idempotent across retries', () => {
  it('resolves when the retry of a timed-out delete finds the webhook gone, with an info line', async () => {
    const api = await serve(script(delayed(400, reply(204)), reply(404, { error: 'Webhook not found' })));
    const { kros, log } = clientOf(api);
    await expect(kros.webhooks.delete(ID)).resolves.toBeUndefined();
    expect(api.requests).toHaveLength(2);
    expect(log.at(-1)).toMatch(/DELETE \/webhooks\/.*: 404 after an attempt that may have deleted it; deleted$/);
  });

  it('resolves when the retry after a 503 finds the webhook gone, with no logger to tell', async () => {
    const api = await serve(script(reply(503), reply(404, { error: 'Webhook not found' })));
    const kros = createKrosClient({ baseUrl: api.url, apiKey: KEY, initialRetryDelayMs: 20 });
    await expect(kros.webhooks.delete(ID)).resolves.toBeUndefined();
  });

  it('rejects a 404 on the first attempt', async () => {
    const api = await serve(reply(404, { error: 'Webhook not found' }));
    const { kros } = clientOf(api);
    await expect(kros.webhooks.delete(ID)).rejects.toMatchObject({ status: 404 });
  });

  it('rejects a 404 after a 429, which the API did not act on', async () => {
    const api = await serve(
      script(reply(429, { error: 'slow down' }, { 'retry-after-ms': '10' }), reply(404, { error: 'Webhook not found' })),
    );
    const { kros } = clientOf(api);
    await expect(kros.webhooks.delete(ID)).rejects.toMatchObject({ status: 404 });
  });
});
