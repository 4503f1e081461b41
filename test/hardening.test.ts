/**
 * What a hostile server, a broken proxy or a careless caller can do to the client, each against
 * real loopback servers. The verifier's side is in signature.test.ts.
 */
import { gzipSync } from 'node:zlib';
import {
  type AuthHeader,
  KrosApiError,
  type KrosClientOptions,
  KrosConnectionError,
  KrosInvalidResponseError,
  KrosRateLimitError,
  KrosTimeoutError,
  KrosValidationError,
} from '@krosai/cockpit';
import { describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { delayed, hang, type Responder, reply, script, startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true, secret: 'whsec_from_the_api' };
const BODY = { url: 'https://example.com/hooks', events: ['call.completed' as const] };
const KEY = 'kros_live_HARDENINGKEY42';
const ORG = '11111111-1111-4111-8111-111111111111';

const serve = serversPerTest();

/** A client with short timings against `server`, and its log lines. */
function clientOf(server: TestServer, options: KrosClientOptions = {}) {
  return loggingClient({ baseUrl: server.url, apiKey: KEY, timeoutMs: 300, initialRetryDelayMs: 20, ...options });
}

async function timed<T>(pending: Promise<T>) {
  const started = performance.now();
  const outcome = await pending.then(
    (value) => ({ value, error: undefined as unknown }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...outcome, ms: performance.now() - started };
}

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

  it('sends a create answered with a redirect to a dead port exactly once', async () => {
    const dead = await startServer();
    await dead.close();
    const api = await serve(reply(307, '', { location: `${dead.url}/webhooks` }));
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

  it('gives raw users the response fetch returned, its body readable', async () => {
    const api = await serve(reply(200, [WEBHOOK], { 'x-request-id': 'req_raw' }));
    const { kros } = clientOf(api);
    const { data, response } = await kros.raw.GET('/webhooks');
    expect(data).toEqual([WEBHOOK]);
    expect(response).toBeInstanceOf(Response);
    expect(response.headers.get('x-request-id')).toBe('req_raw');
    expect(await response.clone().json()).toEqual([WEBHOOK]);
  });

  it('answers every body method of the raw response from memory, as often as it is called', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    const { kros } = clientOf(api);
    const { response } = await kros.raw.GET('/webhooks');
    const text = JSON.stringify([WEBHOOK]);
    expect(response.bodyUsed).toBe(false);
    expect(await response.text()).toBe(text);
    expect(await response.text()).toBe(text);
    expect(await response.json()).toEqual([WEBHOOK]);
    expect(new TextDecoder().decode(await response.arrayBuffer())).toBe(text);
    expect(await (await response.blob()).text()).toBe(text);
    expect(await new Response(response.body).text()).toBe(text);
    expect(response.clone()).toBe(response);
    expect(response.bodyUsed).toBe(false);
  });
});

describe('bounded responses', () => {
  const MiB = 1024 * 1024;

  /** Streams a JSON object of about `total` bytes, chunk by chunk. */
  function largeBody(total: number, status = 200, chunk = 64 * 1024): Responder {
    return (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      let sent = 0;
      const piece = Buffer.alloc(chunk, 'a');
      const more = () => {
        while (sent < total && !response.destroyed) {
          sent += chunk;
          if (!response.write(piece)) return response.once('drain', more);
        }
        response.end('"}');
      };
      response.write('{"padding":"');
      more();
    };
  }

  it('rejects a body over the default 10 MiB with KrosInvalidResponseError, without retrying', async () => {
    const api = await serve(largeBody(12 * MiB));
    const { kros } = clientOf(api, { timeoutMs: 10_000 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('over maxResponseBytes (10485760 bytes)');
    expect(api.requests).toHaveLength(1);
  });

  it('takes a per-call maxResponseBytes over the client one', async () => {
    const api = await serve(reply(200, [WEBHOOK, WEBHOOK]));
    const { kros } = clientOf(api, { maxResponseBytes: 10 * MiB });
    await expect(kros.webhooks.list({ maxResponseBytes: 100 })).rejects.toThrow('over maxResponseBytes (100 bytes)');
    expect(await kros.webhooks.list()).toHaveLength(2);
  });

  it('bounds error bodies too', async () => {
    const api = await serve(largeBody(2 * MiB, 500));
    const { kros } = clientOf(api, { maxResponseBytes: MiB, timeoutMs: 5_000 });
    const error = await rejectionOf(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect(error).toMatchObject({ status: 500 });
    expect(api.requests).toHaveLength(1);
  });

  it('refuses a declared Content-Length over the limit without waiting for the body', async () => {
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * MiB) });
      response.write('[');
    });
    const { kros } = clientOf(api, { timeoutMs: 5_000 });
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect(ms).toBeLessThan(2_000);
  });

  it('counts a gzip body after decompression, and stops inflating a bomb', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MiB, ' '));
    expect(bomb.length).toBeLessThan(MiB);
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(bomb);
    });
    const { kros } = clientOf(api, { maxResponseBytes: MiB, timeoutMs: 5_000 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect((error as Error).message).toContain('over maxResponseBytes (1048576 bytes)');
  });

  it('does not retry a create whose answer is too large', async () => {
    const api = await serve(largeBody(2 * MiB, 201));
    const { kros } = clientOf(api, { maxResponseBytes: MiB, timeoutMs: 5_000 });
    await expect(kros.webhooks.create(BODY)).rejects.toThrow(KrosInvalidResponseError);
    expect(api.requests).toHaveLength(1);
  });
});

describe('the token function is part of the attempt', () => {
  const never = () => new Promise<string>(() => {});

  it("rejects with the caller's abort while the token function never settles", async () => {
    const api = await serve(reply(200, []));
    const { kros } = clientOf(api, { apiKey: never, timeoutMs: 60_000 });
    const { error, ms } = await timed(kros.webhooks.list({ signal: AbortSignal.timeout(200) }));
    expect((error as DOMException).name).toBe('TimeoutError');
    expect(ms).toBeLessThan(1_000);
    expect(api.requests).toEqual([]);
  });

  it('counts a slow token function against timeoutMs', async () => {
    const api = await serve(reply(200, []));
    const { kros } = clientOf(api, { apiKey: never, timeoutMs: 100, maxRetries: 1 });
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(ms).toBeLessThan(1_000);
    expect(api.requests).toEqual([]);
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

describe('timeouts hold whatever fetch does', () => {
  const ignoringSignal: typeof fetch = (input, init) => fetch(input, { ...init, signal: null });

  it('times out a fetch that ignores the signal', async () => {
    const api = await serve(hang);
    const { kros } = clientOf(api, { fetch: ignoringSignal, timeoutMs: 150, maxRetries: 0 });
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(ms).toBeLessThan(1_000);
  });

  it('times out a stalled body when fetch ignores the signal', async () => {
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
    });
    const { kros } = clientOf(api, { fetch: ignoringSignal, timeoutMs: 150, maxRetries: 0 });
    const { error, ms } = await timed(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(ms).toBeLessThan(1_000);
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
  }, 30_000);
});

describe('sane waits', () => {
  it.each([
    ['-1', '-1'],
    ['empty', ''],
    ['0', '0'],
    ['a past date', new Date(Date.now() - 60_000).toUTCString()],
    ['garbage', 'soon'],
  ])('falls back to the jittered backoff when Retry-After is %s', async (_name, retryAfter) => {
    const api = await serve(script(reply(503, '', { 'retry-after': retryAfter }), reply(200, [])));
    const { kros } = clientOf(api, { initialRetryDelayMs: 400 });
    const { ms, error } = await timed(kros.webhooks.list());
    expect(error).toBeUndefined();
    // The backoff is 400 ms minus at most 25% jitter.
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(api.requests).toHaveLength(2);
  });

  it.each([
    ['abc', undefined],
    ['0x10', undefined],
    ['1e3', undefined],
    ['-5', undefined],
    ['', undefined],
    ['42', 42],
  ])('reads X-RateLimit-Remaining %j as %s', async (remaining, expected) => {
    const api = await serve(reply(429, { error: 'slow down' }, { 'x-ratelimit-remaining': remaining, 'retry-after': '120' }));
    const { kros } = clientOf(api);
    const error = (await rejectionOf(kros.webhooks.list())) as KrosRateLimitError;
    expect(error).toBeInstanceOf(KrosRateLimitError);
    expect(error.rateLimit.remaining).toBe(expected);
  });
});

describe('delete is idempotent across retries', () => {
  it('resolves when the retry of a timed-out delete finds the webhook gone, with an info line', async () => {
    const api = await serve(script(delayed(400, reply(204)), reply(404, { error: 'Webhook not found' })));
    const { kros, log } = clientOf(api, { timeoutMs: 200 });
    await expect(kros.webhooks.delete(ID)).resolves.toBeUndefined();
    expect(api.requests).toHaveLength(2);
    expect(log.at(-1)).toMatch(/DELETE \/webhooks\/.*: 404 after an attempt that may have deleted it; deleted$/);
  });

  it('resolves when the retry after a 503 finds the webhook gone', async () => {
    const api = await serve(script(reply(503), reply(404, { error: 'Webhook not found' })));
    const { kros } = clientOf(api);
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
