import { readFileSync } from 'node:fs';
import { createKrosClient } from '@krosai/cockpit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from './helpers/server.ts';

const ORG_A = '11111111-1111-4111-8111-111111111111';
const ORG_B = '22222222-2222-4222-8222-222222222222';
const ORG_C = '33333333-3333-4333-8333-333333333333';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** The headers of the request that `call` made. */
async function headersOf(call: () => Promise<unknown>) {
  server.requests.length = 0;
  await call();
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!.headers;
}

describe('authentication', () => {
  it('sends the API key as a Bearer token by default', async () => {
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc' });
    const headers = await headersOf(() => kros.webhooks.list());
    expect(headers.authorization).toBe('Bearer kros_test_abc');
    expect(headers['x-api-key']).toBeUndefined();
  });

  it('sends the API key as x-api-key when asked to', async () => {
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', authHeader: 'x-api-key' });
    const headers = await headersOf(() => kros.webhooks.list());
    expect(headers['x-api-key']).toBe('kros_test_abc');
    expect(headers.authorization).toBeUndefined();
  });

  it('calls a token function before every request, so a refreshed JWT is used at once', async () => {
    let issued = 0;
    const kros = createKrosClient({ baseUrl: server.url, apiKey: () => `jwt.token.${++issued}` });
    expect((await headersOf(() => kros.webhooks.list())).authorization).toBe('Bearer jwt.token.1');
    expect((await headersOf(() => kros.webhooks.list())).authorization).toBe('Bearer jwt.token.2');
  });

  it('awaits an async token function', async () => {
    const kros = createKrosClient({ baseUrl: server.url, apiKey: async () => 'jwt.async.token', authHeader: 'x-api-key' });
    expect((await headersOf(() => kros.webhooks.list()))['x-api-key']).toBe('jwt.async.token');
  });

  it('gives the raw client the same credential', async () => {
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_raw' });
    const headers = await headersOf(() => kros.raw.GET('/webhooks'));
    expect(headers.authorization).toBe('Bearer kros_test_raw');
  });
});

describe('the fetch it is given', () => {
  it('calls fetch as a plain function, as browsers and workerd require ("Illegal invocation")', async () => {
    const strictFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
      return fetch(input, init);
    };
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', fetch: strictFetch });
    await expect(kros.webhooks.list()).resolves.toEqual([]);
  });
});

describe('identification', () => {
  const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

  it('sends a User-Agent naming the SDK version from package.json and the runtime', async () => {
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc' });
    const headers = await headersOf(() => kros.webhooks.list());
    expect(headers['user-agent']).toBe(`@krosai/cockpit/${version} node/${process.versions.node}`);
  });

  it("lets the caller's own User-Agent win, on the client and per call", async () => {
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', headers: { 'User-Agent': 'billing-service/3.1' } });
    expect((await headersOf(() => kros.webhooks.list()))['user-agent']).toBe('billing-service/3.1');
    expect((await headersOf(() => kros.webhooks.list({ headers: [['user-agent', 'cron/1']] })))['user-agent']).toBe('cron/1');
  });
});

describe('environment defaults', () => {
  it('reads KROSAI_API_KEY, KROSAI_ORGANIZATION_ID and KROSAI_BASE_URL', async () => {
    vi.stubEnv('KROSAI_API_KEY', 'kros_test_from_env');
    vi.stubEnv('KROSAI_ORGANIZATION_ID', ORG_A);
    vi.stubEnv('KROSAI_BASE_URL', server.url);
    try {
      const headers = await headersOf(() => createKrosClient().webhooks.list());
      expect(headers).toMatchObject({ authorization: 'Bearer kros_test_from_env', 'x-organization-id': ORG_A });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('lets options win over the environment', async () => {
    vi.stubEnv('KROSAI_API_KEY', 'kros_test_from_env');
    vi.stubEnv('KROSAI_ORGANIZATION_ID', ORG_A);
    try {
      const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_option', organizationId: ORG_B });
      const headers = await headersOf(() => kros.webhooks.list());
      expect(headers).toMatchObject({ authorization: 'Bearer kros_test_option', 'x-organization-id': ORG_B });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('organization context', () => {
  const kros = () => createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', organizationId: ORG_A });

  it('sends no x-organization-id when none is set, so the API picks the first organization', async () => {
    const plain = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc' });
    expect((await headersOf(() => plain.webhooks.list()))['x-organization-id']).toBeUndefined();
  });

  it("sends the client's organization", async () => {
    expect((await headersOf(() => kros().webhooks.list()))['x-organization-id']).toBe(ORG_A);
  });

  it('lets withOrganization override the client', async () => {
    expect((await headersOf(() => kros().withOrganization(ORG_B).webhooks.list()))['x-organization-id']).toBe(ORG_B);
  });

  it('lets a request override withOrganization', async () => {
    const other = kros().withOrganization(ORG_B);
    expect((await headersOf(() => other.webhooks.list({ organizationId: ORG_C })))['x-organization-id']).toBe(ORG_C);
  });

  it('leaves the original client unchanged by withOrganization', async () => {
    const client = kros();
    client.withOrganization(ORG_B);
    expect((await headersOf(() => client.webhooks.list()))['x-organization-id']).toBe(ORG_A);
  });

  it('keeps the credential across withOrganization', async () => {
    const headers = await headersOf(() => kros().withOrganization(ORG_B).webhooks.list());
    expect(headers.authorization).toBe('Bearer kros_test_abc');
  });

  it('gives the raw client the same organization', async () => {
    expect((await headersOf(() => kros().raw.GET('/webhooks')))['x-organization-id']).toBe(ORG_A);
  });
});

describe('extra headers', () => {
  it('keeps the client headers as given at creation', async () => {
    const given: Record<string, string> = { 'x-team': 'billing' };
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', headers: given });
    given['x-team'] = 'changed\r\ninjected: 1';
    expect((await headersOf(() => kros.webhooks.list()))['x-team']).toBe('billing');
  });

  it('sends client headers and request headers, the request winning on a clash', async () => {
    const kros = createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', headers: { 'x-team': 'billing', 'x-trace': 'client' } });
    const headers = await headersOf(() => kros.webhooks.list({ headers: { 'x-trace': 'request' } }));
    expect(headers).toMatchObject({ 'x-team': 'billing', 'x-trace': 'request' });
  });
});
