/**
 * Signed deliveries from the testing kit, checked by the SDK's real verifier and by an HMAC
 * computed here with node:crypto: `webhooks.test`, `mock.deliver` and `createSignedDelivery`.
 */
import { createHmac } from 'node:crypto';
import { createKrosClient, KrosSignatureError, KrosValidationError, verifyWebhook } from '@krosai/cockpit';
import { createMockKrosApi, createSignedDelivery, TEST_EVENT } from '@krosai/cockpit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';
import { hang, type RecordedRequest, type Responder, reply, startServer, type TestServer } from './helpers/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function receiver(respond: Responder = reply(204)): Promise<TestServer> {
  const server = await startServer(respond);
  servers.push(server);
  return server;
}

function setup(deliveryTimeoutMs?: number) {
  const mock = createMockKrosApi(deliveryTimeoutMs ? { deliveryTimeoutMs } : {});
  const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: 'kros_test_deliveries' });
  return { mock, kros };
}

const verify = (request: RecordedRequest, secret: string) => verifyWebhook(request.body, request.headers, secret);

describe('webhooks.test against the mock', () => {
  it('sends a delivery that verifyWebhook accepts with the webhook’s secret', async () => {
    const endpoint = await receiver();
    const { kros } = setup();
    const webhook = await kros.webhooks.create({ url: `${endpoint.url}/hooks`, events: ['call.completed'] });
    await kros.webhooks.test(webhook.id!);
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]).toMatchObject({ method: 'POST', url: '/hooks' });
    const delivery = await verify(endpoint.requests[0]!, webhook.secret!);
    expect(delivery).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      event: TEST_EVENT,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      data: { webhook_id: webhook.id, message: expect.any(String) },
    });
  });

  it('reports success and the receiver’s status', async () => {
    const endpoint = await receiver(reply(202));
    const { kros } = setup();
    const webhook = await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    expect(await kros.webhooks.test(webhook.id!)).toEqual({ success: true, status_code: 202, message: 'the receiver answered 202' });
  });

  it('reports a failure with the status when the receiver refuses', async () => {
    const endpoint = await receiver(reply(400, 'signature_mismatch'));
    const { kros } = setup();
    const webhook = await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    expect(await kros.webhooks.test(webhook.id!)).toEqual({
      success: false,
      status_code: 400,
      message: 'the receiver answered 400: not delivered',
    });
  });

  it('reports status_code null when nothing listens at the URL', async () => {
    const closed = await startServer();
    await closed.close();
    const { kros } = setup();
    const webhook = await kros.webhooks.create({ url: closed.url, events: ['call.completed'] });
    expect(await kros.webhooks.test(webhook.id!)).toEqual({
      success: false,
      status_code: null,
      message: 'could not connect to the receiver: ECONNREFUSED',
    });
  });

  it('does not follow a redirect: it reports the 3xx and the target receives nothing', async () => {
    const target = await receiver();
    const redirecting = await receiver(reply(307, '', { location: `${target.url}/stolen` }));
    const { kros } = setup();
    const webhook = await kros.webhooks.create({ url: redirecting.url, events: ['call.completed'] });
    expect(await kros.webhooks.test(webhook.id!)).toMatchObject({ success: false, status_code: 307 });
    expect(target.requests).toEqual([]);
  });

  it('gives up on a receiver that does not answer within deliveryTimeoutMs', async () => {
    const silent = await receiver(hang);
    const { kros } = setup(300);
    const webhook = await kros.webhooks.create({ url: silent.url, events: ['call.completed'] });
    expect(await kros.webhooks.test(webhook.id!)).toEqual({
      success: false,
      status_code: null,
      message: 'the receiver did not answer within 300 ms',
    });
  });

  it('reports, without sending anything, a webhook URL that is a URI but not http(s)', async () => {
    const { kros } = setup();
    const created = await kros.raw.POST('/webhooks', { body: { url: 'mailto:ops@example.com', events: ['call.completed'] } });
    const result = await kros.webhooks.test(created.data!.id!);
    expect(result).toEqual({ success: false, status_code: null, message: 'not an http(s) URL, so nothing was sent' });
  });
});

describe('mock.deliver', () => {
  it('signs { id, event, timestamp, data } with the webhook’s secret: verifyWebhook accepts it', async () => {
    const endpoint = await receiver();
    const { mock, kros } = setup();
    const webhook = await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    const data = { call_id: 'call_1', duration: 42 };
    await mock.deliver('call.completed', data);
    const delivery = await verify(endpoint.requests[0]!, webhook.secret!);
    expect(delivery).toMatchObject({ event: 'call.completed', data });
    expect(Object.keys(JSON.parse(endpoint.requests[0]!.body))).toEqual(['id', 'event', 'timestamp', 'data']);
  });

  it('sends X-Webhook-Signature: sha256=<hex of the HMAC-SHA256 of the raw body>', async () => {
    const endpoint = await receiver();
    const { mock, kros } = setup();
    const webhook = await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    await mock.deliver('call.completed', {});
    const { body, headers } = endpoint.requests[0]!;
    const expected = createHmac('sha256', webhook.secret!).update(body).digest('hex');
    expect(headers['x-webhook-signature']).toBe(`sha256=${expected}`);
    expect(headers['content-type']).toBe('application/json');
  });

  it('reaches every active webhook subscribed to the event, in any organization, and resolves to each outcome', async () => {
    const [subscribed, inOtherOrganization, inactive, otherEvent] = await Promise.all([
      receiver(),
      receiver(reply(500)),
      receiver(),
      receiver(),
    ]);
    const { mock, kros } = setup();
    const a = await kros.webhooks.create({ url: subscribed.url, events: ['call.failed', 'call.completed'] });
    const b = await kros.withOrganization('7c60d51f-b44e-4682-87d6-449835ea4de6').webhooks.create({
      url: inOtherOrganization.url,
      events: ['call.completed'],
    });
    await kros.webhooks.create({ url: inactive.url, events: ['call.completed'], active: false });
    await kros.webhooks.create({ url: otherEvent.url, events: ['call.started'] });
    const outcomes = await mock.deliver('call.completed', { call_id: 'call_1' });
    expect(outcomes).toEqual([
      { webhookId: a.id, url: subscribed.url, success: true, status_code: 204, message: 'the receiver answered 204' },
      {
        webhookId: b.id,
        url: inOtherOrganization.url,
        success: false,
        status_code: 500,
        message: 'the receiver answered 500: not delivered',
      },
    ]);
    expect([inactive.requests, otherEvent.requests]).toEqual([[], []]);
  });

  it('sends one event with one id to every webhook, each signed with its own secret', async () => {
    const [first, second] = await Promise.all([receiver(), receiver()]);
    const { mock, kros } = setup();
    const one = await kros.webhooks.create({ url: first.url, events: ['call.completed'] });
    const two = await kros.webhooks.create({ url: second.url, events: ['call.completed'] });
    await mock.deliver('call.completed', {});
    const [toFirst, toSecond] = await Promise.all([verify(first.requests[0]!, one.secret!), verify(second.requests[0]!, two.secret!)]);
    expect(toFirst.id).toBe(toSecond.id);
    expect(await rejectionOf(verify(first.requests[0]!, two.secret!))).toBeInstanceOf(KrosSignatureError);
  });

  it('does not retry a delivery the receiver refused', async () => {
    const failing = await receiver(reply(503));
    const { mock, kros } = setup();
    await kros.webhooks.create({ url: failing.url, events: ['call.completed'] });
    expect(await mock.deliver('call.completed', {})).toMatchObject([{ success: false, status_code: 503 }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(failing.requests).toHaveLength(1);
  });

  it('resolves to no outcomes when no webhook is subscribed', async () => {
    const { mock } = setup();
    expect(await mock.deliver('number.released', {})).toEqual([]);
  });

  it('refuses data that is not an object', async () => {
    const { mock } = setup();
    await expect(mock.deliver('call.completed', [] as never)).rejects.toThrow(KrosValidationError);
  });
});

describe('createSignedDelivery', () => {
  const SECRET = 'whsec_unit_test';

  it('returns a body and headers that verifyWebhook accepts with the same secret', async () => {
    const { body, headers } = await createSignedDelivery('call.completed', { call_id: 'call_1' }, SECRET);
    expect(await verifyWebhook(body, headers, SECRET)).toMatchObject({ event: 'call.completed', data: { call_id: 'call_1' } });
  });

  it('uses the id and timestamp given', async () => {
    const { body } = await createSignedDelivery('call.failed', {}, SECRET, { id: 'evt_fixed', timestamp: '2026-01-01T12:00:00Z' });
    expect(JSON.parse(body)).toEqual({ id: 'evt_fixed', event: 'call.failed', timestamp: '2026-01-01T12:00:00Z', data: {} });
  });

  it('with an old timestamp, makes a delivery that verifyWebhook refuses as a replay', async () => {
    const { body, headers } = await createSignedDelivery('call.completed', {}, SECRET, { timestamp: new Date(Date.now() - 600_000) });
    expect(await rejectionOf(verifyWebhook(body, headers, SECRET))).toMatchObject({ reason: 'timestamp_out_of_tolerance' });
  });

  it('signs an event name the spec does not know, since receivers must cope with one', async () => {
    const { body, headers } = await createSignedDelivery('call.transferred', {}, SECRET);
    expect((await verifyWebhook(body, headers, SECRET)).event).toBe('call.transferred');
  });

  it('refuses an empty secret with a KrosValidationError', async () => {
    await expect(createSignedDelivery('call.completed', {}, '')).rejects.toThrow(KrosValidationError);
  });

  it('refuses a timestamp that is not a date, without sending or signing anything', async () => {
    await expect(createSignedDelivery('call.completed', {}, SECRET, { timestamp: 'yesterday' })).rejects.toThrow(
      'options.timestamp must be a Date or an RFC 3339 string with a zone (Z or ±hh:mm)',
    );
  });

  it('refuses a timestamp string without a zone, which this machine would read in its own time zone', async () => {
    await expect(createSignedDelivery('call.completed', {}, SECRET, { timestamp: '2026-01-01T12:00:00' })).rejects.toThrow(
      KrosValidationError,
    );
    const { body } = await createSignedDelivery('call.completed', {}, SECRET, { timestamp: '2026-01-01T13:00:00+01:00' });
    expect(JSON.parse(body).timestamp).toBe('2026-01-01T12:00:00Z');
  });
});
