/**
 * What a client tells about its attempts, against real loopback servers: the per-attempt hooks,
 * the log levels and `KROSAI_LOG`, the debug line per attempt, and what none of them ever holds.
 */
import {
  type AttemptEvent,
  createKrosClient,
  type KrosClientOptions,
  KrosConnectionError,
  type KrosHooks,
  KrosNotFoundError,
  KrosValidationError,
} from '@krosai/cockpit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serversPerTest } from './helpers/clients.ts';
import { rejectionOf, unhandledRejections } from './helpers/rejection.ts';
import { type Responder, reply, script, startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const KEY = 'kros_live_OBSERVEKEY0123456789';
const SECRET = 'whsec_OBSERVESECRET42';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true, secret: SECRET };

const serve = serversPerTest();

/** Every hook call, in order, as `[hook, event]`. */
function recorder() {
  const calls: Array<[string, AttemptEvent & Record<string, unknown>]> = [];
  const hooks: KrosHooks = {};
  for (const name of ['request', 'response', 'retry', 'error'] as const) hooks[name] = (event: never) => calls.push([name, event]);
  return { calls, hooks };
}

/** A client against `server` with short timings and a logger that keeps every line, its level first. */
function clientOf(server: TestServer | string, options: KrosClientOptions = {}) {
  const lines: string[] = [];
  const logger = {
    debug: (line: string) => lines.push(`debug ${line}`),
    info: (line: string) => lines.push(`info ${line}`),
    warn: (line: string) => lines.push(`warn ${line}`),
  };
  const baseUrl = typeof server === 'string' ? server : server.url;
  return { kros: createKrosClient({ baseUrl, apiKey: KEY, timeoutMs: 2_000, initialRetryDelayMs: 10, logger, ...options }), lines };
}

/** Unhandled rejections seen while a test runs: a hook's rejected promise must not be one. */
const unhandled = unhandledRejections();

describe('hooks', () => {
  it('tells each attempt of a retried call: request, response, retry, request, response', async () => {
    const api = await serve(script(reply(503, '', { 'x-request-id': 'req_1' }), reply(200, [WEBHOOK], { 'x-request-id': 'req_2' })));
    const { calls, hooks } = recorder();
    const { kros } = clientOf(api, { hooks });
    await kros.webhooks.list();
    const call = { operationId: 'listWebhooks', method: 'GET', urlTemplate: '/webhooks' };
    const time = expect.any(Number);
    expect(calls).toEqual([
      ['request', { ...call, attempt: 1 }],
      ['response', { ...call, attempt: 1, status: 503, durationMs: time, requestId: 'req_1' }],
      ['retry', { ...call, attempt: 2, status: 503, delayMs: time }],
      ['request', { ...call, attempt: 2 }],
      ['response', { ...call, attempt: 2, status: 200, durationMs: time, requestId: 'req_2' }],
    ]);
    for (const [, event] of calls) expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
  });

  it('tells attempts that got no response through error, with the error the call rejects with', async () => {
    const closed = await startServer();
    await closed.close();
    const { calls, hooks } = recorder();
    const { kros } = clientOf(closed, { hooks, maxRetries: 1 });
    const error = await rejectionOf(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect(calls.map(([name, event]) => `${name} ${event.attempt}`)).toEqual(['request 1', 'error 1', 'retry 2', 'request 2', 'error 2']);
    expect(calls[1]?.[1]).toMatchObject({
      operationId: 'getWebhook',
      urlTemplate: '/webhooks/{id}',
      error: expect.any(KrosConnectionError),
    });
    expect(calls[4]?.[1].error).toBe(error);
  });

  it('names a raw call by its path template, without the query', async () => {
    const api = await serve(reply(404, { error: 'Not found' }));
    const { calls, hooks } = recorder();
    const { kros } = clientOf(api, { hooks });
    await kros.raw.GET('/webhooks/{id}', { params: { path: { id: ID } } });
    await kros.raw.request('get', '/webhooks?token=kros_test_INQUERY' as '/webhooks');
    expect(calls.filter(([name]) => name === 'response').map(([, event]) => [event.operationId, event.urlTemplate, event.status])).toEqual([
      ['/webhooks/{id}', '/webhooks/{id}', 404],
      ['/webhooks', '/webhooks', 404],
    ]);
  });

  it('never hands a hook the credential, the signing secret, a path value or a query', async () => {
    const echo: Responder = (request, response) =>
      reply(201, WEBHOOK, { 'x-request-id': `req ${request.headers.authorization}` })(request, response);
    const api = await serve(script(reply(429, '', { 'retry-after': '0.01' }), echo, reply(404, { error: `no ${ID}` })));
    const { calls, hooks } = recorder();
    const { kros } = clientOf(api, { hooks });
    await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
    await rejectionOf(kros.webhooks.get(ID));
    const text = JSON.stringify(calls);
    expect(calls.map(([name, event]) => `${name} ${event.operationId} ${event.attempt}`)).toEqual([
      'request createWebhook 1',
      'response createWebhook 1',
      'retry createWebhook 2',
      'request createWebhook 2',
      'response createWebhook 2',
      'request getWebhook 1',
      'response getWebhook 1',
    ]);
    expect(calls[4]?.[1].requestId).toBe('req Bearer [redacted]');
    for (const secret of [KEY, SECRET, ID]) expect(text).not.toContain(secret);
  });

  it('goes on with the call when a hook throws or rejects, and logs that once', async () => {
    const api = await serve(script(reply(503), reply(200, [WEBHOOK])));
    const { kros, lines } = clientOf(api, {
      logLevel: 'warn',
      hooks: {
        request: () => {
          throw new Error(`broken hook ${KEY}`);
        },
        response: async () => Promise.reject(new Error('async hook')),
      },
    });
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual([
      'warn [@krosai/cockpit] the request hook threw: Error: broken hook [redacted]; the call goes on, and later throws are not logged',
    ]);
    expect(unhandled).toEqual([]);
  });

  it('reads no clock for a call when no hook and no debug log want one', async () => {
    const now = vi.spyOn(performance, 'now');
    try {
      const kros = createKrosClient({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9', fetch: async () => Response.json([WEBHOOK]) });
      await kros.webhooks.list();
      expect(now).not.toHaveBeenCalled();
      await createKrosClient({
        apiKey: KEY,
        baseUrl: 'http://127.0.0.1:9',
        fetch: async () => Response.json([]),
        hooks: {},
      }).webhooks.list();
      expect(now).not.toHaveBeenCalled();
    } finally {
      now.mockRestore();
    }
  });
});

describe('log levels', () => {
  const retried = () => script(reply(503, '', { 'x-request-id': 'req_1' }), reply(404, { error: 'gone' }, { 'x-request-id': 'req_2' }));

  it('debug: one line per attempt, with method, path template, status, ms and request id, and the info line per retry', async () => {
    const api = await serve(retried());
    const { kros, lines } = clientOf(api, { logLevel: 'debug' });
    expect(await rejectionOf(kros.webhooks.get(ID))).toBeInstanceOf(KrosNotFoundError);
    expect(lines).toEqual([
      expect.stringMatching(/^debug \[@krosai\/cockpit\] GET \/webhooks\/\{id\} attempt 1: 503 in \d+ ms, request id req_1$/),
      expect.stringMatching(/^info \[@krosai\/cockpit\] GET \/webhooks\/\{id\}: 503 Service Unavailable; retry 1 of 2 in \d+ ms$/),
      expect.stringMatching(/^debug \[@krosai\/cockpit\] GET \/webhooks\/\{id\} attempt 2: 404 in \d+ ms, request id req_2$/),
    ]);
  });

  it('debug: a failed attempt by its error class', async () => {
    const { kros, lines } = clientOf('http://127.0.0.1:9', {
      logLevel: 'debug',
      maxRetries: 0,
      fetch: async () => Promise.reject(new TypeError('nope')),
    });
    await rejectionOf(kros.webhooks.list());
    expect(lines).toEqual([expect.stringMatching(/^debug \[@krosai\/cockpit\] GET \/webhooks attempt 1: KrosConnectionError in \d+ ms$/)]);
  });

  it('debug: a request id with control characters or a credential is escaped and redacted', async () => {
    const fetch = async (_request: Request, init?: RequestInit) => {
      const sent = new Headers(init?.headers).get('authorization');
      return new Response('[]', { headers: { 'content-type': 'application/json', 'x-request-id': `\u009b31m${sent}` } });
    };
    const { kros, lines } = clientOf('http://127.0.0.1:9', { logLevel: 'debug', fetch: fetch as typeof globalThis.fetch });
    await kros.webhooks.list();
    expect(lines).toEqual([expect.stringMatching(/attempt 1: 200 in \d+ ms, request id \\u009b31mBearer \[redacted\]$/)]);
  });

  it.each([
    ['info, the default with a logger', {}, ['info']],
    ['warn', { logLevel: 'warn' as const }, []],
    ['off', { logLevel: 'off' as const }, []],
  ])('%s: no line per attempt', async (_level, options, levels) => {
    const api = await serve(retried());
    const { kros, lines } = clientOf(api, options);
    await rejectionOf(kros.webhooks.get(ID));
    expect(lines.map((line) => line.split(' ')[0])).toEqual(levels);
  });

  it('off: not even a warning', async () => {
    const api = await serve(reply(429, '', { 'retry-after': '120' }));
    const { kros, lines } = clientOf(api, { logLevel: 'off' });
    await rejectionOf(kros.webhooks.list());
    expect(lines).toEqual([]);
  });

  describe('with the console and KROSAI_LOG', () => {
    const saved = process.env.KROSAI_LOG;
    afterEach(() => {
      if (saved === undefined) delete process.env.KROSAI_LOG;
      else process.env.KROSAI_LOG = saved;
      vi.restoreAllMocks();
    });
    const consoleLines = () => {
      const lines: string[] = [];
      for (const level of ['debug', 'info', 'warn', 'error', 'log'] as const) {
        vi.spyOn(console, level).mockImplementation((line: string) => lines.push(`${level} ${line}`));
      }
      return lines;
    };

    it('writes nothing for a retried call by default, as before', async () => {
      delete process.env.KROSAI_LOG;
      const lines = consoleLines();
      const api = await serve(retried());
      await rejectionOf(createKrosClient({ baseUrl: api.url, apiKey: KEY, initialRetryDelayMs: 10 }).webhooks.get(ID));
      expect(lines).toEqual([]);
    });

    it('KROSAI_LOG=debug writes one console.debug line per attempt', async () => {
      process.env.KROSAI_LOG = 'debug';
      const lines = consoleLines();
      const api = await serve(retried());
      await rejectionOf(createKrosClient({ baseUrl: api.url, apiKey: KEY, initialRetryDelayMs: 10 }).webhooks.get(ID));
      expect(lines.map((line) => line.split(' ')[0])).toEqual(['debug', 'info', 'debug']);
    });

    it('the logLevel option wins over KROSAI_LOG', async () => {
      process.env.KROSAI_LOG = 'debug';
      const lines = consoleLines();
      const api = await serve(retried());
      await rejectionOf(createKrosClient({ baseUrl: api.url, apiKey: KEY, initialRetryDelayMs: 10, logLevel: 'warn' }).webhooks.get(ID));
      expect(lines).toEqual([]);
    });

    it('refuses a KROSAI_LOG it does not know, when the client is created', () => {
      process.env.KROSAI_LOG = 'loud';
      expect(() => createKrosClient({ apiKey: KEY })).toThrow(KrosValidationError);
    });
  });
});

describe('refused options', () => {
  it.each([
    ['an unknown logLevel', { logLevel: 'verbose' }, 'logLevel (or KROSAI_LOG) must be one of debug, info, warn, error, off'],
    ['a misspelt hook', { hooks: { onResponse: () => {} } }, 'hooks: unknown onResponse; known: request, response, retry, error'],
    ['a hook that is no function', { hooks: { response: 'log it' } }, 'hooks.response must be a function'],
    ['hooks that are no object', { hooks: 'all' }, 'hooks must be'],
  ])('%s', (_what, options, message) => {
    expect(() => createKrosClient({ apiKey: KEY, ...(options as KrosClientOptions) })).toThrow(
      expect.objectContaining({ name: 'KrosValidationError', message: expect.stringContaining(message) }),
    );
  });
});
