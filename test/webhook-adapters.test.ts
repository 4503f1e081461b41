import type { AddressInfo } from 'node:net';
import { createSignedDelivery } from '@krosai/cockpit/testing';
import { createWebhookHandler, type WebhookDelivery } from '@krosai/cockpit/webhooks';
import { webhookPlugin } from '@krosai/cockpit/webhooks/fastify';
import { type LambdaHttpEvent, lambdaHandler } from '@krosai/cockpit/webhooks/lambda';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from './helpers/server.ts';

const SECRET = 'whsec_adapters';
const received: WebhookDelivery[] = [];
const handler = createWebhookHandler({
  secret: SECRET,
  maxBodyBytes: 4096,
  on: { 'call.completed': (delivery) => void received.push(delivery) },
  onError: () => {},
});
const signed = () => createSignedDelivery('call.completed', { call_id: 'call_1', cost: 'é/€' }, SECRET);

describe('Fastify: webhookPlugin', () => {
  const app = Fastify();
  let url: string;
  beforeAll(async () => {
    app.register(webhookPlugin, { handler, path: '/webhooks/krosai' });
    app.post('/echo', async (request) => request.body);
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('verifies and handles a delivery on its route', async () => {
    const delivery = await signed();
    const response = await fetch(`${url}/webhooks/krosai`, { method: 'POST', ...delivery });
    expect([response.status, await response.json()]).toEqual([200, { status: 'handled' }]);
    expect(received.at(-1)).toEqual(JSON.parse(delivery.body));
  });

  it("leaves the app's JSON parser to its other routes", async () => {
    const response = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await response.json()).toEqual({ a: 1 });
  });

  it('refuses a tampered delivery with 400 and an unsigned one before its body arrives', async () => {
    const delivery = await signed();
    const tampered = await fetch(`${url}/webhooks/krosai`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body.replace('1', '2'),
    });
    expect([tampered.status, (await tampered.json()).error]).toEqual([400, 'signature_mismatch']);
    const answer = await rawExchange(
      url,
      'POST /webhooks/krosai HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 10485760\r\n\r\n{',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers 413 past maxBodyBytes', async () => {
    const { headers } = await signed();
    const response = await fetch(`${url}/webhooks/krosai`, { method: 'POST', headers, body: `{"pad":"${'x'.repeat(8192)}"}` });
    expect(response.status).toBe(413);
  });
});

describe('Hono: handler.fetch', () => {
  const app = new Hono().post('/webhooks/krosai', (c) => handler.fetch(c.req.raw));

  it('verifies and handles a delivery', async () => {
    const response = await app.request('/webhooks/krosai', { method: 'POST', ...(await signed()) });
    expect([response.status, await response.json()]).toEqual([200, { status: 'handled' }]);
  });

  it('answers 500 naming the fix when a middleware read the body first', async () => {
    const parsing = new Hono().post(
      '/webhooks/krosai',
      async (c, next) => {
        await c.req.raw.json();
        await next();
      },
      (c) => handler.fetch(c.req.raw),
    );
    const response = await parsing.request('/webhooks/krosai', { method: 'POST', ...(await signed()) });
    expect([response.status, (await response.json()).error]).toEqual([500, 'misconfigured']);
  });
});

describe('AWS Lambda: lambdaHandler', () => {
  const lambda = lambdaHandler(handler);
  /** The header casing API Gateway REST APIs pass on as the client sent it. */
  const mixedCase = (headers: Record<string, string>) => ({
    'Content-Type': headers['content-type'],
    'X-Webhook-Signature': headers['x-webhook-signature'],
  });
  const base64 = (text: string) => Buffer.from(text).toString('base64');

  // The shapes of AWS's documented sample events, trimmed to what matters here.
  const restEvent = (body: string, headers: Record<string, string>, isBase64Encoded = false): LambdaHttpEvent =>
    ({
      resource: '/webhooks',
      path: '/webhooks',
      httpMethod: 'POST',
      headers: mixedCase(headers),
      multiValueHeaders: { 'X-Webhook-Signature': [headers['x-webhook-signature']] },
      queryStringParameters: null,
      requestContext: { httpMethod: 'POST', stage: 'prod' },
      body,
      isBase64Encoded,
    }) as LambdaHttpEvent;
  const httpApiEvent = (body: string, headers: Record<string, string>, isBase64Encoded = false): LambdaHttpEvent =>
    ({
      version: '2.0',
      routeKey: 'POST /webhooks',
      rawPath: '/webhooks',
      rawQueryString: '',
      headers,
      requestContext: { http: { method: 'POST', path: '/webhooks', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1' }, stage: '$default' },
      body,
      isBase64Encoded,
    }) as LambdaHttpEvent;

  it.each([
    ['a REST API event', restEvent, false],
    ['a REST API event with a base64 body', restEvent, true],
    ['an HTTP API (2.0) or function URL event', httpApiEvent, false],
    ['an HTTP API (2.0) or function URL event with a base64 body', httpApiEvent, true],
  ])('handles %s', async (_name, event, encoded) => {
    const delivery = await signed();
    const result = await lambda(event(encoded ? base64(delivery.body) : delivery.body, delivery.headers, encoded));
    expect(result).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"handled"}' });
  });

  it('refuses a tampered body with 400, and a body that is not base64 with 400', async () => {
    const delivery = await signed();
    expect((await lambda(httpApiEvent(delivery.body.replace('1', '2'), delivery.headers))).statusCode).toBe(400);
    expect(await lambda(httpApiEvent('not base64!', delivery.headers, true))).toMatchObject({
      statusCode: 400,
      body: '{"error":"invalid_base64"}',
    });
  });

  it('answers 405 to other methods, and 500 naming the fix to a body a middleware parsed', async () => {
    const delivery = await signed();
    expect(
      (await lambda({ ...httpApiEvent(delivery.body, delivery.headers), requestContext: { http: { method: 'GET' } } })).statusCode,
    ).toBe(405);
    const parsed = { ...restEvent(delivery.body, delivery.headers), body: JSON.parse(delivery.body) };
    const result = await lambda(parsed);
    expect([result.statusCode, JSON.parse(result.body).message]).toEqual([500, expect.stringContaining('@krosai/cockpit/webhooks/lambda')]);
  });
});

describe('the adapters stay thin', () => {
  it.each(['fastify', 'lambda'])('%s is under 100 lines of code over handler.handle and handler.node', async (name) => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL(`../src/webhooks/adapters/${name}.ts`, import.meta.url), 'utf8');
    const code = source.split('\n').filter((line) => !/^\s*($|\/\/|\/\*\*|\*)/.test(line));
    expect(code.length).toBeLessThan(100);
  });
});
