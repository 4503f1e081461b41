/**
 * The stateful mock of `@krosai/cockpit/testing`, driven by the real SDK client as a team's service
 * would drive it: state, organizations, authentication, injected failures, the HTTP server.
 */

import { readFileSync } from 'node:fs';
import {
  createKrosClient,
  KrosApiError,
  type KrosClient,
  type KrosClientOptions,
  KrosRateLimitError,
  KrosTimeoutError,
} from '@krosai/cockpit';
import { createMockKrosApi, type MockKrosApi, type MockKrosApiOptions } from '@krosai/cockpit/testing';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';
import { hang, rawExchange, startServer } from './helpers/server.ts';

const API_KEY = 'kros_test_mock_suite';
const ORGANIZATION_A = '7c60d51f-b44e-4682-87d6-449835ea4de6';
const ORGANIZATION_B = '2b0e3f5c-9c1e-4d8a-a7f2-0c6f1b9d4e21';
const HOOK = { url: 'https://example.com/krosai/webhooks', events: ['call.completed' as const] };

/** A fresh mock and a real client wired to it in-process. */
function setup(options?: MockKrosApiOptions, clientOptions: KrosClientOptions = {}) {
  const mock = createMockKrosApi(options);
  const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: API_KEY, initialRetryDelayMs: 1, ...clientOptions });
  return { mock, kros };
}

describe('state', () => {
  it('runs create → list shows it → update → get shows the change → delete → get is 404', async () => {
    const { kros } = setup();
    const created = await kros.webhooks.create(HOOK);
    expect((await kros.webhooks.list()).map((webhook) => webhook.id)).toEqual([created.id]);
    await kros.webhooks.update(created.id!, { active: false });
    expect(await kros.webhooks.get(created.id!)).toMatchObject({ id: created.id, active: false });
    await kros.webhooks.delete(created.id!);
    const error = await rejectionOf(kros.webhooks.get(created.id!));
    expect(error).toBeInstanceOf(KrosApiError);
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('create generates the id, a signing secret, the organization and the timestamps, and defaults active to true', async () => {
    const { mock, kros } = setup();
    const before = Date.now();
    const created = await kros.webhooks.create(HOOK);
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      url: HOOK.url,
      secret: expect.stringMatching(/^whsec_[0-9a-f]{48}$/),
      events: HOOK.events,
      active: true,
      organization_id: mock.defaultOrganizationId,
      created_at: created.updated_at,
      updated_at: expect.any(String),
    });
    expect(Date.parse(created.created_at!)).toBeGreaterThanOrEqual(before - 1);
  });

  it('gives every webhook its own id and secret', async () => {
    const { kros } = setup();
    const [first, second] = await Promise.all([kros.webhooks.create(HOOK), kros.webhooks.create(HOOK)]);
    expect(first!.id).not.toBe(second!.id);
    expect(first!.secret).not.toBe(second!.secret);
  });

  it('update changes only what the patch names (and updated_at)', async () => {
    const { kros } = setup();
    const created = await kros.webhooks.create({ ...HOOK, events: ['call.completed', 'call.failed'] });
    const updated = await kros.webhooks.update(created.id!, { events: ['call.started'] });
    expect(updated).toEqual({ ...created, events: ['call.started'], updated_at: updated.updated_at });
    expect(Date.parse(updated.updated_at!)).toBeGreaterThanOrEqual(Date.parse(created.updated_at!));
  });

  it('update ignores fields a patch cannot change, such as the secret and the id', async () => {
    const { mock, kros } = setup();
    const created = await kros.webhooks.create(HOOK);
    const response = await mock.fetch(`${mock.baseUrl}/webhooks/${created.id}`, {
      method: 'PATCH',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ secret: 'whsec_chosen_by_caller', id: '497f6eca-6276-4993-bfeb-53cbbbba6f08' }),
    });
    expect(response.status).toBe(200);
    expect(mock.webhooks()).toMatchObject([{ id: created.id, secret: created.secret }]);
  });

  it('delete answers 204 and the webhook leaves the list', async () => {
    const { mock, kros } = setup();
    const created = await kros.webhooks.create(HOOK);
    await expect(kros.webhooks.delete(created.id!)).resolves.toBeUndefined();
    expect(mock.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
    expect(await kros.webhooks.list()).toEqual([]);
  });

  it('answers 404 to get, update, delete and test of an id it does not have', async () => {
    const { kros } = setup();
    const id = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
    for (const call of [
      kros.webhooks.get(id),
      kros.webhooks.update(id, { active: false }),
      kros.webhooks.delete(id),
      kros.webhooks.test(id),
    ]) {
      expect(await rejectionOf(call)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });

  it('answers 400 with the spec’s Error body to a body the spec refuses', async () => {
    const { mock } = setup();
    const response = await mock.fetch(`${mock.baseUrl}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/a', events: [] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'Invalid request body: events must name at least one event',
      code: 'VALIDATION_ERROR',
      details: { problems: ['events must name at least one event'] },
    });
  });

  it('answers 405 to a method that the path does not have', async () => {
    const { mock } = setup();
    const response = await mock.fetch(`${mock.baseUrl}/webhooks`, { method: 'DELETE', headers: { 'x-api-key': API_KEY } });
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });

  it('mock.webhooks() is a snapshot: changing it changes nothing in the mock', async () => {
    const { mock, kros } = setup();
    await kros.webhooks.create(HOOK);
    const [snapshot] = mock.webhooks();
    snapshot!.active = false;
    expect((await kros.webhooks.list())[0]!.active).toBe(true);
  });

  it('reset forgets webhooks, recorded requests and pending failures', async () => {
    const { mock, kros } = setup();
    await kros.webhooks.create(HOOK);
    mock.failNext({ status: 500 });
    mock.reset();
    expect(mock.webhooks()).toEqual([]);
    expect(mock.requests).toEqual([]);
    expect(await kros.webhooks.list()).toEqual([]);
  });
});

describe('organizations', () => {
  it('one organization never sees another’s webhooks', async () => {
    const { kros } = setup();
    await kros.withOrganization(ORGANIZATION_A).webhooks.create(HOOK);
    expect(await kros.withOrganization(ORGANIZATION_B).webhooks.list()).toEqual([]);
    expect(await kros.webhooks.list()).toEqual([]);
    expect(await kros.withOrganization(ORGANIZATION_A).webhooks.list()).toHaveLength(1);
  });

  it('answers 404 when another organization asks for a webhook by id', async () => {
    const { kros } = setup();
    const created = await kros.withOrganization(ORGANIZATION_A).webhooks.create(HOOK);
    const other = kros.withOrganization(ORGANIZATION_B).webhooks;
    for (const call of [other.get(created.id!), other.update(created.id!, { active: false }), other.delete(created.id!)]) {
      expect(await rejectionOf(call)).toMatchObject({ status: 404 });
    }
    expect(await kros.withOrganization(ORGANIZATION_A).webhooks.get(created.id!)).toMatchObject({ active: true });
  });

  it('files webhooks under x-organization-id, or the default organization without it', async () => {
    const { mock, kros } = setup();
    const inA = await kros.withOrganization(ORGANIZATION_A).webhooks.create(HOOK);
    const inDefault = await kros.webhooks.create(HOOK);
    expect(inA.organization_id).toBe(ORGANIZATION_A);
    expect(mock.webhooks(ORGANIZATION_A).map((webhook) => webhook.id)).toEqual([inA.id]);
    expect(mock.webhooks().map((webhook) => webhook.id)).toEqual([inDefault.id]);
  });

  it('answers 400 to an x-organization-id that is not a UUID', async () => {
    const { mock } = setup();
    const response = await mock.fetch(`${mock.baseUrl}/webhooks`, { headers: { 'x-api-key': API_KEY, 'x-organization-id': 'acme' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_ORGANIZATION_ID' });
  });
});

describe('authentication', () => {
  it('answers 401 with an Error body to a request without a credential', async () => {
    const { mock } = setup();
    const response = await mock.fetch(`${mock.baseUrl}/webhooks`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Invalid or missing API key', code: 'UNAUTHORIZED' });
  });

  it('accepts the credential as x-api-key', async () => {
    const { mock, kros } = setup(undefined, { authHeader: 'x-api-key' });
    await expect(kros.webhooks.list()).resolves.toEqual([]);
    expect(mock.requests[0]!.headers).toMatchObject({ 'x-api-key': '[redacted]' });
  });

  it('with apiKeys, refuses any other key with 401', async () => {
    const { kros } = setup({ apiKeys: ['kros_test_the_only_one'] });
    expect(await rejectionOf(kros.webhooks.list())).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('with apiKeys, accepts the keys listed', async () => {
    const { kros } = setup({ apiKeys: [API_KEY] });
    await expect(kros.webhooks.list()).resolves.toEqual([]);
  });

  it('records each request: method, path, headers (the credential redacted), body and status', async () => {
    const { mock, kros } = setup();
    await kros.webhooks.create(HOOK);
    expect(mock.requests).toEqual([
      {
        method: 'POST',
        path: '/webhooks',
        headers: expect.objectContaining({ authorization: 'Bearer [redacted]' }),
        body: HOOK,
        status: 201,
      },
    ]);
  });
});

describe('injected failures', () => {
  it('failNext 429: the client waits as told and retries, and the create succeeds', async () => {
    const { mock, kros } = setup();
    mock.failNext({ status: 429, retryAfter: 0 });
    await expect(kros.webhooks.create(HOOK)).resolves.toMatchObject({ url: HOOK.url });
    expect(mock.requests.map((request) => request.status)).toEqual([429, 201]);
    expect(mock.webhooks()).toHaveLength(1);
  });

  it('a 429 carries Retry-After, X-RateLimit-* and retry_after, as KrosAI’s rate limiter does', async () => {
    const { mock } = setup();
    mock.failNext({ status: 429, retryAfter: 2 });
    const response = await mock.fetch(`${mock.baseUrl}/webhooks`, { headers: { 'x-api-key': API_KEY } });
    expect(response.status).toBe(429);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'retry-after': '2',
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': expect.stringMatching(/^\d+$/),
    });
    expect(Number(response.headers.get('x-ratelimit-reset')) - Date.now() / 1000).toBeGreaterThan(0);
    expect(await response.json()).toEqual({ error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 2 });
  });

  it('the SDK reads the mock’s 429 as a KrosRateLimitError with its wait and limits', async () => {
    const { mock, kros } = setup(undefined, { maxRetries: 0 });
    mock.failNext({ status: 429, retryAfter: 2 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosRateLimitError);
    expect(error).toMatchObject({ retryAfter: 2, code: 'RATE_LIMIT_EXCEEDED', rateLimit: { limit: 10, remaining: 0 } });
  });

  it('failNext 500 on a create: the client does not retry a POST and rejects with the 500', async () => {
    const { mock, kros } = setup();
    mock.failNext({ status: 500 });
    expect(await rejectionOf(kros.webhooks.create(HOOK))).toMatchObject({ status: 500, code: 'MOCK_FAILURE' });
    expect(mock.webhooks()).toEqual([]);
  });

  it('failNext 500 on a list: the client retries and succeeds', async () => {
    const { mock, kros } = setup();
    mock.failNext({ status: 500 });
    await expect(kros.webhooks.list()).resolves.toEqual([]);
    expect(mock.requests.map((request) => request.status)).toEqual([500, 200]);
  });

  it('failNext times: fails that many requests in a row, then answers normally', async () => {
    const { mock, kros } = setup(undefined, { maxRetries: 0 });
    mock.failNext({ status: 503, times: 2 });
    expect(await rejectionOf(kros.webhooks.list())).toMatchObject({ status: 503 });
    expect(await rejectionOf(kros.webhooks.list())).toMatchObject({ status: 503 });
    await expect(kros.webhooks.list()).resolves.toEqual([]);
  });

  it('failNext refuses a status that is not a failure', () => {
    const { mock } = setup();
    expect(() => mock.failNext({ status: 200 })).toThrow('failNext: status must be 400 to 599');
  });
});

describe('transport', () => {
  it('mock.fetch refuses a URL outside mock.baseUrl', async () => {
    const { mock } = setup();
    await expect(mock.fetch('https://api.krosai.com/v1/webhooks')).rejects.toThrow(/answers https:\/\/api\.krosai\.test only/);
  });

  it('mock.fetch stops waiting when the caller aborts: a client timeout during a slow test delivery', async () => {
    const receiver = await startServer(hang);
    try {
      const { kros } = setup(undefined, { timeoutMs: 200, maxRetries: 0 });
      const created = await kros.webhooks.create({ ...HOOK, url: receiver.url });
      expect(await rejectionOf(kros.webhooks.test(created.id!))).toBeInstanceOf(KrosTimeoutError);
    } finally {
      await receiver.close();
    }
  });

  it('listen serves the same state over HTTP on 127.0.0.1, on a free port', async () => {
    const { mock, kros } = setup();
    const server = await mock.listen();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const overHttp = createKrosClient({ baseUrl: server.url, apiKey: API_KEY });
      const created = await overHttp.webhooks.create(HOOK);
      expect((await kros.webhooks.list()).map((webhook) => webhook.id)).toEqual([created.id]);
    } finally {
      await server.close();
    }
  });

  it('listen refuses a request body over 1 MiB with 413', async () => {
    const { mock } = setup();
    const server = await mock.listen();
    try {
      const body = JSON.stringify({ url: `https://example.com/${'a'.repeat(1024 * 1024)}`, events: ['call.completed'] });
      const response = await fetch(`${server.url}/webhooks`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body });
      expect(response.status).toBe(413);
      expect(mock.webhooks()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('close stops the server: nothing listens afterwards', async () => {
    const { mock } = setup();
    const server = await mock.listen();
    await server.close();
    await expect(fetch(`${server.url}/webhooks`)).rejects.toThrow();
  });
});

describe('the spec', () => {
  const spec = JSON.parse(readFileSync(new URL('../openapi/krosai-cockpit.json', import.meta.url), 'utf8'));
  const operations = Object.entries(spec.paths as Record<string, Record<string, { operationId: string; responses: object }>>).flatMap(
    ([path, item]) => Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );

  it.each(operations)(
    'answers $method $path ($operation.operationId) with a status the spec gives it',
    async ({ method, path, operation }) => {
      const { mock, kros } = setup();
      const { id } = await kros.webhooks.create(HOOK);
      const body = ['POST', 'PATCH'].includes(method) && !path.endsWith('/test') ? JSON.stringify(HOOK) : undefined;
      const response = await mock.fetch(`${mock.baseUrl}${path.replace('{id}', id as string)}`, {
        method,
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body,
      });
      expect(Object.keys(operation.responses)).toContain(String(response.status));
      expect(response.status).toBeLessThan(300);
    },
  );
});

describe('served over HTTP', () => {
  it('answers 421 to a Host that names another site, and serves allowedHosts', async () => {
    const { mock } = setup({ allowedHosts: ['krosai-mock'] });
    const server = await mock.listen();
    try {
      const create = (host: string) =>
        rawExchange(
          server.url,
          `POST /webhooks HTTP/1.1\r\nHost: ${host}\r\nx-api-key: k\r\ncontent-type: application/json\r\nContent-Length: ${JSON.stringify(HOOK).length}\r\nConnection: close\r\n\r\n${JSON.stringify(HOOK)}`,
        );
      expect(await create('attacker.example')).toMatch(/^HTTP\/1\.1 421 /);
      expect(mock.webhooks()).toEqual([]);
      expect(await create('krosai-mock:4010')).toMatch(/^HTTP\/1\.1 201 /);
      expect(await create('localhost')).toMatch(/^HTTP\/1\.1 201 /);
      expect(mock.webhooks()).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('forgets everything on POST /_mock/reset, for a mock in another process', async () => {
    const { mock, kros } = setup();
    await kros.webhooks.create(HOOK);
    const server = await mock.listen();
    try {
      expect((await fetch(`${server.url}/_mock/reset`, { method: 'POST' })).status).toBe(204);
      expect(mock.webhooks()).toEqual([]);
      expect(mock.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('what the mock keeps', () => {
  it('keeps the last 1,000 requests, and the first 64 KiB of a body', async () => {
    const { mock } = setup();
    for (let i = 0; i < 1_005; i++) await mock.fetch(`${mock.baseUrl}/webhooks?n=${i}`, { headers: { 'x-api-key': API_KEY } });
    expect(mock.requests).toHaveLength(1_000);
    expect(mock.requests[0]?.path).toBe('/webhooks?n=5');
    const body = `{"url":"https://example.com/${'a'.repeat(100 * 1024)}"}`;
    await mock.fetch(`${mock.baseUrl}/webhooks`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body });
    expect(mock.requests.at(-1)?.body).toBe(body.slice(0, 64 * 1024));
  });
});

describe('request ids', () => {
  const REQUEST_ID = /^req_[0-9a-f]{32}$/;

  /** The mock served on a free port, a real client pointed at it, and the server closed after `run`. */
  async function overHttp(run: (context: { mock: MockKrosApi; url: string; kros: KrosClient }) => Promise<void>) {
    const { mock } = setup();
    const server = await mock.listen();
    try {
      await run({ mock, url: server.url, kros: createKrosClient({ baseUrl: server.url, apiKey: API_KEY, maxRetries: 0 }) });
    } finally {
      await server.close();
    }
  }

  it('gives withResponse() a requestId, a new one for each request', async () => {
    await overHttp(async ({ kros }) => {
      const first = await kros.webhooks.list().withResponse();
      const second = await kros.webhooks.list().withResponse();
      expect(first.requestId).toMatch(REQUEST_ID);
      expect(second.requestId).toMatch(REQUEST_ID);
      expect(second.requestId).not.toBe(first.requestId);
    });
  });

  it('gives an API error its requestId', async () => {
    await overHttp(async ({ kros }) => {
      const error = await rejectionOf(kros.webhooks.get('497f6eca-6276-4993-bfeb-53cbbbba6f08'));
      expect(error).toBeInstanceOf(KrosApiError);
      expect((error as KrosApiError).requestId).toMatch(REQUEST_ID);
    });
  });

  it('answers every request with its own x-request-id: errors, 404s, _mock routes and the server’s refusals too', async () => {
    await overHttp(async ({ mock, url }) => {
      const key = { 'x-api-key': API_KEY };
      const answers: { what: string; status: number; id: string | null }[] = [];
      const viaFetch = async (what: string, path: string, init: RequestInit = {}) => {
        const response = await fetch(`${url}${path}`, init);
        answers.push({ what, status: response.status, id: response.headers.get('x-request-id') });
      };
      const viaSocket = async (what: string, head: string) => {
        const answer = await rawExchange(url, `${head}\r\nConnection: close\r\n\r\n`);
        answers.push({ what, status: Number(answer.split(' ')[1]), id: /^x-request-id: (\S+)\r$/im.exec(answer)?.[1] ?? null });
      };
      await viaFetch('list', '/webhooks', { headers: key });
      await viaFetch('no credential', '/webhooks');
      await viaFetch('no route', '/nowhere', { headers: key });
      await viaFetch('no method', '/webhooks', { method: 'DELETE', headers: key });
      await viaFetch('bad organization', '/webhooks', { headers: { ...key, 'x-organization-id': 'acme' } });
      mock.failNext({ status: 503 });
      await viaFetch('injected failure', '/webhooks', { headers: key });
      await viaFetch('over 1 MiB', '/webhooks', { method: 'POST', headers: key, body: 'a'.repeat(1024 * 1024 + 1) });
      await viaFetch('reset', '/_mock/reset', { method: 'POST' });
      await viaSocket('another Host', 'GET /webhooks HTTP/1.1\r\nHost: attacker.example');
      await viaSocket('bad request target', 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1');
      const inProcess = await mock.fetch(`${mock.baseUrl}/webhooks`, { headers: key });
      answers.push({ what: 'in-process', status: inProcess.status, id: inProcess.headers.get('x-request-id') });

      expect(answers.map(({ what, status }) => `${what} ${status}`)).toEqual([
        'list 200',
        'no credential 401',
        'no route 404',
        'no method 405',
        'bad organization 400',
        'injected failure 503',
        'over 1 MiB 413',
        'reset 204',
        'another Host 421',
        'bad request target 400',
        'in-process 200',
      ]);
      for (const { what, id } of answers) expect(id, what).toMatch(REQUEST_ID);
      expect(new Set(answers.map(({ id }) => id)).size).toBe(answers.length);
    });
  });
});
