/**
 * The client's transport against real loopback servers, as a hostile server, a broken proxy or a
 * careless caller would use it: connection failures, timeouts, cancellation, redirects, the answer
 * as sent, bounded response bodies, load. What is retried, and after how long: retries.test.ts.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import {
  type AuthHeader,
  KrosAbortError,
  KrosApiError,
  type KrosClient,
  type KrosClientOptions,
  KrosConnectionError,
  KrosError,
  KrosInvalidResponseError,
  KrosTimeoutError,
  KrosValidationError,
} from '@krosai/cockpit';
import { describe, expect, it, vi } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf, unhandledRejections } from './helpers/rejection.ts';
import { delayed, hang, type Responder, reply, resetMidResponse, script, startServer, type TestServer } from './helpers/server.ts';
import { ROOT } from './helpers/workspace.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true, secret: 'whsec_from_the_api' };
const BODY = { url: 'https://example.com/hooks', events: ['call.completed' as const] };
const KEY = 'kros_live_TRANSPORTKEY42';
const ORG = '11111111-1111-4111-8111-111111111111';
const MiB = 1024 * 1024;

const serve = serversPerTest();
const run = promisify(execFile);

/** A client with short timings against `server` (or a URL), and its log lines. */
function clientOf(server: TestServer | string, options: KrosClientOptions = {}) {
  const baseUrl = typeof server === 'string' ? server : server.url;
  return loggingClient({ baseUrl, apiKey: KEY, timeoutMs: 200, initialRetryDelayMs: 20, ...options });
}

/** The URL of a port nothing listens on. */
async function closedPort(): Promise<string> {
  const closed = await startServer();
  await closed.close();
  return closed.url;
}

/** Time for late work (a rejection nobody handles, a request sent after all) to show up. */
const lateWork = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Unhandled rejections seen while a test runs. */
const unhandled = unhandledRejections();

describe('the fetch it sends with', () => {
  it('reads the global fetch at each attempt: an interceptor installed after the client was created (msw) sees the request', async () => {
    const api = await serve(reply(200, []));
    const { kros } = clientOf(api);
    const original = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init).url);
      return Response.json([WEBHOOK]);
    }) as typeof fetch;
    try {
      expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    } finally {
      globalThis.fetch = original;
    }
    expect(seen).toEqual([`${api.url}/webhooks`]);
    expect(api.requests).toEqual([]);
  });
});

describe('the base URL', () => {
  it('reaches a base URL written with an upper-case host and a trailing slash', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    const { kros } = clientOf(`${api.url.replace('127.0.0.1', 'LOCALHOST')}/`);
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(api.requests.map((request) => request.url)).toEqual(['/webhooks']);
  });
});

describe('connection failures', () => {
  it('retries a refused connection, then rejects with KrosConnectionError', async () => {
    const { kros, log } = clientOf(await closedPort());
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(log).toEqual([expect.stringMatching(/: refused; retry 1 of 2 in/), expect.stringMatching(/: refused; retry 2 of 2 in/)]);
  });

  // Node's fetch refuses these before any connection: the same request fails the same way again.
  it.each([
    ['a forbidden port', 'bad port', (url: string) => url.replace(/:\d+\//, ':6000/')],
    ['a scheme fetch does not fetch', 'unknown scheme', (url: string) => url.replace(/^http/, 'ftp')],
    ['a URL fetch cannot parse', 'invalid URL', (url: string) => url.replace('127.0.0.1', '[::1')],
  ])('fails at once, without a retry, when fetch refuses %s', async (_what, reason, rewrite) => {
    const api = await serve(reply(200, []));
    let calls = 0;
    const { kros, log } = clientOf(api, {
      fetch: (request) => {
        calls++;
        return fetch(rewrite((request as Request).url));
      },
    });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect((error as Error).message).toContain(`fetch refused to send the request: ${reason}`);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect({ calls, log, sent: api.requests.length }).toEqual({ calls: 1, log: [], sent: 0 });
  });

  it('fails at once on a base URL with a forbidden port, through the global fetch', async () => {
    const { kros, log } = clientOf('http://127.0.0.1:10080');
    const error = await rejectionOf(kros.webhooks.list());
    expect((error as Error).message).toContain('bad port');
    expect(log).toEqual([]);
  });

  it('rejects, and does not hang, when the error fetch throws is its own cause', async () => {
    // Run in a process of its own (the built package), killed after 30 s: an endless loop would block this one.
    const script = `
      const { createKrosClient } = await import(${JSON.stringify(join(ROOT, 'dist/node/index.js'))});
      const looped = new Error('looped');
      looped.cause = looped;
      const kros = createKrosClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'kros_test_x', fetch: async () => { throw looped; } });
      const error = await kros.webhooks.list({ maxRetries: 0 }).catch((error) => error);
      console.log(error.name);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('KrosConnectionError');
  }, 60_000);

  it('retries a GET whose connection was reset mid-response', async () => {
    const api = await serve(script(resetMidResponse, reply(200, [WEBHOOK])));
    const { kros } = clientOf(api);
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(api.requests).toHaveLength(2);
  });
});

describe('timeouts', () => {
  it('times out each attempt against a server that never answers, then rejects with KrosTimeoutError', async () => {
    const api = await serve(hang);
    const { kros, log } = clientOf(api);
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect((error as Error).message).toBe(`GET /webhooks → the request timed out after 200 ms (${new URL(api.url).host})`);
    expect(api.requests).toHaveLength(3);
    expect(log).toEqual([expect.stringMatching(/: timeout; retry 1 of 2 in/), expect.stringMatching(/: timeout; retry 2 of 2 in/)]);
  });

  it('closes the connection of an attempt that timed out before any answer: an API that hangs holds no socket', async () => {
    const closed: Promise<unknown>[] = [];
    const api = await serve((_request, response) => closed.push(once(response, 'close')));
    const { kros } = clientOf(api, { maxRetries: 0 });
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    expect(closed).toHaveLength(1);
    // Left open, undici would keep the socket until its own 300 s headers timeout: this test's timeout fails first.
    await closed[0];
  });

  it('waits for slow headers that arrive within the timeout', async () => {
    const api = await serve(delayed(100, reply(200, [WEBHOOK])));
    const { kros } = clientOf(api, { timeoutMs: 5_000 });
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(api.requests).toHaveLength(1);
  });

  it('times out on headers slower than the timeout', async () => {
    const api = await serve(delayed(300, reply(200, [WEBHOOK])));
    const { kros } = clientOf(api, { maxRetries: 0 });
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    expect(api.requests).toHaveLength(1);
  });

  it('times out a body that stalls after the headers', async () => {
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
    });
    const { kros } = clientOf(api, { maxRetries: 1 });
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    expect(api.requests).toHaveLength(2);
  });

  it('times out a body dripped one byte every 50 ms: the timeout covers the whole body, not the gaps', async () => {
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
      const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(' ')), 50);
      // After 10 s, a valid JSON array: a client that waited resolves instead of timing out.
      setTimeout(() => {
        clearInterval(timer);
        response.end(']');
      }, 10_000);
    });
    const { kros } = clientOf(api, { timeoutMs: 300, maxRetries: 2 });
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    expect(api.requests).toHaveLength(3);
  });

  it('lets a request set its own timeout', async () => {
    const api = await serve(delayed(300, reply(200, [WEBHOOK])));
    const { kros } = clientOf(api);
    expect(await kros.webhooks.list({ timeoutMs: 10_000 })).toEqual([WEBHOOK]);
  });

  describe('whatever fetch does', () => {
    const ignoringSignal: typeof fetch = (input, init) => fetch(input, { ...init, signal: null });

    it('times out a fetch that ignores the signal', async () => {
      const api = await serve(hang);
      const { kros } = clientOf(api, { fetch: ignoringSignal, maxRetries: 0 });
      expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    });

    it('times out a stalled body when fetch ignores the signal', async () => {
      const api = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('[');
      });
      const { kros } = clientOf(api, { fetch: ignoringSignal, maxRetries: 0 });
      expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    });

    it('leaves no unhandled rejection when a fetch that ignores the signal rejects after the timeout', async () => {
      let fail: (reason: Error) => void = () => {};
      const lateFailure: typeof fetch = () => new Promise((_, reject) => (fail = reject));
      const { kros } = clientOf('http://127.0.0.1:9', { fetch: lateFailure, timeoutMs: 100, maxRetries: 0 });
      expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
      fail(new Error('late'));
      await lateWork();
      expect(unhandled).toEqual([]);
    });
  });

  describe('the token function is part of the attempt', () => {
    const never = () => new Promise<string>(() => {});

    it('counts a token function that never settles against timeoutMs, and sends nothing', async () => {
      const api = await serve(reply(200, []));
      const { kros } = clientOf(api, { apiKey: never, timeoutMs: 100, maxRetries: 1 });
      expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
      expect(api.requests).toEqual([]);
    });

    it("rejects with the caller's abort while the token function never settles", async () => {
      const api = await serve(reply(200, []));
      const { kros } = clientOf(api, { apiKey: never, timeoutMs: 60_000 });
      const error = await rejectionOf(kros.webhooks.list({ signal: AbortSignal.timeout(200) }));
      expect(error).toBeInstanceOf(KrosAbortError);
      expect(((error as Error).cause as DOMException).name).toBe('TimeoutError');
      expect(api.requests).toEqual([]);
    });

    it('sends nothing and leaves no unhandled rejection when the token function resolves after the caller aborted', async () => {
      const api = await serve();
      let settle: (value: string) => void = () => {};
      const { kros } = clientOf(api, { apiKey: () => new Promise<string>((resolve) => (settle = resolve)), timeoutMs: 60_000 });
      const controller = new AbortController();
      const pending = kros.webhooks.list({ signal: controller.signal });
      controller.abort(new Error('caller gave up'));
      expect(await rejectionOf(pending)).toMatchObject({ cause: { message: 'caller gave up' } });
      settle(KEY);
      await lateWork();
      expect(api.requests).toEqual([]);
      expect(unhandled).toEqual([]);
    });

    it('leaves no unhandled rejection when the token function rejects after the timeout', async () => {
      const api = await serve();
      let fail: (reason: Error) => void = () => {};
      const { kros } = clientOf(api, { apiKey: () => new Promise<string>((_, reject) => (fail = reject)), timeoutMs: 100, maxRetries: 0 });
      expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
      fail(new Error('late'));
      await lateWork();
      expect(unhandled).toEqual([]);
    });

    it('does not say "no request was sent" when the token function fails on a retry', async () => {
      const api = await serve(reply(503));
      let calls = 0;
      const apiKey = () => {
        if (++calls > 1) throw new Error('session expired');
        return 'jwt.first.token';
      };
      const { kros } = clientOf(api, { apiKey });
      const error = await rejectionOf(kros.webhooks.list());
      expect(error).toBeInstanceOf(KrosValidationError);
      expect((error as Error).message).toBe('the apiKey function threw; retry 1 was not sent (earlier attempts were)');
      expect(api.requests).toHaveLength(1);
    });
  });
});

describe('cancellation', () => {
  /** A KrosAbortError, distinct from the SDK's own timeout, keeping the reason and saying what it is in JSON. */
  function expectAbortedBy(error: unknown, reason: unknown) {
    expect(error).toBeInstanceOf(KrosAbortError);
    expect(error).toBeInstanceOf(KrosError);
    expect(error).not.toBeInstanceOf(KrosConnectionError);
    expect((error as Error).cause).toBe(reason);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'KrosAbortError' });
  }

  // The abort comes when the client logs its retry: during the wait, whatever the machine's speed.
  // A wait the abort did not cut short (50 s) outlasts this test's timeout.
  it.each([
    ['the facade', (kros: KrosClient, signal: AbortSignal) => kros.webhooks.list({ signal })],
    ['the raw client', (kros: KrosClient, signal: AbortSignal) => kros.raw.GET('/webhooks', { signal })],
  ])('rejects with KrosAbortError when aborted during a retry wait, having sent one request, through %s', async (_via, call) => {
    const api = await serve(reply(503, '', { 'retry-after': '50' }));
    const controller = new AbortController();
    const reason = new DOMException('the user left the page', 'AbortError');
    const { kros } = clientOf(api, { logger: { info: () => setTimeout(() => controller.abort(reason)) } });
    expectAbortedBy(await rejectionOf(call(kros, controller.signal)), reason);
    expect(api.requests).toHaveLength(1);
  });

  it('rejects with KrosAbortError when aborted during an attempt, not retrying it', async () => {
    const api = await serve(hang);
    const controller = new AbortController();
    const { kros, log } = clientOf(api, { timeoutMs: 60_000 });
    const pending = kros.webhooks.list({ signal: controller.signal });
    while (api.requests.length === 0) await lateWork();
    const reason = new Error('user navigated away');
    controller.abort(reason);
    expectAbortedBy(await rejectionOf(pending), reason);
    expect({ sent: api.requests.length, log }).toEqual({ sent: 1, log: [] });
  });

  it('rejects with KrosAbortError when aborted during a retry wait after a fetch that never settled', async () => {
    // Only timers move this call (its fetch never settles), and fake ones stand still unless
    // advanced: a wait the abort did not cut short leaves the call pending.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const never: typeof fetch = () => new Promise(() => {});
      const { kros, log } = clientOf('http://127.0.0.1:9', { fetch: never, timeoutMs: 100, maxRetries: 3, initialRetryDelayMs: 2_000 });
      const controller = new AbortController();
      let outcome = 'pending';
      kros.webhooks.list({ signal: controller.signal }).then(
        () => (outcome = 'resolved'),
        (error: Error) => (outcome = error.message),
      );
      await vi.advanceTimersByTimeAsync(100);
      expect(log).toEqual([expect.stringMatching(/: timeout; retry 1 of 3 in \d+ ms$/)]);
      controller.abort(new Error('caller gave up'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(outcome).toBe("GET /webhooks → the call was aborted by the caller's signal (127.0.0.1:9)");
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects at once with KrosAbortError for an already-aborted signal, sending nothing', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    const { kros } = clientOf(api);
    const signal = AbortSignal.abort();
    expectAbortedBy(await rejectionOf(kros.webhooks.list({ signal })), signal.reason);
    expect(api.requests).toHaveLength(0);
  });
});

describe('redirects are never followed', () => {
  const cases = [301, 302, 303, 307, 308].flatMap((status) =>
    (['authorization', 'x-api-key'] as AuthHeader[]).flatMap((authHeader) => [
      { status, authHeader, call: 'webhooks.list (GET)' },
      { status, authHeader, call: 'webhooks.create (POST)' },
      { status, authHeader, call: 'raw.GET' },
    ]),
  );

  it.each(cases)(
    '$status to another origin, $authHeader, $call: rejects with KrosApiError and the other host gets nothing',
    async ({ status, authHeader, call }) => {
      const elsewhere = await serve(reply(200, [{ ...WEBHOOK, secret: 'chosen-by-the-other-host' }]));
      const api = await serve(reply(status, '', { location: `${elsewhere.url}/steal?token=querysecret` }));
      const { kros } = clientOf(api, { authHeader, organizationId: ORG });
      const pending =
        call === 'raw.GET'
          ? kros.raw.GET('/webhooks')
          : call.startsWith('webhooks.list')
            ? kros.webhooks.list()
            : kros.webhooks.create(BODY);
      const error = await rejectionOf(pending);
      expect(error).toBeInstanceOf(KrosApiError);
      expect(error).toMatchObject({ status });
      expect((error as Error).message).toContain(`redirect to ${elsewhere.url} not followed`);
      expect((error as Error).message).not.toContain('querysecret');
      expect(elsewhere.requests).toEqual([]);
      expect(api.requests).toHaveLength(1);
    },
  );

  const locations: [string, (elsewhere: string) => string | undefined, RegExp][] = [
    ['a relative path', () => '/v2/webhooks?token=querysecret', /redirect to http:\/\/127\.0\.0\.1:\d+ not followed/],
    [
      'a protocol-relative URL',
      (elsewhere) => `${elsewhere.replace('http:', '')}/steal?token=querysecret`,
      /redirect to http:\/\/127\.0\.0\.1:\d+ not followed/,
    ],
    ['no Location at all', () => undefined, /redirect to a location the runtime does not show/],
    [
      'userinfo in the target',
      (elsewhere) => elsewhere.replace('http://', 'http://admin:querysecret@'),
      /redirect to http:\/\/127\.0\.0\.1:\d+ not followed/,
    ],
    ['an unparsable Location', () => 'http://[::1', /redirect to an invalid location/],
    ['a javascript: URL', () => 'javascript:alert(1)//querysecret', /redirect to null not followed/],
  ];
  it.each(locations)(
    '%s: a 307 rejects with KrosApiError, the target gets nothing, no query or userinfo in any text',
    async (_what, location, message) => {
      const elsewhere = await serve();
      const target = location(elsewhere.url);
      const api = await serve(reply(307, '', target === undefined ? {} : { location: target }));
      const { kros, log } = clientOf(api);
      const error = (await rejectionOf(kros.webhooks.create(BODY))) as KrosApiError;
      expect(error).toBeInstanceOf(KrosApiError);
      expect(error.message).toMatch(message);
      expect(`${error.message} ${JSON.stringify(error)} ${log.join()}`).not.toContain('querysecret');
      expect(elsewhere.requests).toEqual([]);
      expect(api.requests).toHaveLength(1);
    },
  );

  it('refuses a 300 and a 304 too, without a retry', async () => {
    for (const status of [300, 304]) {
      const api = await serve(reply(status, ''));
      const { kros } = clientOf(api);
      expect(await rejectionOf(kros.webhooks.list())).toMatchObject({ status });
      expect(api.requests).toHaveLength(1);
    }
  });

  it('sends a create answered with a redirect to a dead port exactly once', async () => {
    const api = await serve(reply(307, '', { location: `${await closedPort()}/webhooks` }));
    const { kros } = clientOf(api);
    await rejectionOf(kros.webhooks.create(BODY));
    expect(api.requests).toHaveLength(1);
  });

  it('refuses the answer of a custom fetch that followed a redirect anyway', async () => {
    const elsewhere = await serve(reply(200, [WEBHOOK]));
    const api = await serve(reply(302, '', { location: elsewhere.url }));
    const following: typeof fetch = (input, init) => fetch(input, { ...init, redirect: 'follow' });
    const { kros } = clientOf(api, { fetch: following });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosApiError);
    expect((error as Error).message).toContain(`fetch followed a redirect to ${elsewhere.url}`);
  });
});

describe('an answer the API sent is reported as that answer', () => {
  const created = JSON.stringify(WEBHOOK);

  it('resolves a create whose 201 has a reason phrase with bytes over 0x7F', async () => {
    const head = `HTTP/1.1 201 Cr\u00e9\u00e9\r\ncontent-type: application/json\r\ncontent-length: ${created.length}\r\nconnection: close\r\n\r\n`;
    const api = await serve(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(created)]));
    const { kros } = clientOf(api);
    expect(await kros.webhooks.create(BODY)).toEqual(WEBHOOK);
    expect(api.requests).toHaveLength(1);
  });

  it.each([600, 799, 999])('rejects a status of %i with KrosApiError carrying it, without retrying', async (status) => {
    const api = await serve(Buffer.from(`HTTP/1.1 ${status} Odd\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`));
    const { kros } = clientOf(api);
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosApiError);
    expect(error).not.toBeInstanceOf(KrosConnectionError);
    expect(error).toMatchObject({ status });
    expect(api.requests).toHaveLength(1);
  });

  it('rejects a 200 with invalid JSON as KrosInvalidResponseError, without retrying', async () => {
    const api = await serve(reply(200, '{"id": "497f', { 'content-type': 'application/json' }));
    const { kros } = clientOf(api);
    const error = await rejectionOf(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('is invalid JSON where the spec promises a JSON object');
    expect(api.requests).toHaveLength(1);
  });

  it('rejects a 502 with an HTML body as a Bad Gateway, after retrying', async () => {
    const api = await serve(reply(502, '<html><h1>502 Bad Gateway</h1></html>', { 'content-type': 'text/html' }));
    const { kros } = clientOf(api);
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosApiError);
    expect((error as Error).message).toBe(`GET /webhooks → 502 Bad Gateway (${new URL(api.url).host})`);
    expect(api.requests).toHaveLength(3);
  });

  it('rejects a 200 with an empty body on list', async () => {
    const api = await serve(reply(200));
    const { kros } = clientOf(api);
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('empty body');
    expect(api.requests).toHaveLength(1);
  });

  it('turns a response-like object from a fetch adapter into a standard Response', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    // A fetch adapter that hands back a plain object, its methods reading the body stream.
    const adapter = (async (url: string, init: RequestInit) => {
      const { ok, status, statusText, headers, body, type } = await fetch(url, init);
      const text = () => new Response(body).text();
      return {
        ok,
        status,
        statusText,
        headers,
        body,
        type,
        redirected: false,
        bodyUsed: false,
        text,
        json: async () => JSON.parse(await text()),
      };
    }) as unknown as typeof fetch;
    const { kros } = clientOf(api, { fetch: adapter });
    const { data, response } = await kros.raw.GET('/webhooks');
    expect(data).toEqual([WEBHOOK]);
    expect(response).toBeInstanceOf(Response);
  });
});

describe('bounded response bodies', () => {
  /**
   * Answers with a body that never ends, written as fast as the client reads it: gzipped, or one
   * byte per write (`drip`) if asked. `closed` settles when the client closes the connection, which
   * a client that stopped reading without closing never does: the test then fails on its timeout.
   */
  function endless(status: number, { gzip = false, drip = false } = {}) {
    let onClose = () => {};
    const closed = new Promise<void>((resolve) => (onClose = resolve));
    const respond: Responder = (_request, response) => {
      response.once('close', onClose);
      response.writeHead(status, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      const sink = gzip ? createGzip() : response;
      if (gzip) sink.pipe(response);
      sink.write('{"padding":"');
      if (drip) {
        response.socket?.setNoDelay(true);
        const next = () => response.destroyed || response.write(' ', () => setImmediate(next));
        return void next();
      }
      const chunk = Buffer.alloc(64 * 1024, ' ');
      const more = () => {
        while (!response.destroyed) if (!sink.write(chunk)) return void sink.once('drain', more);
      };
      more();
    };
    return { respond, closed };
  }

  /** Writes `body` in chunks of 1 to 97 bytes, each in a write of its own. */
  function dripped(body: string): Responder {
    return (_request, response: ServerResponse) => {
      response.socket?.setNoDelay(true);
      response.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const next = () => {
        if (response.destroyed) return;
        if (sent >= body.length) return void response.end();
        const size = 1 + (sent % 97);
        response.write(body.slice(sent, sent + size), () => setImmediate(next));
        sent += size;
      };
      next();
    };
  }

  it('rejects an endless body past the default 10 MiB with KrosInvalidResponseError, closes the connection, does not retry', async () => {
    const { respond, closed } = endless(200);
    const api = await serve(respond);
    const { kros } = clientOf(api, { timeoutMs: 60_000 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('over maxResponseBytes (10485760 bytes)');
    await closed;
    expect(api.requests).toHaveLength(1);
  });

  it('stops inflating an endless gzip body at maxResponseBytes, counted after decompression, and closes the connection', async () => {
    const { respond, closed } = endless(200, { gzip: true });
    const api = await serve(respond);
    const { kros } = clientOf(api, { maxResponseBytes: MiB, timeoutMs: 60_000 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('over maxResponseBytes (1048576 bytes)');
    await closed;
  });

  it('stops reading an error body dripped one byte per write at maxResponseBytes, and closes the connection', async () => {
    const { respond, closed } = endless(400, { drip: true });
    const api = await serve(respond);
    const { kros } = clientOf(api, { maxResponseBytes: 16 * 1024, timeoutMs: 60_000 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toContain('over maxResponseBytes (16384 bytes)');
    await closed;
  });

  it('refuses a declared Content-Length over the limit without waiting for the body', async () => {
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * MiB) });
      response.write('[');
    });
    // The body never comes: a client that waited for it would outlast this test's timeout.
    const { kros } = clientOf(api, { timeoutMs: 60_000 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('over maxResponseBytes (10485760 bytes)');
  });

  it('takes a per-call maxResponseBytes over the client one', async () => {
    const api = await serve(reply(200, [WEBHOOK, WEBHOOK]));
    const { kros } = clientOf(api, { maxResponseBytes: 10 * MiB });
    await expect(kros.webhooks.list({ maxResponseBytes: 100 })).rejects.toThrow('over maxResponseBytes (100 bytes)');
    expect(await kros.webhooks.list()).toHaveLength(2);
  });

  it('bounds error bodies too, without retrying', async () => {
    const { respond } = endless(500);
    const api = await serve(respond);
    const { kros } = clientOf(api, { maxResponseBytes: MiB, timeoutMs: 60_000 });
    const error = await rejectionOf(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect(error).toMatchObject({ status: 500 });
    expect(api.requests).toHaveLength(1);
  });

  it('does not retry a create whose answer is too large', async () => {
    const { respond } = endless(201);
    const api = await serve(respond);
    const { kros } = clientOf(api, { maxResponseBytes: MiB, timeoutMs: 60_000 });
    await expect(kros.webhooks.create(BODY)).rejects.toThrow(KrosInvalidResponseError);
    expect(api.requests).toHaveLength(1);
  });

  it('reads a 1 MB response in full', async () => {
    const webhooks = Array.from({ length: 8_000 }, (_, i) => ({ ...WEBHOOK, url: `https://example.com/hooks/${i}` }));
    expect(JSON.stringify(webhooks).length).toBeGreaterThan(1_000_000);
    const api = await serve(reply(200, webhooks));
    const { kros } = clientOf(api, { timeoutMs: 60_000 });
    expect(await kros.webhooks.list()).toEqual(webhooks);
    expect(api.requests).toHaveLength(1);
  });

  it('reads a body that arrives in thousands of small chunks byte for byte', async () => {
    const webhooks = Array.from({ length: 800 }, (_, i) => ({ ...WEBHOOK, url: `https://example.com/hooks/${i}` }));
    const body = JSON.stringify(webhooks);
    expect(body.length).toBeGreaterThan(100_000);
    const api = await serve(dripped(body));
    const { kros } = clientOf(api, { timeoutMs: 60_000 });
    expect(await kros.webhooks.list()).toEqual(webhooks);
  });
});

describe('load', () => {
  it('serves 500 concurrent list calls', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    const { kros } = clientOf(api, { timeoutMs: 20_000 });
    const results = await Promise.all(Array.from({ length: 500 }, () => kros.webhooks.list()));
    expect(results.every((webhooks) => webhooks[0]?.id === ID)).toBe(true);
    expect(api.requests).toHaveLength(500);
  });

  it('adds one listener to a signal shared by 1,000 concurrent calls, so Node does not warn', async () => {
    const api = await serve(reply(200, []));
    const { kros } = clientOf(api, { timeoutMs: 20_000 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const shared = new AbortController().signal;
      await Promise.all(Array.from({ length: 1_000 }, () => kros.webhooks.list({ signal: shared })));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
  });
});
