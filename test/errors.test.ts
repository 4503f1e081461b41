import {
  createKrosClient,
  KrosApiError,
  KrosAuthenticationError,
  KrosBadRequestError,
  KrosConflictError,
  KrosConnectionError,
  type KrosError,
  KrosInternalServerError,
  KrosInvalidResponseError,
  KrosNotFoundError,
  KrosPermissionDeniedError,
  KrosRateLimitError,
  KrosUnprocessableEntityError,
} from '@krosai/cockpit';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';
import { type Responder, reply, startServer, type TestServer } from './helpers/server.ts';

const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
let server: TestServer | undefined;
afterEach(() => server?.close());
/** The server's host and port, as messages name it. */
const host = () => new URL((server as TestServer).url).host;

async function clientAnswering(respond: Responder) {
  server = await startServer(respond);
  // Retries are the fault suite's subject: here each status is mapped from a single answer.
  return createKrosClient({ baseUrl: server.url, apiKey: 'kros_test_abc', maxRetries: 0 });
}

async function failure(pending: Promise<unknown>): Promise<KrosError> {
  return (await rejectionOf(pending)) as KrosError;
}

describe('HTTP errors', () => {
  it('carries status, message, code, details, request id and headers of the spec Error body', async () => {
    const body = { error: 'Webhook not found', code: 'WEBHOOK_NOT_FOUND', details: { id: ID } };
    const kros = await clientAnswering(reply(404, body, { 'x-request-id': 'req_123' }));
    const error = (await failure(kros.webhooks.get(ID))) as KrosApiError;
    expect(error).toBeInstanceOf(KrosApiError);
    expect(error).toMatchObject({ status: 404, code: 'WEBHOOK_NOT_FOUND', details: { id: ID } });
    expect(error).toMatchObject({
      message: `GET /webhooks/{id} → 404 Webhook not found (${host()})`,
      method: 'GET',
      urlTemplate: '/webhooks/{id}',
    });
    expect(error.requestId).toBe('req_123');
    expect(error.headers.get('x-request-id')).toBe('req_123');
  });

  it('falls back to a status-based message when the body is empty', async () => {
    const kros = await clientAnswering(reply(503));
    const error = await failure(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosApiError);
    expect(error).toMatchObject({ status: 503, message: `GET /webhooks → 503 Service Unavailable (${host()})`, code: undefined });
  });

  it('falls back to a status-based message when the body is not JSON', async () => {
    const kros = await clientAnswering(reply(502, '<html><body>Bad gateway</body></html>', { 'content-type': 'text/html' }));
    const error = await failure(kros.webhooks.list());
    expect(error).toMatchObject({ status: 502, message: `GET /webhooks → 502 Bad Gateway (${host()})` });
  });

  it.each([
    [400, KrosBadRequestError],
    [401, KrosAuthenticationError],
    [403, KrosPermissionDeniedError],
    [404, KrosNotFoundError],
    [409, KrosConflictError],
    [418, KrosApiError],
    [422, KrosUnprocessableEntityError],
    [429, KrosRateLimitError],
    [500, KrosInternalServerError],
    [503, KrosInternalServerError],
    [599, KrosInternalServerError],
  ])('maps %i to %o, a KrosApiError with that status', async (status, ErrorClass) => {
    const kros = await clientAnswering(reply(status, { error: 'nope' }));
    const error = await failure(kros.webhooks.delete(ID));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(KrosApiError);
    expect(error).toMatchObject({ status, name: ErrorClass.name });
  });

  it('keeps other statuses a plain KrosApiError', async () => {
    const kros = await clientAnswering(reply(402, { error: 'pay up' }));
    const error = await failure(kros.webhooks.list());
    expect(error.constructor).toBe(KrosApiError);
    expect(error).not.toBeInstanceOf(KrosNotFoundError);
  });

  it('exposes the parsed JSON body', async () => {
    const body = { error: 'Webhook not found', code: 'WEBHOOK_NOT_FOUND', hint: 'list your webhooks' };
    const kros = await clientAnswering(reply(404, body));
    expect(await failure(kros.webhooks.get(ID))).toMatchObject({ body });
  });

  it('exposes a body that is not JSON as its text', async () => {
    const kros = await clientAnswering(reply(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' }));
    expect(await failure(kros.webhooks.list())).toMatchObject({ body: '<html>Bad gateway</html>' });
  });

  it('rejects a 400 whose JSON body is nested 20,000 levels deep (40 KiB) with KrosApiError, not a RangeError', async () => {
    const depth = 20_000;
    const kros = await clientAnswering(reply(400, `${'['.repeat(depth)}${']'.repeat(depth)}`, { 'content-type': 'application/json' }));
    expect(await failure(kros.webhooks.list())).toBeInstanceOf(KrosApiError);
  });
});

describe('rate limits', () => {
  it('exposes retryAfter and the X-RateLimit values on a 429', async () => {
    const headers = { 'retry-after': '2', 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767225600' };
    const kros = await clientAnswering(
      reply(429, { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 1.5 }, headers),
    );
    const error = await failure(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosRateLimitError);
    expect(error).toMatchObject({ retryAfter: 2, rateLimit: { limit: 10, remaining: 0, reset: 1767225600 }, code: 'RATE_LIMIT_EXCEEDED' });
  });

  it.each([
    ['abc', undefined],
    ['0x10', undefined],
    ['1e3', undefined],
    ['-5', undefined],
    ['', undefined],
    ['42', 42],
  ])('reads X-RateLimit-Remaining %j as %s', async (remaining, expected) => {
    const kros = await clientAnswering(reply(429, { error: 'slow down' }, { 'x-ratelimit-remaining': remaining, 'retry-after': '120' }));
    const error = (await failure(kros.webhooks.list())) as KrosRateLimitError;
    expect(error).toBeInstanceOf(KrosRateLimitError);
    expect(error.rateLimit.remaining).toBe(expected);
  });
});

describe('errors as JSON', () => {
  it('writes name, message and what the API said, and no header', async () => {
    const body = { error: 'Webhook not found', code: 'WEBHOOK_NOT_FOUND', details: { id: ID } };
    const kros = await clientAnswering(reply(404, body, { 'x-request-id': 'req_9', 'set-cookie': 'session=abc' }));
    const error = await failure(kros.webhooks.get(ID));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'KrosNotFoundError',
      message: `GET /webhooks/{id} → 404 Webhook not found (${host()})`,
      method: 'GET',
      urlTemplate: '/webhooks/{id}',
      host: host(),
      status: 404,
      code: 'WEBHOOK_NOT_FOUND',
      details: { id: ID },
      requestId: 'req_9',
    });
  });

  it('writes retryAfter for a rate limit', async () => {
    const kros = await clientAnswering(reply(429, { error: 'slow down' }, { 'retry-after': '120' }));
    expect(JSON.parse(JSON.stringify(await failure(kros.webhooks.list())))).toMatchObject({ name: 'KrosRateLimitError', retryAfter: 120 });
  });

  it('writes name, message and where the call went for an error without a response', async () => {
    const closed = await startServer();
    await closed.close();
    const kros = createKrosClient({ baseUrl: closed.url, apiKey: 'kros_test_abc', maxRetries: 0 });
    const error = await failure(kros.webhooks.delete(ID));
    const where = { method: 'DELETE', urlTemplate: '/webhooks/{id}', host: new URL(closed.url).host };
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'KrosConnectionError', message: error.message, ...where });
    expect(error.message).toBe(`DELETE /webhooks/{id} → could not reach the KrosAI API: ECONNREFUSED (${where.host})`);
  });
});

describe('malformed success responses', () => {
  it('rejects a 200 whose JSON has the wrong shape', async () => {
    const kros = await clientAnswering(reply(200, { webhooks: [] }));
    const error = await failure(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosInvalidResponseError);
    expect(error.message).toContain('is a JSON object where the spec promises a JSON array');
    expect(error).toMatchObject({ method: 'GET', urlTemplate: '/webhooks', host: host() });
  });
});

describe('messages say where the call went', () => {
  it('names the path of a raw call without its query, which may carry a secret', async () => {
    const closed = await startServer();
    await closed.close();
    const kros = createKrosClient({ baseUrl: closed.url, apiKey: 'kros_test_abc', maxRetries: 0 });
    const error = await failure(
      kros.raw.request('post', '/webhooks?token=kros_test_INQUERY#frag' as '/webhooks', { body: undefined as never }),
    );
    expect(error.message).toBe(`POST /webhooks → could not reach the KrosAI API: ECONNREFUSED (${new URL(closed.url).host})`);
    expect(JSON.stringify(error)).not.toMatch(/INQUERY|token|frag/);
  });

  it('names a redirect refused and a body too large where they happened', async () => {
    const kros = await clientAnswering(reply(307, '', { location: 'https://elsewhere.example/x' }));
    expect((await failure(kros.webhooks.test(ID))).message).toMatch(
      /^POST \/webhooks\/\{id\}\/test → 307 redirect to https:\/\/elsewhere.example not followed.* \(127\.0\.0\.1:\d+\)$/,
    );
    await server?.close();
    const big = await clientAnswering(reply(200, 'x'.repeat(200)));
    expect((await failure(big.webhooks.list({ maxResponseBytes: 100 }))).message).toMatch(
      /^GET \/webhooks → 200 response body is over maxResponseBytes/,
    );
  });
});

describe('connection failures', () => {
  it('rejects with KrosConnectionError carrying the cause when nothing listens', async () => {
    const closed = await startServer();
    await closed.close();
    const kros = createKrosClient({ baseUrl: closed.url, apiKey: 'kros_test_abc', maxRetries: 0 });
    const error = await failure(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("rejects with KrosAbortError, the caller's reason as cause, when the signal fires", async () => {
    const kros = await clientAnswering(() => {});
    const controller = new AbortController();
    const pending = kros.webhooks.list({ signal: controller.signal });
    const reason = new Error('user navigated away');
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toMatchObject({ name: 'KrosAbortError', cause: reason });
  });
});
