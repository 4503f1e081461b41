/**
 * OpenTelemetry, with the real SDK (in-memory exporter) and the async-hooks context manager,
 * against real loopback servers: the span of each call and of each attempt, their attributes, the
 * `traceparent` the API receives, and no secret in any of it. The client imports no OpenTelemetry:
 * it finds what the app registered, or the `tracerProvider` it is given.
 */

import { createKrosClient, type KrosClientOptions } from '@krosai/cockpit';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { hang, reply, script, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const KEY = 'kros_live_TRACINGKEY0123456789';
const SECRET = 'whsec_TRACINGSECRET42';
const WEBHOOK = { id: ID, url: 'https://example.com/hooks', events: ['call.completed'], active: true, secret: SECRET };

const serve = serversPerTest();
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncHooksContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
  return () => {
    trace.disable();
    context.disable();
  };
});
beforeEach(() => exporter.reset());
afterAll(() => provider.shutdown());

const clientOf = (server: TestServer, options: KrosClientOptions = {}) =>
  createKrosClient({ baseUrl: server.url, apiKey: KEY, initialRetryDelayMs: 10, logger: {}, ...options });

/** The finished spans by name, in the order they ended. */
const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
/** The traceparent a request to the API carried. */
const traceparentOf = (server: TestServer, index: number) => server.requests[index]?.headers.traceparent;
const expected = (span: ReadableSpan | undefined) => `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`;

describe('with a tracer provider the app registered', () => {
  it("nests a call's span under the active span, and its attempt's span under it, and sends that attempt's traceparent", async () => {
    const api = await serve(reply(200, WEBHOOK, { 'x-request-id': 'req_1' }));
    const kros = clientOf(api);
    await trace.getTracer('app').startActiveSpan('checkout', async (parent: Span) => {
      await kros.webhooks.get(ID);
      parent.end();
    });
    const [checkout] = named('checkout');
    const [call] = named('kros.getWebhook');
    const [attempt] = named('GET /webhooks/{id}');
    expect(parentOf(call)).toBe(checkout?.spanContext().spanId);
    expect(parentOf(attempt)).toBe(call?.spanContext().spanId);
    expect(attempt?.spanContext().traceId).toBe(checkout?.spanContext().traceId);
    expect(attempt?.kind).toBe(SpanKind.CLIENT);
    expect(attempt?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.template': '/webhooks/{id}',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(api.url).port),
      'http.response.status_code': 200,
      'http.response.header.x-request-id': ['req_1'],
    });
    expect(call?.status.code).toBe(SpanStatusCode.UNSET);
    expect(traceparentOf(api, 0)).toBe(expected(attempt));
  });

  it('gives a retried call one span per attempt, the retry counted, each request carrying its own', async () => {
    const api = await serve(script(reply(503), reply(200, [WEBHOOK])));
    await clientOf(api).webhooks.list();
    const attempts = named('GET /webhooks');
    expect(attempts.map((span) => span.attributes['http.response.status_code'])).toEqual([503, 200]);
    expect(attempts.map((span) => span.attributes['http.request.resend_count'])).toEqual([undefined, 1]);
    expect(attempts.map((span) => [span.status.code, span.attributes['error.type']])).toEqual([
      [SpanStatusCode.ERROR, '503'],
      [SpanStatusCode.UNSET, undefined],
    ]);
    const [call] = named('kros.listWebhooks');
    for (const span of attempts) expect(parentOf(span)).toBe(call?.spanContext().spanId);
    expect(call?.status.code).toBe(SpanStatusCode.UNSET);
    expect([traceparentOf(api, 0), traceparentOf(api, 1)]).toEqual(attempts.map(expected));
  });

  it('marks a 404 on the attempt and on the call', async () => {
    const api = await serve(reply(404, { error: 'Webhook not found' }));
    await rejectionOf(clientOf(api).webhooks.delete(ID));
    for (const name of ['kros.deleteWebhook', 'DELETE /webhooks/{id}']) {
      const [span] = named(name);
      expect([span?.status.code, span?.attributes['error.type']]).toEqual([SpanStatusCode.ERROR, '404']);
    }
  });

  it('marks a timeout by its error class, with no status code', async () => {
    const api = await serve(hang);
    await rejectionOf(clientOf(api, { timeoutMs: 100, maxRetries: 0 }).webhooks.list());
    const [attempt] = named('GET /webhooks');
    const [call] = named('kros.listWebhooks');
    expect(attempt?.attributes['error.type']).toBe('KrosTimeoutError');
    expect(attempt?.attributes['http.response.status_code']).toBeUndefined();
    expect([call?.status.code, call?.attributes['error.type']]).toEqual([SpanStatusCode.ERROR, 'KrosTimeoutError']);
  });

  it('names a raw call by its method and path template, never its query', async () => {
    const api = await serve(reply(200, []));
    await clientOf(api).raw.GET('/webhooks?secret=kros_test_INQUERY' as '/webhooks');
    expect(spans().map((span) => span.name)).toEqual(['GET /webhooks', 'kros.GET /webhooks']);
  });

  it('keeps a traceparent the caller set', async () => {
    const api = await serve(reply(200, []));
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await clientOf(api, { headers: { traceparent: own } }).webhooks.list();
    expect(traceparentOf(api, 0)).toBe(own);
  });

  it('puts no credential, signing secret, path value or query in any span', async () => {
    const echo = (request: { headers: Record<string, unknown> }) => `req ${request.headers.authorization}`;
    const api = await serve((request, response) =>
      reply(request.method === 'POST' ? 201 : 404, WEBHOOK, { 'x-request-id': echo(request) })(request, response),
    );
    const kros = clientOf(api);
    await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
    await rejectionOf(kros.webhooks.get(ID));
    await kros.raw.GET('/webhooks/{id}', { params: { path: { id: ID } } });
    const text = JSON.stringify(spans().map(({ name, attributes, events, status }) => ({ name, attributes, events, status })));
    expect(spans()).toHaveLength(6);
    for (const secret of [KEY, SECRET, ID, 'kros_live']) expect(text).not.toContain(secret);
  });
});

describe('with a tracerProvider option', () => {
  it('traces with the given provider, and without one or a registered one sends no traceparent', async () => {
    trace.disable();
    try {
      const api = await serve(reply(200, []));
      await clientOf(api).webhooks.list();
      expect(spans()).toEqual([]);
      expect(traceparentOf(api, 0)).toBeUndefined();
      await clientOf(api, { tracerProvider: provider }).webhooks.list();
      const [attempt] = named('GET /webhooks');
      expect(traceparentOf(api, 1)).toBe(expected(attempt));
      expect(named('kros.listWebhooks')).toHaveLength(1);
    } finally {
      trace.setGlobalTracerProvider(provider);
    }
  });
});
