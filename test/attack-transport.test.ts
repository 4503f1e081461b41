import { KrosApiError, type KrosClientOptions, KrosError, KrosTimeoutError, KrosValidationError } from '@krosai/cockpit';
import { beforeEach, describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { reply, type TestServer } from './helpers/server.ts';

const KEY = 'kros_live_ATTACKTRANSPORT42';
const BODY = { url: 'https://example.com/hooks', events: ['call.completed' as const] };

const serve = serversPerTest();
/** A client with short timings against `server`, and its log lines. */
function clientOf(server: TestServer | string, options: KrosClientOptions = {}) {
  const baseUrl = typeof server === 'string' ? server : server.url;
  return loggingClient({ baseUrl, apiKey: KEY, timeoutMs: 500, initialRetryDelayMs: 10, ...options });
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Unhandled rejections seen while a test runs. */
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
  return () => {
    process.off('unhandledRejection', onUnhandled);
  };
});

describe('holds: redirects in every form', () => {
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

  it('a 300 and a 304 are refused too, without a retry', async () => {
    for (const status of [300, 304]) {
      const api = await serve(reply(status, ''));
      const { kros } = clientOf(api);
      expect(await rejectionOf(kros.webhooks.list())).toMatchObject({ status });
      expect(api.requests).toHaveLength(1);
    }
  });
});

describe('holds: nothing hangs a call', () => {
  it('a body dripped one byte every 50 ms for 10 s rejects within the attempts × timeoutMs', async () => {
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
      const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(' ')), 50);
      setTimeout(() => {
        clearInterval(timer);
        response.end(']');
      }, 10_000);
    });
    const { kros } = clientOf(api, { timeoutMs: 300, maxRetries: 2 });
    const started = performance.now();
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosTimeoutError);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('a token function that resolves after the caller aborted: rejects with the reason at once, sends nothing, no unhandled rejection', async () => {
    const api = await serve();
    let settle: (value: string) => void = () => {};
    const { kros } = clientOf(api, { apiKey: () => new Promise<string>((resolve) => (settle = resolve)), timeoutMs: 5_000 });
    const controller = new AbortController();
    const pending = kros.webhooks.list({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const started = performance.now();
    expect(await rejectionOf(pending)).toMatchObject({ message: 'caller gave up' });
    expect(performance.now() - started).toBeLessThan(1_000);
    settle(KEY);
    await sleep(200);
    expect(api.requests).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('a token function that rejects after the timeout leaves no unhandled rejection', async () => {
    const api = await serve();
    const { kros } = clientOf(api, {
      apiKey: () => new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`late ${KEY}`)), 400)),
      timeoutMs: 100,
      maxRetries: 0,
    });
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    await sleep(600);
    expect(unhandled).toEqual([]);
  });

  it('a fetch that ignores the signal and rejects after the timeout leaves no unhandled rejection', async () => {
    const lateFailure: typeof fetch = () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 300));
    const { kros } = clientOf('http://127.0.0.1:9', { fetch: lateFailure, timeoutMs: 100, maxRetries: 0 });
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosTimeoutError);
    await sleep(500);
    expect(unhandled).toEqual([]);
  });

  it('a fetch that never settles and ignores the signal, with a caller abort during the retry wait: rejects with the reason', async () => {
    const never: typeof fetch = () => new Promise(() => {});
    const { kros } = clientOf('http://127.0.0.1:9', { fetch: never, timeoutMs: 100, maxRetries: 3, initialRetryDelayMs: 2_000 });
    const signal = AbortSignal.timeout(400);
    const started = performance.now();
    const error = await rejectionOf(kros.webhooks.list({ signal }));
    expect((error as Error).name).toBe('TimeoutError');
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe('holds: unhandled rejections through KrosPromise', () => {
  it('awaiting only withResponse() of a failing call', async () => {
    const api = await serve(reply(500, { error: 'boom' }));
    const { kros } = clientOf(api, { maxRetries: 0 });
    await rejectionOf(kros.webhooks.list().withResponse());
    await sleep(50);
    expect(unhandled).toEqual([]);
  });

  it('awaiting only the data of a failing call, and an aborted call awaited through .catch()', async () => {
    const api = await serve(reply(500, { error: 'boom' }));
    const { kros } = clientOf(api, { maxRetries: 0 });
    await rejectionOf(kros.webhooks.list());
    await kros.webhooks.list({ signal: AbortSignal.abort() }).catch(() => undefined);
    await kros.webhooks
      .get('not-a-uuid')
      .finally(() => undefined)
      .catch(() => undefined);
    await sleep(50);
    expect(unhandled).toEqual([]);
  });
});

describe('instanceof is by name, not identity', () => {
  it('holds (documents): an object whose prototype names a Kros class passes instanceof', () => {
    // Only code in the process can build such an object, so this is not reachable from a server.
    const forged = Object.create({ constructor: { krosClass: 'KrosValidationError' } });
    expect(forged instanceof KrosValidationError).toBe(true);
    expect(forged instanceof KrosError).toBe(false);
  });
});

describe('holds: retries of non-idempotent requests', () => {
  it('a create whose connection is cut after the request arrived is sent once', async () => {
    const api = await serve((_request, response) => response.socket?.destroy());
    const { kros } = clientOf(api, { maxRetries: 5 });
    await rejectionOf(kros.webhooks.create(BODY));
    expect(api.requests).toHaveLength(1);
  });

  it('a create answered 500, 502, 503, 504 or a timeout is sent once', async () => {
    for (const status of [500, 502, 503, 504]) {
      const api = await serve(reply(status, { error: 'x' }));
      const { kros } = clientOf(api, { maxRetries: 5 });
      await rejectionOf(kros.webhooks.create(BODY));
      expect(api.requests).toHaveLength(1);
    }
    const slow = await serve(() => {});
    const { kros } = clientOf(slow, { maxRetries: 5, timeoutMs: 100 });
    expect(await rejectionOf(kros.webhooks.test('497f6eca-6276-4993-bfeb-53cbbbba6f08'))).toBeInstanceOf(KrosTimeoutError);
    expect(slow.requests).toHaveLength(1);
  });
});

describe('holds: a Proxy that answers differently per read cannot bypass body validation', () => {
  it('the body sent is the body checked', async () => {
    const api = await serve(reply(201, { id: 'x' }));
    const { kros } = clientOf(api);
    let reads = 0;
    const body = new Proxy(
      { url: 'https://example.com/hooks', events: ['call.completed'] },
      { get: (target, key) => (key === 'url' && reads++ > 0 ? 'javascript:alert(1)' : Reflect.get(target, key)) },
    );
    const outcome = await kros.webhooks.create(body as never).then(
      () => 'sent',
      (error: unknown) => error,
    );
    if (outcome === 'sent') expect(JSON.parse(api.requests[0]?.body ?? '{}').url).toBe('https://example.com/hooks');
    else expect(outcome).toBeInstanceOf(KrosValidationError);
  });
});

describe('every failure is a KrosError', () => {
  it('a 400 whose JSON body is nested 20,000 levels deep (40 KiB) rejects with KrosApiError, not a RangeError', async () => {
    const depth = 20_000;
    const api = await serve(reply(400, `${'['.repeat(depth)}${']'.repeat(depth)}`, { 'content-type': 'application/json' }));
    const { kros } = clientOf(api, { maxRetries: 0 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosApiError);
  });
});
