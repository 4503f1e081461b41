import { createKrosClient, type KrosClientOptions, KrosValidationError, type WebhookCreate } from '@krosai/cockpit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER_ORG = '22222222-2222-4222-8222-222222222222';
const BODY: WebhookCreate = { url: 'https://example.com/hooks', events: ['call.completed'] };

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
afterEach(() => {
  expect(server.requests, 'requests that reached the server').toEqual([]);
});

const client = (options: KrosClientOptions = {}) => createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', ...options });

/** Calls with deliberately wrong types, as plain JavaScript callers can. */
// biome-ignore lint/suspicious/noExplicitAny: the point is to bypass the types.
const untyped = (value: unknown) => value as any;

async function expectRefused(pending: Promise<unknown>, message: RegExp | string) {
  await expect(pending).rejects.toThrow(KrosValidationError);
  await expect(pending).rejects.toThrow(message);
}

describe('ids', () => {
  it.each([
    ['get', (id: string) => client().webhooks.get(id)],
    ['update', (id: string) => client().webhooks.update(id, { active: true })],
    ['delete', (id: string) => client().webhooks.delete(id)],
    ['test', (id: string) => client().webhooks.test(id)],
  ])('%s refuses an id that is not a UUID', async (_name, call) => {
    await expectRefused(call('123'), 'id must be a UUID');
    await expectRefused(call('../webhooks'), 'id must be a UUID');
    await expectRefused(call(untyped(undefined)), 'id must be a UUID, got undefined');
  });
});

describe('organization ids', () => {
  it('refuses a malformed organizationId per request', async () => {
    await expectRefused(client().webhooks.list({ organizationId: 'acme' }), 'options.organizationId must be a UUID');
  });

  it('refuses a malformed organizationId on the client, at creation', () => {
    expect(() => client({ organizationId: 'acme' })).toThrow(KrosValidationError);
  });

  it('refuses a malformed organizationId in withOrganization', () => {
    expect(() => client().withOrganization('acme')).toThrow(/organizationId must be a UUID/);
  });
});

describe('create body', () => {
  it.each([
    ['a relative url', { ...BODY, url: '/hooks' }, 'body.url must be an absolute http(s) URL'],
    ['a non-http url', { ...BODY, url: 'ftp://example.com/hooks' }, 'body.url must be an absolute http(s) URL'],
    ['a missing url', { events: BODY.events }, 'body.url must be an absolute http(s) URL, got undefined'],
    ['empty events', { ...BODY, events: [] }, 'body.events must be a non-empty array'],
    ['missing events', { url: BODY.url }, 'body.events must be a non-empty array'],
    ['an unknown event', { ...BODY, events: ['call.completed', 'call.exploded'] }, 'unknown ["call.exploded"]; known: call.started, '],
    ['a non-boolean active', { ...BODY, active: 'false' }, 'body.active must be true or false, got "false"'],
    ['no body at all', undefined, 'body must be an object'],
  ])('refuses %s', async (_name, body, message) => {
    await expectRefused(client().webhooks.create(untyped(body)), message);
  });
});

describe('update patch', () => {
  it.each([
    ['a relative url', { url: 'hooks' }, 'patch.url must be an absolute http(s) URL'],
    ['empty events', { events: [] }, 'patch.events must be a non-empty array'],
    ['an unknown event', { events: ['call.exploded'] }, 'unknown ["call.exploded"]; known: call.started, '],
    ['a non-boolean active', { active: 1 }, 'patch.active must be true or false, got 1'],
    ['a patch that is not an object', 'active', 'patch must be an object'],
  ])('refuses %s', async (_name, patch, message) => {
    await expectRefused(client().webhooks.update(ID, untyped(patch)), message);
  });
});

describe('headers', () => {
  it('refuses a request header value with CR or LF', async () => {
    await expectRefused(
      client().webhooks.list({ headers: { 'x-trace': 'a\r\nx-injected: 1' } }),
      'header "x-trace" needs a string value of Latin-1 characters without CR, LF or NUL',
    );
  });

  it('refuses a client header value with CR or LF, at creation', () => {
    expect(() => client({ headers: { 'x-trace': 'a\nb' } })).toThrow(KrosValidationError);
  });

  it('refuses an invalid header name', async () => {
    await expectRefused(client().webhooks.list({ headers: { 'bad header': '1' } }), '"bad header" is not a valid header name');
  });

  it.each(['Authorization', 'x-api-key', 'X-Organization-Id'])('refuses %s as a plain header, pointing to its option', async (name) => {
    await expectRefused(
      client().webhooks.list({ headers: { [name]: 'value' } }),
      /through the apiKey, authHeader or organizationId option/,
    );
  });
});

describe('credentials', () => {
  it('refuses to create a client without an API key, naming KROSAI_API_KEY', () => {
    vi.stubEnv('KROSAI_API_KEY', '');
    try {
      expect(() => createKrosClient({ baseUrl: server.url })).toThrow(KrosValidationError);
      expect(() => createKrosClient({ baseUrl: server.url })).toThrow('KROSAI_API_KEY');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses an API key with a line break', () => {
    expect(() => client({ apiKey: 'kros_test_abc\n' })).toThrow('apiKey must be a non-empty string of visible ASCII characters');
  });

  it('rejects when the token function throws, keeping its error as cause', async () => {
    const failure = new Error('session expired');
    const pending = client({ apiKey: () => Promise.reject(failure) }).webhooks.list();
    await expectRefused(pending, 'the apiKey function threw');
    await expect(pending).rejects.toHaveProperty('cause', failure);
  });

  it('rejects when the token function returns an empty string', async () => {
    await expectRefused(
      client({ apiKey: () => '' }).webhooks.list(),
      'the value returned by the apiKey function must be a non-empty string',
    );
  });

  it('refuses an unknown authHeader', () => {
    expect(() => client({ authHeader: untyped('bearer') })).toThrow('authHeader must be "authorization" or "x-api-key"');
  });
});

describe('timeouts and retries', () => {
  it.each([0, -1, Number.NaN, 2 ** 31, '100', 0.5, 100.5])('refuses timeoutMs %s', async (timeoutMs) => {
    await expectRefused(
      client().webhooks.list({ timeoutMs: untyped(timeoutMs) }),
      'options.timeoutMs must be a whole number from 1 to 2147483647',
    );
    expect(() => client({ timeoutMs: untyped(timeoutMs) })).toThrow(KrosValidationError);
  });

  it.each([-1, 1.5, Number.POSITIVE_INFINITY, '2', 11, Number.MAX_SAFE_INTEGER])('refuses maxRetries %s', async (maxRetries) => {
    await expectRefused(
      client().webhooks.list({ maxRetries: untyped(maxRetries) }),
      'options.maxRetries must be a whole number from 0 to 10',
    );
    expect(() => client({ maxRetries: untyped(maxRetries) })).toThrow(KrosValidationError);
  });
});

describe('base URL', () => {
  it('refuses a base URL that is not absolute http(s), at creation', () => {
    expect(() => client({ baseUrl: 'api.krosai.com/v1' })).toThrow('baseUrl must be an absolute http(s) URL');
  });
});

describe('base URLs that would send the key in plain text', () => {
  it('refuses http: for a host other than loopback, naming the option that allows it', () => {
    expect(() => client({ baseUrl: 'http://api.krosai.com/v1' })).toThrow(
      'baseUrl: http: sends the API key in plain text; use https:, or set allowInsecureHttp for a trusted network',
    );
    expect(() => client({ baseUrl: 'http://10.0.0.7:4010' })).toThrow(KrosValidationError);
    expect(client({ baseUrl: 'http://krosai-mock:4010', allowInsecureHttp: true }).webhooks).toBeDefined();
  });

  it.each(['http://127.0.0.1:4010', 'http://localhost:4010/v1', 'http://[::1]:4010', 'https://api.krosai.com/v1'])(
    'accepts %s',
    (baseUrl) => {
      expect(client({ baseUrl }).webhooks).toBeDefined();
    },
  );
});

describe('base URL parts that would leak or misroute', () => {
  it('refuses a user name and password', () => {
    expect(() => client({ baseUrl: 'http://admin:hunter2pw@127.0.0.1:9/v1' })).toThrow('baseUrl must not contain a user name or password');
  });

  it('refuses a query, which would end up before the path', () => {
    expect(() => client({ baseUrl: 'http://127.0.0.1:9/v1?tenant=secret-tenant' })).toThrow('baseUrl must not contain a query');
  });

  it('refuses a fragment', () => {
    expect(() => client({ baseUrl: 'http://127.0.0.1:9/v1#top' })).toThrow('baseUrl must not contain a fragment');
  });
});

describe('headers in every form', () => {
  it('refuses a Headers instance carrying the credential, per request', async () => {
    const forwarded = new Headers({ authorization: 'Bearer end-user-token', 'x-trace-id': 'abc' });
    await expectRefused(client().webhooks.list({ headers: forwarded }), 'set authorization through the apiKey');
  });

  it('refuses a Headers instance carrying the organization, per request', async () => {
    const forwarded = new Headers({ 'x-organization-id': '22222222-2222-4222-8222-222222222222' });
    await expectRefused(client().webhooks.list({ headers: forwarded }), 'set x-organization-id through');
  });

  it('refuses [name, value] pairs carrying the credential, per request', async () => {
    await expectRefused(client().webhooks.list({ headers: [['X-Api-Key', 'other']] }), 'set X-Api-Key through');
  });

  it('refuses a Headers instance carrying the credential, on the client', () => {
    expect(() => client({ headers: new Headers({ 'x-api-key': 'other' }) })).toThrow(KrosValidationError);
  });

  it('refuses pairs that are not pairs', async () => {
    await expectRefused(client().webhooks.list({ headers: untyped([['x-a', '1', '2']]) }), 'each entry must be a [name, value] pair');
  });

  it('refuses a value outside Latin-1', async () => {
    await expectRefused(client().webhooks.list({ headers: { 'x-note': 'naïve ✓' } }), 'needs a string value of Latin-1 characters');
  });

  it('refuses a NUL in a value', async () => {
    await expectRefused(client().webhooks.list({ headers: [['x-note', 'a\0b']] }), 'without CR, LF or NUL');
  });

  it('refuses a Map carrying the credential', async () => {
    await expectRefused(client().webhooks.list({ headers: untyped(new Map([['x-api-key', 'evil']])) }), 'set x-api-key through');
  });

  it('refuses a __proto__ key from JSON.parse instead of reading the headers behind it', async () => {
    const headers = JSON.parse(`{"__proto__":{"authorization":"Bearer x"},"x-organization-id":"${OTHER_ORG}"}`);
    await expectRefused(client({ organizationId: ORG }).webhooks.list({ headers }), 'header "__proto__" needs a string value');
  });
});

describe('headers that belong to the connection', () => {
  // What a Next.js or Node handler's incoming request.headers typically holds for a chunked POST.
  it.each([
    ['transfer-encoding', 'chunked'],
    ['expect', '100-continue'],
    ['upgrade', 'websocket'],
    ['keep-alive', 'timeout=5'],
  ])('refuses forwarded headers with %s before sending, not as a connection failure', async (name, value) => {
    const incoming = new Headers({ 'x-trace-id': 'abc', [name]: value });
    await expectRefused(client().webhooks.list({ headers: incoming }), `${name} belongs to the connection; fetch sets it`);
  });

  it('refuses a content-length on create, which would leave the create unsent until it timed out', async () => {
    await expectRefused(client().webhooks.create(BODY, { headers: { 'content-length': '5' } }), 'content-length belongs to the connection');
  });
});

describe('the raw client checks its per-call options as the facade does', () => {
  it("refuses a per-call baseUrl elsewhere, so the client's key does not go there", async () => {
    const elsewhere = await startServer();
    try {
      // openapi-fetch accepts baseUrl per request; a careless caller spreads user-supplied options into it.
      const userOptions = JSON.parse(`{"baseUrl":"${elsewhere.url}/v1"}`);
      await expectRefused(client({ organizationId: ORG }).raw.GET('/webhooks', { ...userOptions }), "outside the client's baseUrl");
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses a per-call baseUrl with userinfo and a query', async () => {
    const baseUrl = `${server.url.replace('http://', 'http://admin:pw@')}?tenant=a`;
    await expectRefused(client().raw.GET('/webhooks', untyped({ baseUrl })), "outside the client's baseUrl");
  });

  it('refuses a path parameter `..` or `.`, which would be a path segment of its own', async () => {
    const raw = client().raw;
    await expectRefused(raw.POST('/webhooks/{id}/test', { params: { path: { id: '..' } } }), 'params.path: `.` and `..`');
    await expectRefused(raw.GET('/webhooks/{id}', { params: { path: { id: '.' } } }), 'params.path');
  });

  it("refuses a path that climbs out of the base URL's path", async () => {
    const nested = createKrosClient({ baseUrl: `${server.url}/v1`, apiKey: 'kros_test_abc' });
    await expectRefused(nested.raw.GET(untyped('/../../admin'), {}), "outside the client's baseUrl");
  });

  it("refuses an incoming request's Headers carrying another organization, on kros.raw.GET() and kros.raw.request()", async () => {
    const incoming = () => new Headers({ 'x-organization-id': OTHER_ORG, 'x-trace-id': 'abc' });
    const kros = client({ organizationId: ORG });
    await expectRefused(kros.raw.GET('/webhooks', untyped({ headers: incoming() })), 'set x-organization-id through');
    await expectRefused(kros.raw.request('get', '/webhooks', untyped({ headers: incoming() })), 'set x-organization-id through');
  });

  it('refuses a credential header when the options are followed by another argument', async () => {
    // A wrapper that forwards its own arguments: (path, init, extra) => kros.raw.GET(path, init, extra).
    const get = client().raw.GET as (...args: unknown[]) => Promise<unknown>;
    await expectRefused(
      get('/webhooks', { headers: { authorization: 'Bearer stolen', 'x-trace-id': 'abc' } }, undefined),
      'set authorization through',
    );
  });

  it.each([
    ['a credential', { authorization: 'Bearer kros_live_SOMEONE_ELSES' }, 'set authorization through'],
    ['a connection header', { 'transfer-encoding': 'chunked' }, 'transfer-encoding belongs to the connection'],
    ['an organization that is not a UUID', { 'x-organization-id': 'not-a-uuid' }, 'must be a UUID'],
  ])('refuses %s in params.header', async (_what, header, message) => {
    await expectRefused(client().raw.GET('/webhooks', untyped({ params: { header } })), message);
  });

  it('refuses a header value outside Latin-1', async () => {
    await expectRefused(
      client().raw.GET('/webhooks', untyped({ headers: { 'x-name': 'Zoë €' } })),
      'needs a string value of Latin-1 characters',
    );
  });

  it('sends the organization given in params.header, over the client one', async () => {
    const sent = await startServer();
    try {
      const kros = createKrosClient({ baseUrl: sent.url, apiKey: 'kros_test_abc', organizationId: ORG });
      await kros.raw.GET('/webhooks', { params: { header: { 'x-organization-id': OTHER_ORG } } });
      expect(sent.requests[0]?.headers['x-organization-id']).toBe(OTHER_ORG);
    } finally {
      await sent.close();
    }
  });
});

describe('credentials a header cannot carry', () => {
  it.each([
    ['a Cyrillic letter', 'kros_test_\u0430bc'],
    ['a control character', 'kros_test_\u0001abc'],
    ['a space', 'kros_test abc'],
  ])('refuses an API key with %s, at creation', (_name, apiKey) => {
    expect(() => client({ apiKey })).toThrow('apiKey must be a non-empty string of visible ASCII characters');
  });

  it('refuses a token function result with a non-ASCII character, before sending', async () => {
    await expectRefused(client({ apiKey: () => 'jwt.\u0430.x' }).webhooks.list(), 'the value returned by the apiKey function must be');
  });
});

describe('values JSON cannot carry, and objects that fight back', () => {
  it('refuses a BigInt in a body', async () => {
    await expectRefused(client().webhooks.create(untyped({ ...BODY, retries: 10n })), 'body cannot be sent as JSON');
  });

  it('refuses a cyclic body', async () => {
    const body: Record<string, unknown> = { ...BODY };
    body.self = body;
    await expectRefused(client().webhooks.create(untyped(body)), 'body cannot be sent as JSON');
  });

  it('refuses a Symbol where an event belongs', async () => {
    await expectRefused(client().webhooks.create(untyped({ ...BODY, events: [Symbol('call.completed')] })), 'body.events: unknown');
  });

  it('refuses a body whose getter throws', async () => {
    const body = {
      ...BODY,
      get active(): boolean {
        throw new Error('getter exploded');
      },
    };
    await expectRefused(client().webhooks.create(body), 'body cannot be sent as JSON: getter exploded');
  });

  it('refuses options whose getter throws', async () => {
    const options = {
      get timeoutMs(): number {
        throw new Error('getter exploded');
      },
    };
    await expectRefused(client().webhooks.list(options), 'options could not be read: getter exploded');
    const clientOptions = Object.defineProperties(
      { baseUrl: server.url, apiKey: 'kros_test_abc' },
      Object.getOwnPropertyDescriptors(options),
    );
    expect(() => createKrosClient(clientOptions)).toThrow('options could not be read');
  });

  it.each([
    ['list', () => client().webhooks.list(untyped(null))],
    ['create', () => client().webhooks.create(BODY, untyped(null))],
  ])('refuses options = null on %s', async (_name, call) => {
    await expectRefused(call(), 'options must be an object');
  });

  it('refuses options = null on the client', () => {
    expect(() => createKrosClient(untyped(null))).toThrow(KrosValidationError);
  });

  it('refuses a signal that is not an AbortSignal', async () => {
    await expectRefused(client().webhooks.list({ signal: untyped({ aborted: false }) }), 'options.signal must be an AbortSignal');
  });

  it.each([0, -1, 1.5, '1000'])('refuses maxResponseBytes %s', async (maxResponseBytes) => {
    await expectRefused(
      client().webhooks.list({ maxResponseBytes: untyped(maxResponseBytes) }),
      'options.maxResponseBytes must be a whole number',
    );
    expect(() => client({ maxResponseBytes: untyped(maxResponseBytes) })).toThrow(KrosValidationError);
  });
});

describe('objects that answer differently on a second read: what is sent is what was checked', () => {
  /** Runs `call` with a client against a server of its own; resolves to what that server received. */
  async function sentBy(call: (kros: ReturnType<typeof createKrosClient>) => Promise<unknown>) {
    const sent = await startServer();
    try {
      const outcome = await call(createKrosClient({ baseUrl: sent.url, apiKey: 'kros_test_abc', organizationId: ORG })).catch(
        (error: unknown) => error,
      );
      return { outcome, requests: sent.requests };
    } finally {
      await sent.close();
    }
  }

  it.each([
    [
      'an object whose getter lies on the second read',
      () => {
        let reads = 0;
        return Object.defineProperty({}, 'x-trace-id', { enumerable: true, get: () => (reads++ ? 'a\r\nx-api-key: evil' : 'ok') });
      },
    ],
    [
      'a Proxy that answers differently per read',
      () => {
        let reads = 0;
        return new Proxy({ 'x-trace-id': 'ok' }, { get: (target, key) => (reads++ ? 'a\nb' : Reflect.get(target, key)) });
      },
    ],
  ])('headers in %s are refused, or sent as checked', async (_what, headers) => {
    const { outcome, requests } = await sentBy((kros) => kros.webhooks.list({ headers: headers() as never }));
    if (requests.length === 0) {
      expect(outcome).toBeInstanceOf(KrosValidationError);
    } else {
      expect(requests[0]?.headers).toMatchObject({ 'x-trace-id': 'ok', authorization: 'Bearer kros_test_abc', 'x-organization-id': ORG });
      expect(requests[0]?.headers['x-api-key']).toBeUndefined();
    }
  });

  it("raw options whose headers getter answers later with an organization send the client's", async () => {
    let reads = 0;
    const init = {
      get headers() {
        return reads++ ? { 'x-organization-id': OTHER_ORG } : undefined;
      },
    };
    const { requests } = await sentBy((kros) => kros.raw.GET('/webhooks', untyped(init)));
    expect(requests[0]?.headers['x-organization-id']).toBe(ORG);
  });

  it.each([
    [
      'a getter',
      () => {
        let reads = 0;
        return {
          events: BODY.events,
          get url() {
            return ++reads === 1 ? 'https://example.com/hooks' : 'not a url';
          },
        };
      },
    ],
    [
      'a Proxy',
      () => {
        let reads = 0;
        return new Proxy(
          { ...BODY },
          { get: (target, key) => (key === 'url' && reads++ > 0 ? 'javascript:alert(1)' : Reflect.get(target, key)) },
        );
      },
    ],
  ])('a body with %s is sent as it was checked', async (_what, body) => {
    const { requests } = await sentBy((kros) => kros.webhooks.create(untyped(body())));
    expect(JSON.parse(requests[0]?.body ?? '{}').url).toBe('https://example.com/hooks');
  });
});
