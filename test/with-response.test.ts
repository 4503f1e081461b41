import { createKrosClient, KrosNotFoundError } from '@krosai/cockpit';
import { afterEach, describe, expect, it } from 'vitest';
import { reply, startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true };

let server: TestServer | undefined;
afterEach(() => server?.close());

async function clientAnswering(status: number, body: unknown) {
  server = await startServer(reply(status, body, { 'x-request-id': 'req_42', 'x-ratelimit-remaining': '99' }));
  return createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', maxRetries: 0 });
}

describe('response metadata on success', () => {
  it('gives the data, the response and the request id with withResponse()', async () => {
    const kros = await clientAnswering(200, [WEBHOOK]);
    const { data, response, requestId } = await kros.webhooks.list().withResponse();
    expect(data).toEqual([WEBHOOK]);
    expect(requestId).toBe('req_42');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('99');
  });

  it('still resolves to the data when awaited directly', async () => {
    const kros = await clientAnswering(200, WEBHOOK);
    const pending = kros.webhooks.get(ID);
    expect(pending).toBeInstanceOf(Promise);
    expect(pending.withResponse).toBeTypeOf('function');
    expect(await pending).toEqual(WEBHOOK);
  });

  it('sends one request whether the data, the response, or both are awaited', async () => {
    const kros = await clientAnswering(200, WEBHOOK);
    const pending = kros.webhooks.get(ID);
    const [data, { data: same }] = await Promise.all([pending, pending.withResponse()]);
    expect(data).toEqual(same);
    expect(server!.requests).toHaveLength(1);
  });

  it('rejects withResponse() with the same typed error', async () => {
    const kros = await clientAnswering(404, { error: 'Webhook not found' });
    await expect(kros.webhooks.get(ID).withResponse()).rejects.toThrow(KrosNotFoundError);
  });

  it('gives delete an undefined data and its response', async () => {
    const kros = await clientAnswering(204, undefined);
    const { data, response } = await kros.webhooks.delete(ID).withResponse();
    expect(data).toBeUndefined();
    expect(response.status).toBe(204);
  });

  it('returns plain promises from then, so chains behave as usual', async () => {
    const kros = await clientAnswering(200, [WEBHOOK]);
    const chained = kros.webhooks.list().then((webhooks) => webhooks.length);
    expect(chained).not.toHaveProperty('withResponse');
    expect(await chained).toBe(1);
  });

  it('reports no unhandled rejection when only withResponse() is awaited', async () => {
    const kros = await clientAnswering(404, { error: 'Webhook not found' });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(kros.webhooks.get(ID).withResponse()).rejects.toThrow(KrosNotFoundError);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('reports no unhandled rejection for a failing call awaited only for its data, or through .catch() or .finally()', async () => {
    const kros = await clientAnswering(500, { error: 'boom' });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(kros.webhooks.list()).rejects.toThrow('500 boom');
      await kros.webhooks.list({ signal: AbortSignal.abort() }).catch(() => undefined);
      await kros.webhooks
        .get('not-a-uuid')
        .finally(() => undefined)
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('rejects a bad argument through the promise, withResponse() included', async () => {
    const kros = await clientAnswering(200, WEBHOOK);
    await expect(kros.webhooks.get('nope').withResponse()).rejects.toThrow('id must be a UUID');
    expect(server!.requests).toHaveLength(0);
  });
});
