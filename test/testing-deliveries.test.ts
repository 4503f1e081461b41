/**
 * Signed deliveries from the testing kit, checked by the SDK's real verifier and by an HMAC
 * computed here with node:crypto: `webhooks.test`, `mock.deliver` and `createSignedDelivery`.
 */
import { createHmac } from 'node:crypto';
import { createKrosClient, KrosSignatureError, KrosValidationError, verifyWebhook } from '@krosai/cockpit';
import {
  createMockKrosApi,
  createSignedDelivery,
  DELIVERY_FORMATS,
  type DeliveryFormat,
  type MockKrosApiOptions,
  TEST_EVENT,
} from '@krosai/cockpit/testing';
import fc from 'fast-check';
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

function setup(options: MockKrosApiOptions = {}) {
  const mock = createMockKrosApi(options);
  const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: 'kros_test_deliveries' });
  return { mock, kros };
}

const verify = (request: RecordedRequest, secret: string) => verifyWebhook(request.body, request.headers, secret);

const NON_CANONICAL = DELIVERY_FORMATS.filter((format) => format !== 'canonical');
const FORMAT_ERROR = "must be one of 'canonical', 'indented', 'reordered', 'escaped'";

/** Whether `body` is, byte for byte, the kit's `format` of the delivery it carries (whose `data` has its keys in this order). */
async function isInFormat(body: string, format: DeliveryFormat, data: Record<string, unknown> = JSON.parse(body).data): Promise<boolean> {
  const { id, event, timestamp } = JSON.parse(body);
  return (await createSignedDelivery(event, data, 'whsec_any', { id, timestamp, format })).body === body;
}

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
    const { kros } = setup({ deliveryTimeoutMs: 300 });
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

  it('with deliveryFormat: escaped, sends escaped bytes that verifyWebhook accepts', async () => {
    const endpoint = await receiver();
    const { kros } = setup({ deliveryFormat: 'escaped' });
    const webhook = await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    expect(await kros.webhooks.test(webhook.id!)).toMatchObject({ success: true, status_code: 204 });
    const { body } = endpoint.requests[0]!;
    expect(await verify(endpoint.requests[0]!, webhook.secret!)).toMatchObject({ event: TEST_EVENT, data: { webhook_id: webhook.id } });
    expect(body).toContain(String.raw`"webhook\u002etest"`);
    expect(await isInFormat(body, 'escaped')).toBe(true);
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

  it.each(DELIVERY_FORMATS)('with format %s, sends that form, signed over the bytes sent', async (format) => {
    const endpoint = await receiver();
    const { mock, kros } = setup();
    const webhook = await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    const data = { call_id: 'call_1', cost: 0.5, to: 'https://example.com/a' };
    expect(await mock.deliver('call.completed', data, { format })).toMatchObject([{ success: true }]);
    expect(await verify(endpoint.requests[0]!, webhook.secret!)).toMatchObject({ data });
    expect(await isInFormat(endpoint.requests[0]!.body, format, data)).toBe(true);
  });

  it('sends the mock’s deliveryFormat when deliver names no format', async () => {
    const endpoint = await receiver();
    const { mock, kros } = setup({ deliveryFormat: 'reordered' });
    await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    await mock.deliver('call.completed', { call_id: 'call_1' });
    expect(await isInFormat(endpoint.requests[0]!.body, 'reordered', { call_id: 'call_1' })).toBe(true);
  });

  it('refuses a format it does not know, naming the formats, before sending anything', async () => {
    const endpoint = await receiver();
    const { mock, kros } = setup();
    await kros.webhooks.create({ url: endpoint.url, events: ['call.completed'] });
    const error = await rejectionOf(mock.deliver('call.completed', {}, { format: 'pretty' as DeliveryFormat }));
    expect(error).toBeInstanceOf(KrosValidationError);
    expect(error).toMatchObject({ message: `options.format ${FORMAT_ERROR}` });
    expect(endpoint.requests).toEqual([]);
    expect(() => createMockKrosApi({ deliveryFormat: 'pretty' as DeliveryFormat })).toThrow(`options.deliveryFormat ${FORMAT_ERROR}`);
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

describe('delivery formats', () => {
  const SECRET = 'whsec_formats';
  const FIXED = { id: 'evt_fixed', timestamp: '2026-01-01T12:00:00Z' };
  /** Verification at the fixed timestamp, so that no test depends on the clock. */
  const AT = { now: new Date(FIXED.timestamp) };
  const reserialised = (body: string) => JSON.stringify(JSON.parse(body));

  const SHAPES: [string, Record<string, unknown>][] = [
    ['empty', {}],
    ['nested', { call: { id: 'call_1', agent: { name: 'Ada', flags: { vip: true, muted: false } } } }],
    ['arrays', { none: [], items: [[1, [2, []]], { a: null }, 'x', {}] }],
    ['unicode', { text: 'Zoë 日本 😀', clé: 'ü', 'tab\tand\nnewline': '"quoted"\\', lone: '\ud800' }],
    ['slashes', { url: 'https://example.com/a/b', 'a/b': '</script>' }],
    ['decimals', { amount: 1.5, price: 0.1, rate: 123.456, whole: 2.0 }],
    [
      'negative and exponent numbers',
      { n: -7, x: -0.5, tiny: 1e-7, small: -2.5e-10, big: 1e21, max: Number.MAX_VALUE, min: Number.MIN_VALUE },
    ],
    ['integer-like keys', { '10': 'ten', '2': 'two', '-1': 'minus one', '01': 'leading zero', a: 'a' }],
  ];

  it('writes each form as documented', async () => {
    const data = { amount: 1.5, path: 'a/b', name: 'Zoë', tags: [2, 0.25] };
    const body = async (format: DeliveryFormat) => (await createSignedDelivery('call.completed', data, SECRET, { ...FIXED, format })).body;
    expect(await body('canonical')).toBe(
      '{"id":"evt_fixed","event":"call.completed","timestamp":"2026-01-01T12:00:00Z","data":{"amount":1.5,"path":"a/b","name":"Zoë","tags":[2,0.25]}}',
    );
    expect(await body('indented')).toBe(
      [
        '{',
        '  "id": "evt_fixed",',
        '  "event": "call.completed",',
        '  "timestamp": "2026-01-01T12:00:00Z",',
        '  "data": {',
        '    "amount": 1.50,',
        '    "path": "a/b",',
        '    "name": "Zoë",',
        '    "tags": [',
        '      2,',
        '      0.250',
        '    ]',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(await body('reordered')).toBe(
      '{"data": {"tags": [2, 0.250], "name": "Zoë", "path": "a/b", "amount": 1.50}, "timestamp": "2026-01-01T12:00:00Z", "event": "call.completed", "id": "evt_fixed"}',
    );
    expect(await body('escaped')).toBe(
      String.raw`{"id":"evt\u005ffixed","event":"call\u002ecompleted","timestamp":"2026\u002d01\u002d01T12\u003a00\u003a00Z","data":{"amount":1.50,"path":"a\u002fb","name":"Zo\u00eb","tags":[2,0.250]}}`,
    );
  });

  const EVERY_FORM = SHAPES.flatMap(([shape, data]) => DELIVERY_FORMATS.map((format) => [format, shape, data] as const));
  it.each(EVERY_FORM)('%s, %s data: verifies on the exact bytes and parses to the canonical value', async (format, _shape, data) => {
    const canonical = await createSignedDelivery('call.completed', data, SECRET, FIXED);
    const { body, headers } = await createSignedDelivery('call.completed', data, SECRET, { ...FIXED, format });
    expect(await verifyWebhook(body, headers, SECRET, AT)).toEqual(JSON.parse(canonical.body));
  });

  const NON_CANONICAL_FORMS = EVERY_FORM.filter(([format]) => format !== 'canonical');
  it.each(NON_CANONICAL_FORMS)(
    '%s, %s data: re-serialised as a parsing receiver would, fails as signature_mismatch',
    async (format, _shape, data) => {
      const { body, headers } = await createSignedDelivery('call.completed', data, SECRET, { ...FIXED, format });
      expect(await rejectionOf(verifyWebhook(reserialised(body), headers, SECRET, AT))).toMatchObject({ reason: 'signature_mismatch' });
    },
  );

  it('canonical, the default, survives re-serialisation: what the other forms are there to catch', async () => {
    const { body, headers } = await createSignedDelivery('call.completed', { amount: 1.5 }, SECRET, FIXED);
    expect(reserialised(body)).toBe(body);
    await expect(verifyWebhook(reserialised(body), headers, SECRET, AT)).resolves.toMatchObject({ data: { amount: 1.5 } });
  });

  it('for any data: every form verifies and parses alike, and no non-canonical form survives re-serialisation', async () => {
    const key = fc.oneof(fc.string({ unit: 'binary' }), fc.integer().map(String));
    const data = fc.dictionary(key, fc.jsonValue({ stringUnit: 'binary' }), { maxKeys: 8 });
    await fc.assert(
      fc.asyncProperty(data, async (data) => {
        const canonical = JSON.parse((await createSignedDelivery('call.completed', data, SECRET, FIXED)).body);
        for (const format of NON_CANONICAL) {
          const { body, headers } = await createSignedDelivery('call.completed', data, SECRET, { ...FIXED, format });
          expect(await verifyWebhook(body, headers, SECRET, AT)).toEqual(canonical);
          expect(await rejectionOf(verifyWebhook(reserialised(body), headers, SECRET, AT))).toMatchObject({ reason: 'signature_mismatch' });
        }
      }),
    );
  });

  it('refuses a format it does not know with a KrosValidationError naming the formats', async () => {
    const error = await rejectionOf(createSignedDelivery('call.completed', {}, SECRET, { format: 'pretty' as DeliveryFormat }));
    expect(error).toBeInstanceOf(KrosValidationError);
    expect(error).toMatchObject({ message: `options.format ${FORMAT_ERROR}` });
  });
});
