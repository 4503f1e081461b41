import { createKrosClient, type KrosClientOptions, KrosValidationError, type WebhookCreate } from '@krosai/cockpit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
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

describe('base URL parts that would leak or misroute', () => {
  it('refuses a user name and password, without quoting them', () => {
    const attempt = () => client({ baseUrl: 'http://admin:hunter2pw@127.0.0.1:9/v1' });
    expect(attempt).toThrow('baseUrl must not contain a user name or password');
    expect(() => attempt()).not.toThrow(/hunter2pw|admin/);
  });

  it('refuses a query, which would end up before the path, without quoting it', () => {
    const attempt = () => client({ baseUrl: 'http://127.0.0.1:9/v1?tenant=secret-tenant' });
    expect(attempt).toThrow('baseUrl must not contain a query');
    expect(() => attempt()).not.toThrow(/secret-tenant/);
  });

  it('refuses a fragment', () => {
    expect(() => client({ baseUrl: 'http://127.0.0.1:9/v1#top' })).toThrow('baseUrl must not contain a fragment');
  });

  it('does not quote a malformed base URL', () => {
    expect(() => client({ baseUrl: 'admin:hunter2pw@nowhere' })).not.toThrow(/hunter2pw/);
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

  it('refuses a value outside Latin-1, without quoting it', async () => {
    const pending = client().webhooks.list({ headers: { 'x-note': 'naïve ✓ secret-value' } });
    await expectRefused(pending, 'needs a string value of Latin-1 characters');
    await expect(pending).rejects.not.toThrow(/secret-value/);
  });

  it('refuses a NUL in a value', async () => {
    await expectRefused(client().webhooks.list({ headers: [['x-note', 'a\0b']] }), 'without CR, LF or NUL');
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

  it('reads a body once: a getter cannot pass the check and then send something else', async () => {
    let reads = 0;
    const body = {
      events: BODY.events,
      get url() {
        return ++reads === 1 ? 'https://example.com/hooks' : 'not a url';
      },
    };
    const sent = await startServer();
    try {
      await createKrosClient({ baseUrl: sent.url, apiKey: 'kros_test_abc' })
        .webhooks.create(body)
        .catch(() => {});
      expect(JSON.parse(sent.requests[0]!.body).url).toBe('https://example.com/hooks');
    } finally {
      await sent.close();
    }
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
