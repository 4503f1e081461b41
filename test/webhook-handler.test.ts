import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignedDelivery } from '@krosai/cockpit/testing';
import {
  createWebhookHandler,
  type DeliveryStore,
  KrosValidationError,
  memoryStore,
  type WebhookDelivery,
  type WebhookHandlerOptions,
} from '@krosai/cockpit/webhooks';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rawExchange } from './helpers/server.ts';

const SECRET = 'whsec_handler_canary_4f1d';
const signed = (event = 'call.completed', data: Record<string, unknown> = { call_id: 'call_1' }, options = {}) =>
  createSignedDelivery(event, data, SECRET, options);

/** A handler whose failures are collected instead of printed. */
function handlerWith(options: Partial<WebhookHandlerOptions> = {}) {
  const errors: unknown[] = [];
  const handler = createWebhookHandler({ secret: SECRET, onError: (error) => errors.push(error), ...options });
  return { handler, errors };
}

describe('statuses', () => {
  it('answers 200 to a handled delivery, passing the verified delivery to its handler', async () => {
    const seen: WebhookDelivery[] = [];
    const { handler } = handlerWith({ on: { 'call.completed': (delivery) => void seen.push(delivery) } });
    const delivery = await signed();
    expect(await handler.handle(delivery)).toEqual({ status: 200, body: '{"status":"handled"}' });
    expect(seen).toEqual([JSON.parse(delivery.body)]);
  });

  it('acknowledges an event without a handler with 200, and runs onUnknownEvent when given', async () => {
    const unknown: string[] = [];
    expect((await handlerWith().handler.handle(await signed('call.transferred'))).status).toBe(200);
    const { handler } = handlerWith({ onUnknownEvent: (delivery) => void unknown.push(delivery.event) });
    expect(await handler.handle(await signed('call.transferred'))).toEqual({ status: 200, body: '{"status":"handled"}' });
    expect(unknown).toEqual(['call.transferred']);
  });

  it('runs onAny after the event handler, for known and unknown events', async () => {
    const order: string[] = [];
    const { handler } = handlerWith({
      on: { 'call.completed': () => void order.push('call.completed') },
      onAny: (delivery) => void order.push(`any ${delivery.event}`),
    });
    await handler.handle(await signed());
    await handler.handle(await signed('call.transferred'));
    expect(order).toEqual(['call.completed', 'any call.completed', 'any call.transferred']);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('treats an event named %s as unknown', async (event) => {
    const { handler, errors } = handlerWith({ on: {} });
    expect(await handler.handle(await signed(event))).toEqual({ status: 200, body: '{"status":"ignored"}' });
    expect(errors).toEqual([]);
  });

  it('answers 400 with the reason to a tampered, unsigned, stale or malformed delivery', async () => {
    const { handler } = handlerWith({ on: { 'call.completed': () => {} } });
    const delivery = await signed();
    const reasons = async (input: { body: string; headers: Record<string, string> }) => {
      const { status, body } = await handler.handle(input);
      return [status, JSON.parse(body).error];
    };
    expect(await reasons({ ...delivery, body: delivery.body.replace('call_1', 'call_2') })).toEqual([400, 'signature_mismatch']);
    expect(await reasons({ body: delivery.body, headers: {} })).toEqual([400, 'missing_signature']);
    expect(await reasons({ body: delivery.body, headers: { 'x-webhook-signature': 'sha256=zz' } })).toEqual([400, 'malformed_signature']);
    expect(await reasons(await signed('call.completed', {}, { timestamp: new Date(Date.now() - 3_600_000) }))).toEqual([
      400,
      'timestamp_out_of_tolerance',
    ]);
    const envelope = '{"id":"evt_1","event":"call.completed"}';
    expect(await reasons({ body: envelope, headers: { 'x-webhook-signature': await sign(envelope) } })).toEqual([400, 'invalid_payload']);
  });

  it('answers 413 over maxBodyBytes', async () => {
    const { handler } = handlerWith({ maxBodyBytes: 100 });
    const { status, body } = await handler.handle(await signed('call.completed', { pad: 'x'.repeat(200) }));
    expect([status, JSON.parse(body).error]).toEqual([413, 'payload_too_large']);
  });

  it('verifies with the previous secret while rotating', async () => {
    const { handler } = handlerWith({ secret: ['whsec_new', SECRET] });
    expect((await handler.handle(await signed())).status).toBe(200);
  });

  it('answers 500 to a handler that threw, without its message or stack, and reports it to onError', async () => {
    const failure = new Error('database down at 10.0.0.7');
    const { handler, errors } = handlerWith({
      on: {
        'call.completed': () => {
          throw failure;
        },
      },
    });
    expect(await handler.handle(await signed())).toEqual({ status: 500, body: '{"error":"handler_failed"}' });
    expect(errors).toEqual([failure]);
  });

  it('still answers when onError itself throws', async () => {
    const handler = createWebhookHandler({
      secret: undefined,
      onError: () => {
        throw new Error('observer broke');
      },
    });
    expect((await handler.handle(await signed())).status).toBe(500);
  });
});

describe('misconfiguration answers 500, so that KrosAI retries once it is fixed', () => {
  it.each([
    ['no secret', undefined],
    ['an empty secret', ''],
    ['an empty secret in a rotation pair', [SECRET, '']],
    ['no secret in a list', []],
  ])('%s: 500 for every delivery, signed or not, with a message that says what to set', async (_name, secret) => {
    const { handler, errors } = handlerWith({ secret: secret as string });
    for (const delivery of [await signed(), { body: '{}', headers: {} }]) {
      const { status, body } = await handler.handle(delivery);
      expect([status, JSON.parse(body)]).toEqual([
        500,
        { error: 'misconfigured', message: expect.stringMatching(/KROSAI_WEBHOOK_SECRET/) },
      ]);
    }
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(KrosValidationError);
  });

  it('a body a framework already parsed: 500 with the fix for Express, Fastify, Next.js and Lambda', async () => {
    const { handler, errors } = handlerWith();
    const delivery = await signed();
    const { status, body } = await handler.handle({ body: JSON.parse(delivery.body), headers: delivery.headers });
    const { message } = JSON.parse(body);
    expect(status).toBe(500);
    for (const fix of ['express.json()', '@krosai/cockpit/webhooks/fastify', 'bodyParser: false', '@krosai/cockpit/webhooks/lambda']) {
      expect(message).toContain(fix);
    }
    expect(errors).toHaveLength(1);
  });

  it('never puts the secret in an answer or a reported error', async () => {
    const { handler, errors } = handlerWith({ secret: [SECRET, ''] });
    const answers = [await handler.handle(await signed()), await handler.handle({ body: {}, headers: {} })];
    expect(JSON.stringify([answers, errors.map(String)])).not.toContain(SECRET);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a handler that is not a function', { on: { 'call.completed': 'save' } }],
    ['onAny that is not a function', { onAny: true }],
    ['onUnknownEvent that is neither acknowledge nor a function', { onUnknownEvent: 'reject' }],
    ['a store without release', { store: { claim: async () => 'claimed', complete: async () => {} } }],
    ['a lease of 0 ms', { leaseMs: 0 }],
    ['a keep of NaN ms', { keepMs: Number.NaN }],
    ['a negative maxBodyBytes', { maxBodyBytes: -1 }],
  ])('refuses %s when the handler is created', (_name, options) => {
    expect(() => createWebhookHandler({ secret: SECRET, ...options } as WebhookHandlerOptions)).toThrow(KrosValidationError);
  });
});

describe('exactly once, through a store', () => {
  it('never runs a handler that succeeded again for that id', async () => {
    let runs = 0;
    const { handler } = handlerWith({ store: memoryStore(), on: { 'call.completed': () => void runs++ } });
    const delivery = await signed();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await handler.handle(delivery)).body);
    expect(answers).toEqual(['{"status":"handled"}', '{"status":"duplicate"}', '{"status":"duplicate"}']);
    expect(runs).toBe(1);
  });

  it('runs a handler that threw again on the next retry', async () => {
    let runs = 0;
    const { handler } = handlerWith({
      store: memoryStore(),
      on: {
        'call.completed': () => {
          if (++runs === 1) throw new Error('first attempt fails');
        },
      },
    });
    const delivery = await signed();
    expect((await handler.handle(delivery)).status).toBe(500);
    expect((await handler.handle(delivery)).status).toBe(200);
    expect(runs).toBe(2);
  });

  it('answers a duplicate that arrives while the first still runs with 409, not a 2xx', async () => {
    let finish = () => {};
    const { handler } = handlerWith({
      store: memoryStore(),
      on: { 'call.completed': () => new Promise<void>((resolve) => (finish = resolve)) },
    });
    const delivery = await signed();
    const first = handler.handle(delivery);
    await vi.waitFor(() => expect(finish).not.toBe(undefined));
    expect(await handler.handle(delivery)).toEqual({ status: 409, body: '{"error":"in_progress"}' });
    finish();
    expect((await first).status).toBe(200);
  });

  it('runs a delivery again once the lease of an instance that died has expired', async () => {
    const store = memoryStore();
    let runs = 0;
    const { handler } = handlerWith({ store, leaseMs: 50, on: { 'call.completed': () => void runs++ } });
    const delivery = await signed();
    await store.claim(JSON.parse(delivery.body).id, 50); // an instance that claimed it, then died
    expect((await handler.handle(delivery)).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await handler.handle(delivery)).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('answers 500 when the store fails or answers nonsense, and runs no handler', async () => {
    let runs = 0;
    const failing = (claim: DeliveryStore['claim']): DeliveryStore => ({ claim, complete: async () => {}, release: async () => {} });
    for (const store of [
      failing(async () => {
        throw new Error('connection refused');
      }),
      failing(async () => 'yes' as never),
    ]) {
      const { handler, errors } = handlerWith({ store, on: { 'call.completed': () => void runs++ } });
      expect(await handler.handle(await signed())).toEqual({ status: 500, body: '{"error":"store_failed"}' });
      expect(errors).toHaveLength(1);
    }
    expect(runs).toBe(0);
  });

  it('passes the lease and keep durations to the store, keeping ids 3 h by default', async () => {
    const calls: unknown[][] = [];
    const store: DeliveryStore = {
      claim: async (...args) => {
        calls.push(['claim', ...args]);
        return 'claimed';
      },
      complete: async (...args) => void calls.push(['complete', ...args]),
      release: async (...args) => void calls.push(['release', ...args]),
    };
    const { handler } = handlerWith({ store, on: { 'call.completed': () => {} } });
    const delivery = await signed();
    await handler.handle(delivery);
    const { id } = JSON.parse(delivery.body);
    expect(calls).toEqual([
      ['claim', id, 60_000],
      ['complete', id, 10_800_000],
    ]);
  });
});

describe('acknowledging early with waitUntil', () => {
  it('answers 202 before the handler finishes, and reports its failure to onError only', async () => {
    const pending: Promise<unknown>[] = [];
    let fail = (_error: Error) => {};
    const { handler, errors } = handlerWith({
      store: memoryStore(),
      waitUntil: (promise) => void pending.push(promise),
      on: { 'call.completed': () => new Promise((_resolve, reject) => (fail = reject)) },
    });
    expect(await handler.handle(await signed())).toEqual({ status: 202, body: '{"status":"accepted"}' });
    expect(errors).toEqual([]);
    const failure = new Error('late failure');
    fail(failure);
    await Promise.all(pending);
    expect(errors).toEqual([failure]);
  });

  it("calls a per-request context's waitUntil as a method, as a Worker's ctx needs", async () => {
    const context = {
      promises: [] as Promise<unknown>[],
      waitUntil(promise: Promise<unknown>) {
        this.promises.push(promise);
      },
    };
    const { handler } = handlerWith({ on: { 'call.completed': () => {} } });
    expect((await handler.handle(await signed(), context)).status).toBe(202);
    expect(context.promises).toHaveLength(1);
  });
});

describe('handler.fetch', () => {
  it('answers a Request, as a route handler would', async () => {
    const { handler } = handlerWith({ on: { 'call.completed': () => {} } });
    const response = await handler.fetch(new Request('https://app.example/webhooks', { method: 'POST', ...(await signed()) }));
    expect([response.status, response.headers.get('content-type'), await response.json()]).toEqual([
      200,
      'application/json',
      { status: 'handled' },
    ]);
  });

  it('answers 405 with Allow: POST to other methods', async () => {
    const response = await handlerWith().handler.fetch(new Request('https://app.example/webhooks'));
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('refuses an unsigned delivery without reading its body, and reads no further than maxBodyBytes', async () => {
    const { handler } = handlerWith({ maxBodyBytes: 1024 });
    let pulls = 0;
    const endless = () =>
      new ReadableStream(
        {
          pull: (controller) => {
            pulls++;
            controller.enqueue(new Uint8Array(512));
          },
        },
        { highWaterMark: 0 },
      );
    const post = (headers: Record<string, string>) =>
      handler.fetch(new Request('https://app.example/', { method: 'POST', headers, body: endless(), duplex: 'half' } as RequestInit));
    expect((await post({})).status).toBe(400);
    expect(pulls).toBe(0);
    const { headers } = await signed();
    expect((await post(headers)).status).toBe(413);
    expect(pulls).toBeLessThanOrEqual(4);
  });

  it('answers 408 to a body slower than timeoutMs', async () => {
    const { handler } = handlerWith({ timeoutMs: 100 });
    const { headers } = await signed();
    const stalled = new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{')) });
    const request = new Request('https://app.example/', { method: 'POST', headers, body: stalled, duplex: 'half' } as RequestInit);
    expect((await handler.fetch(request)).status).toBe(408);
  });

  it('answers 500 naming the fix when middleware already read the body', async () => {
    const { handler } = handlerWith();
    const request = new Request('https://app.example/', { method: 'POST', ...(await signed()) });
    await request.json();
    const response = await handler.fetch(request);
    expect([response.status, (await response.json()).error]).toEqual([500, 'misconfigured']);
  });
});

describe('handler.node', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });
  async function serve(listener: Parameters<typeof createServer>[1]) {
    const server = createServer(listener);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  }
  const post = async (url: string, delivery: { body: string; headers: Record<string, string> }) => {
    const response = await fetch(url, { method: 'POST', ...delivery });
    return [response.status, await response.json()];
  };

  it('serves node:http', async () => {
    const { handler } = handlerWith({ on: { 'call.completed': () => {} } });
    expect(await post(await serve(handler.node), await signed())).toEqual([200, { status: 'handled' }]);
  });

  it('serves Express mounted before express.json(), with express.raw(), or with the bytes kept by express.json({ verify })', async () => {
    const { handler } = handlerWith({ on: { 'call.completed': () => {} } });
    const apps = [
      express().post('/webhooks', handler.node).use(express.json()),
      express().post('/webhooks', express.raw({ type: '*/*' }), handler.node),
      express()
        .use(express.json({ verify: (request, _response, bytes) => Object.assign(request, { rawBody: bytes }) }))
        .post('/webhooks', handler.node),
    ];
    for (const app of apps) expect(await post(await serve(app), await signed())).toEqual([200, { status: 'handled' }]);
  });

  it('answers 500 naming the fix when express.json() parsed the body first', async () => {
    const { handler, errors } = handlerWith();
    const url = await serve(express().use(express.json()).post('/webhooks', handler.node));
    const [status, body] = await post(url, await signed());
    expect([status, body.error, body.message]).toEqual([500, 'misconfigured', expect.stringContaining('express.json()')]);
    expect(errors).toHaveLength(1);
  });

  it('refuses an unsigned delivery from its headers, before its body arrives, and closes the connection', async () => {
    const url = await serve(handlerWith().handler.node);
    const answer = await rawExchange(url, 'POST /webhooks HTTP/1.1\r\nHost: x\r\ncontent-length: 10485760\r\n\r\n{"id":');
    expect(answer).toMatch(/^HTTP\/1\.1 400 [\s\S]*connection: close/i);
  });

  it('answers 413 from content-length, and 413 to a chunked body past the limit', async () => {
    const url = await serve(handlerWith({ maxBodyBytes: 1024 }).handler.node);
    const { headers } = await signed();
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    expect(await rawExchange(url, `POST /webhooks HTTP/1.1\r\nHost: x\r\n${head}content-length: 4096\r\n\r\n`)).toMatch(/^HTTP\/1\.1 413 /);
    const chunk = `800\r\n${'x'.repeat(2048)}\r\n`;
    expect(await rawExchange(url, `POST /webhooks HTTP/1.1\r\nHost: x\r\n${head}transfer-encoding: chunked\r\n\r\n${chunk}`)).toMatch(
      /^HTTP\/1\.1 413 /,
    );
  });

  it('answers 408 to a trickled body after timeoutMs, and other deliveries meanwhile', async () => {
    const { handler } = handlerWith({ timeoutMs: 300, on: { 'call.completed': () => {} } });
    const url = await serve(handler.node);
    const { headers } = await signed();
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const slow = rawExchange(url, `POST /webhooks HTTP/1.1\r\nHost: x\r\n${head}content-length: 100\r\n\r\n{`);
    expect(await post(url, await signed())).toEqual([200, { status: 'handled' }]);
    expect(await slow).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('survives a client that hangs up mid-body', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { handler, errors } = handlerWith({ on: { 'call.completed': () => {} } });
      const url = await serve(handler.node);
      const { headers } = await signed();
      const head = `POST /webhooks HTTP/1.1\r\nHost: x\r\nx-webhook-signature: ${headers['x-webhook-signature']}\r\ncontent-length: 1000\r\n\r\n`;
      await rawExchange(url, `${head}{"id":`, { hangUp: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await post(url, await signed())).toEqual([200, { status: 'handled' }]);
      expect([unhandled, errors]).toEqual([[], []]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

async function sign(body: string) {
  const { signWebhookPayload } = await import('@krosai/cockpit/webhooks');
  return signWebhookPayload(body, SECRET);
}
