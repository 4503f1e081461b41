/**
 * `kros.raw` keeps openapi-fetch's documented contract: middleware sees a standard `Request`, may
 * return a new `Request` or a `Response`, and every response handed out is a standard `Response`.
 * The facade's calls go through the same middleware.
 */
import { type KrosClientOptions, KrosConnectionError } from '@krosai/cockpit';
import type { Middleware } from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { reply, script, type TestServer } from './helpers/server.ts';

const KEY = 'kros_test_RAWCLIENT';
const WEBHOOK = { id: '497f6eca-6276-4993-bfeb-53cbbbba6f08', url: 'https://example.com/hooks' };

const serve = serversPerTest();
function clientOf(server: TestServer, options: KrosClientOptions = {}) {
  return loggingClient({ baseUrl: server.url, apiKey: KEY, maxRetries: 0, initialRetryDelayMs: 1, ...options });
}

describe('kros.raw.use() middleware', () => {
  it('sees a standard Request, and a header added by returning a new Request reaches the API', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    const { kros } = clientOf(api);
    const seen: unknown[] = [];
    kros.raw.use({
      onRequest({ request }) {
        seen.push(request instanceof Request, typeof request.clone);
        return new Request(request, { headers: { ...Object.fromEntries(request.headers), 'x-trace-id': 'trace-1' } });
      },
    });
    const { data } = await kros.raw.GET('/webhooks');
    expect(data).toEqual([WEBHOOK]);
    expect(seen).toEqual([true, 'function']);
    expect(api.requests[0]?.headers['x-trace-id']).toBe('trace-1');
    // The credential is still the SDK's to add.
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('short-circuits with a Response returned from onRequest: nothing is sent', async () => {
    const api = await serve(reply(200, []));
    const { kros } = clientOf(api);
    kros.raw.use({ onRequest: () => Response.json([WEBHOOK], { headers: { 'x-request-id': 'from-cache' } }) });
    const { data, response } = await kros.raw.GET('/webhooks');
    expect(data).toEqual([WEBHOOK]);
    expect(response.headers.get('x-request-id')).toBe('from-cache');
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(api.requests).toEqual([]);
  });

  it('lets onResponse read a clone while the caller still gets the data', async () => {
    const api = await serve(reply(200, WEBHOOK, { 'x-request-id': 'req_1' }));
    const { kros } = clientOf(api);
    const read: unknown[] = [];
    kros.raw.use({
      async onResponse({ response }) {
        read.push(response instanceof Response, response.status, await response.clone().json());
      },
    });
    expect(await kros.webhooks.get(WEBHOOK.id)).toEqual(WEBHOOK);
    expect(read).toEqual([true, 200, WEBHOOK]);
  });

  it('hands onError the connection failure, and uses the Response it returns', async () => {
    const api = await serve();
    await api.close();
    const { kros } = clientOf(api);
    const errors: unknown[] = [];
    const fallback: Middleware = {
      onError({ error }) {
        errors.push(error);
        return Response.json([]);
      },
    };
    kros.raw.use(fallback);
    expect(await kros.webhooks.list()).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KrosConnectionError);
    kros.raw.eject(fallback);
    expect(await rejectionOf(kros.webhooks.list())).toBeInstanceOf(KrosConnectionError);
  });

  it('runs once per attempt, each attempt with the credential set', async () => {
    const api = await serve(script(reply(503, { error: 'busy' }), reply(503, { error: 'busy' }), reply(200, [])));
    const { kros, log } = clientOf(api, { maxRetries: 2 });
    const requests: string[] = [];
    const statuses: number[] = [];
    kros.raw.use({
      onRequest: ({ request }) => void requests.push(`${request.method} ${new URL(request.url).pathname}`),
      onResponse: ({ response }) => void statuses.push(response.status),
    });
    expect(await kros.webhooks.list()).toEqual([]);
    expect(requests).toEqual(['GET /webhooks', 'GET /webhooks', 'GET /webhooks']);
    expect(statuses).toEqual([503, 503, 200]);
    expect(api.requests.map((request) => request.headers.authorization)).toEqual(Array(3).fill(`Bearer ${KEY}`));
    expect(log).toHaveLength(2);
  });
});

describe('responses handed out are standard Responses', () => {
  it('gives raw users a Response whose body openapi-fetch has read, as the Fetch standard says', async () => {
    const api = await serve(reply(200, [WEBHOOK], { 'x-request-id': 'req_raw' }));
    const { kros } = clientOf(api);
    const { data, response } = await kros.raw.GET('/webhooks');
    expect(data).toEqual([WEBHOOK]);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${api.url}/webhooks`);
    expect(response.headers.get('x-request-id')).toBe('req_raw');
    expect(response.bodyUsed).toBe(true);
    expect(() => response.clone()).toThrow(TypeError);
  });

  it('gives an unread body to a raw call that asks for the stream, and clone() copies it', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    const { kros } = clientOf(api);
    const { response } = await kros.raw.GET('/webhooks', { parseAs: 'stream' });
    expect(response.bodyUsed).toBe(false);
    const copy = response.clone();
    expect(copy).not.toBe(response);
    expect(await copy.json()).toEqual([WEBHOOK]);
    expect(await response.json()).toEqual([WEBHOOK]);
    expect(response.bodyUsed).toBe(true);
  });

  it('gives withResponse() a standard Response with status, headers and url', async () => {
    const api = await serve(reply(201, WEBHOOK, { 'x-request-id': 'req_2' }));
    const { kros } = clientOf(api);
    const { data, response, requestId } = await kros.webhooks.create({ url: WEBHOOK.url, events: ['call.completed'] }).withResponse();
    expect(data).toEqual(WEBHOOK);
    expect(requestId).toBe('req_2');
    expect(response).toBeInstanceOf(Response);
    expect([response.status, response.ok, response.url]).toEqual([201, true, `${api.url}/webhooks`]);
    expect(response.bodyUsed).toBe(true);
  });
});
