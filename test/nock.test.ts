/**
 * nock in front of the real client. nock 14 intercepts Node's global `fetch` (through
 * @mswjs/interceptors), which the client reads at each attempt.
 */
import { KrosNotFoundError } from '@krosai/cockpit';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loggingClient } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';

// `.test` never resolves, and nock refuses every request it has no answer for.
const ORIGIN = 'https://api.krosai.test';
const KEY = 'kros_test_NOCKKEY42';
const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true };

const { kros, log } = loggingClient({ baseUrl: `${ORIGIN}/v1`, apiKey: KEY, initialRetryDelayMs: 10 });
/** An API that answers only requests carrying the client's credential. */
const api = () => nock(ORIGIN, { reqheaders: { authorization: `Bearer ${KEY}` } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  log.length = 0;
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('the client under nock', () => {
  it('lists what nock answers, sending the credential', async () => {
    const scope = api().get('/v1/webhooks').reply(200, [WEBHOOK]);
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(scope.isDone()).toBe(true);
  });

  it('maps a 404 from nock to KrosNotFoundError', async () => {
    const scope = api().get(`/v1/webhooks/${ID}`).reply(404, { error: 'Not found', code: 'NOT_FOUND' });
    const error = await rejectionOf(kros.webhooks.get(ID));
    expect(error).toBeInstanceOf(KrosNotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(scope.isDone()).toBe(true);
  });

  it('retries a 503 from nock, then takes the list', async () => {
    const scope = api().get('/v1/webhooks').reply(503).get('/v1/webhooks').reply(200, [WEBHOOK]);
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(scope.isDone()).toBe(true);
    expect(log).toEqual([expect.stringMatching(/^\[@krosai\/cockpit\] GET \/webhooks: 503 .*; retry 1 of 2 in \d+ ms$/)]);
  });
});
