/**
 * msw (Mock Service Worker) in front of the real client. Without a `fetch` option the client reads the
 * global `fetch` at each attempt, so msw answers even when `setupServer().listen()` runs after
 * `createKrosClient`, as it does here.
 */
import { KrosNotFoundError } from '@krosai/cockpit';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loggingClient } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';

// `.test` never resolves: a request msw let through fails here instead of reaching a real API.
const API = 'https://api.krosai.test/v1';
const KEY = 'kros_test_MSWKEY42';
const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true };

const { kros, log } = loggingClient({ baseUrl: API, apiKey: KEY, initialRetryDelayMs: 10 });
const api = setupServer(http.get(`${API}/webhooks`, () => HttpResponse.json([WEBHOOK])));
const seen: Request[] = [];
api.events.on('request:start', ({ request }) => seen.push(request));

beforeAll(() => api.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  api.resetHandlers();
  seen.length = 0;
  log.length = 0;
});
afterAll(() => api.close());

describe('the client under msw, set up after the client was created', () => {
  it('lists what msw answers, sending the credential', async () => {
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(seen.map((request) => [request.method, request.url, request.headers.get('authorization')])).toEqual([
      ['GET', `${API}/webhooks`, `Bearer ${KEY}`],
    ]);
  });

  it('maps a 404 from msw to KrosNotFoundError', async () => {
    api.use(http.get(`${API}/webhooks/:id`, () => HttpResponse.json({ error: 'Not found', code: 'NOT_FOUND' }, { status: 404 })));
    const error = await rejectionOf(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosNotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(seen).toHaveLength(1);
  });

  it('retries a 503 from msw, then takes the list', async () => {
    api.use(http.get(`${API}/webhooks`, () => new HttpResponse(null, { status: 503 }), { once: true }));
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(seen).toHaveLength(2);
    expect(log).toEqual([expect.stringMatching(/^\[@krosai\/cockpit\] GET \/webhooks: 503 .*; retry 1 of 2 in \d+ ms$/)]);
  });
});
