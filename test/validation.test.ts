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
      'header "x-trace" needs a valid name and a string value without CR, LF or NUL',
    );
  });

  it('refuses a client header value with CR or LF, at creation', () => {
    expect(() => client({ headers: { 'x-trace': 'a\nb' } })).toThrow(KrosValidationError);
  });

  it('refuses an invalid header name', async () => {
    await expectRefused(client().webhooks.list({ headers: { 'bad header': '1' } }), 'header "bad header" needs a valid name');
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
    expect(() => client({ apiKey: 'kros_test_abc\n' })).toThrow('apiKey must be a non-empty string without whitespace');
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
  it.each([0, -1, Number.NaN, 2 ** 31, '100'])('refuses timeoutMs %s', async (timeoutMs) => {
    await expectRefused(client().webhooks.list({ timeoutMs: untyped(timeoutMs) }), 'options.timeoutMs must be 1 to 2^31 - 1 ms');
    expect(() => client({ timeoutMs: untyped(timeoutMs) })).toThrow(KrosValidationError);
  });

  it.each([-1, 1.5, Number.POSITIVE_INFINITY, '2'])('refuses maxRetries %s', async (maxRetries) => {
    await expectRefused(client().webhooks.list({ maxRetries: untyped(maxRetries) }), 'options.maxRetries must be a whole number >= 0');
    expect(() => client({ maxRetries: untyped(maxRetries) })).toThrow(KrosValidationError);
  });
});

describe('base URL', () => {
  it('refuses a base URL that is not absolute http(s), at creation', () => {
    expect(() => client({ baseUrl: 'api.krosai.com/v1' })).toThrow('baseUrl must be an absolute http(s) URL');
  });
});
