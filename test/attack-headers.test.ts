/**
 * Attacks through what the caller passes: headers the checks let through, and the raw client's
 * per-call options, which skip the facade's checks. Tests that state a guarantee the code does not
 * keep FAIL on the current code; the `holds:` ones pass.
 */
import { inspect } from 'node:util';
import { KrosApiError, type KrosClientOptions, KrosValidationError } from '@krosai/cockpit';
import { describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { type Responder, reply, type TestServer } from './helpers/server.ts';

const KEY = 'kros_live_ATTACKHEADERS42';
const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER_ORG = '22222222-2222-4222-8222-222222222222';
const BODY = { url: 'https://example.com/hooks', events: ['call.completed' as const] };

const serve = serversPerTest();
/** A client with short timings against `server`, and its log lines. */
function clientOf(server: TestServer, options: KrosClientOptions = {}) {
  return loggingClient({ baseUrl: server.url, apiKey: KEY, timeoutMs: 1000, initialRetryDelayMs: 10, ...options });
}

describe('headers that pass the checks but cannot be sent', () => {
  // What a Next.js / Node handler's incoming request.headers typically holds for a chunked POST.
  const hopByHop = [
    ['transfer-encoding', 'chunked'],
    ['expect', '100-continue'],
    ['upgrade', 'websocket'],
    ['keep-alive', 'timeout=5'],
  ] as const;

  it.each(hopByHop)(
    'forwarded incoming headers with %s are refused with KrosValidationError before sending, not retried as a connection failure',
    async (name, value) => {
      const api = await serve();
      const { kros, log } = clientOf(api);
      const incoming = new Headers({ 'x-trace-id': 'abc', [name]: value });
      const error = await rejectionOf(kros.webhooks.list({ headers: incoming }));
      expect(error).toBeInstanceOf(KrosValidationError);
      expect(log).toEqual([]);
    },
  );

  it('a content-length header on create is refused up front, not turned into a timeout of an unsent create', async () => {
    const api = await serve(reply(201, { id: 'x', secret: 'whsec_x' }));
    const { kros } = clientOf(api, { timeoutMs: 500 });
    const error = await rejectionOf(kros.webhooks.create(BODY, { headers: { 'content-length': '5' } }));
    expect(error).toBeInstanceOf(KrosValidationError);
  });
});

describe('the raw client: credentials and organization stay with the client configuration', () => {
  it("a per-call baseUrl on kros.raw does not carry the client's key to another origin", async () => {
    const api = await serve();
    const elsewhere = await serve();
    const { kros } = clientOf(api, { organizationId: ORG, maxRetries: 0 });
    // openapi-fetch accepts baseUrl per request; a careless caller spreads user-supplied options into it.
    const userOptions = JSON.parse(`{"baseUrl":"${elsewhere.url}/v1"}`);
    await kros.raw.GET('/webhooks', { ...userOptions }).catch(() => undefined);
    expect(elsewhere.requests).toEqual([]);
  });

  it("a per-call baseUrl with userinfo and a query is refused as the client's baseUrl is", async () => {
    const api = await serve();
    const { kros } = clientOf(api, { maxRetries: 0 });
    const pending = kros.raw.GET('/webhooks', { baseUrl: `${api.url.replace('http://', 'http://admin:pw@')}?tenant=a` } as never);
    const outcome = await pending.then(
      (result) => `resolved with status ${result.response.status}`,
      (error: Error) => `${error.name}: ${error.message}`,
    );
    expect(outcome).toMatch(/^KrosValidationError/);
    expect(outcome).not.toContain('pw');
  });

  it("refuses an incoming request's Headers forwarded to kros.raw, as the facade does, and sends nothing", async () => {
    const api = await serve();
    const { kros } = clientOf(api, { organizationId: ORG, maxRetries: 0 });
    const incoming = new Headers({ 'x-organization-id': OTHER_ORG, 'x-trace-id': 'abc' });
    await expect(kros.raw.GET('/webhooks', { headers: incoming } as never)).rejects.toThrow(KrosValidationError);
    expect(api.requests).toEqual([]);
  });

  it("refuses another organization's header passed to kros.raw.request(), as kros.raw.GET() does, and sends nothing", async () => {
    const api = await serve();
    const { kros } = clientOf(api, { organizationId: ORG, maxRetries: 0 });
    const incoming = new Headers({ 'x-organization-id': OTHER_ORG, 'x-trace-id': 'abc' });
    await expect(kros.raw.request('get', '/webhooks', { headers: incoming } as never)).rejects.toThrow(KrosValidationError);
    expect(api.requests).toEqual([]);
  });

  it('refuses a credential in params.header on kros.raw, and sends nothing', async () => {
    const api = await serve();
    const { kros } = clientOf(api, { maxRetries: 0 });
    const params = { header: { authorization: 'Bearer kros_live_SOMEONE_ELSES' } };
    await expect(kros.raw.GET('/webhooks', { params } as never)).rejects.toThrow(KrosValidationError);
    expect(api.requests).toEqual([]);
  });

  it('refuses a connection header in params.header with KrosValidationError, not a connection error', async () => {
    const api = await serve();
    const { kros } = clientOf(api, { maxRetries: 0 });
    const params = { header: { 'transfer-encoding': 'chunked' } };
    await expect(kros.raw.GET('/webhooks', { params } as never)).rejects.toThrow(KrosValidationError);
  });

  it('refuses an organization in params.header that is not a UUID, and sends nothing', async () => {
    const api = await serve();
    const { kros } = clientOf(api, { maxRetries: 0 });
    await expect(kros.raw.GET('/webhooks', { params: { header: { 'x-organization-id': 'not-a-uuid' } } })).rejects.toThrow(
      KrosValidationError,
    );
    expect(api.requests).toEqual([]);
  });

  it('holds: sends the organization given in params.header, over the client one', async () => {
    const api = await serve(reply(200, []));
    const { kros } = clientOf(api, { organizationId: ORG, maxRetries: 0 });
    await kros.raw.GET('/webhooks', { params: { header: { 'x-organization-id': OTHER_ORG } } });
    expect(api.requests[0]?.headers['x-organization-id']).toBe(OTHER_ORG);
  });

  it('a raw header value outside Latin-1 is a KrosValidationError, not a raw TypeError', async () => {
    const api = await serve();
    const { kros } = clientOf(api, { maxRetries: 0 });
    const error = await rejectionOf(kros.raw.GET('/webhooks', { headers: { 'x-name': 'Zoë €' } } as never));
    expect(error).toBeInstanceOf(KrosValidationError);
  });
});

describe('a credential a server echoes in a response header', () => {
  const echo: Responder = (request, response) => {
    response.writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer error="invalid_token", error_description="revoked: ${request.headers.authorization}"`,
    });
    response.end(JSON.stringify({ error: 'Unauthorized', code: 'UNAUTHORIZED' }));
  };

  it('is not readable from KrosApiError.headers (what a logger that prints error.headers shows)', async () => {
    const api = await serve(echo);
    const { kros } = clientOf(api, { maxRetries: 0 });
    const error = (await rejectionOf(kros.webhooks.list())) as KrosApiError;
    expect(error).toBeInstanceOf(KrosApiError);
    const shown = inspect(error.headers);
    expect(shown).not.toContain(KEY);
    expect(error.headers.get('www-authenticate')).not.toContain(KEY);
  });

  it('holds: util.inspect(error) and JSON.stringify(error) do not show it', async () => {
    const api = await serve(echo);
    const { kros } = clientOf(api, { maxRetries: 0 });
    const error = (await rejectionOf(kros.webhooks.list())) as KrosApiError;
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(String(error)).not.toContain(KEY);
    expect(error.stack).not.toContain(KEY);
  });
});

describe('holds: header smuggling through the facade', () => {
  it.each([
    ['a Headers', () => new Headers({ Authorization: 'Bearer x' })],
    ['pairs', () => [['X-Organization-Id', OTHER_ORG]]],
    ['a Map', () => new Map([['x-api-key', 'evil']])],
    [
      'an object with a getter that lies on the second read',
      () => {
        let reads = 0;
        return Object.defineProperty({}, 'x-trace-id', { enumerable: true, get: () => (reads++ ? 'a\r\nx-api-key: evil' : 'ok') });
      },
    ],
    [
      'a Proxy that answers differently per read',
      () => {
        let reads = 0;
        return new Proxy({ 'x-trace-id': 'ok' }, { get: (target, key) => (reads++ ? 'a\nb' : Reflect.get(target, key)) });
      },
    ],
    ['a __proto__ key from JSON.parse', () => JSON.parse(`{"__proto__":{"authorization":"Bearer x"},"x-organization-id":"${OTHER_ORG}"}`)],
  ])('%s: a managed header is refused and nothing is sent', async (_what, headers) => {
    const api = await serve();
    const { kros } = clientOf(api, { organizationId: ORG });
    const outcome = await kros.webhooks.list({ headers: headers() as never }).then(
      () => 'sent',
      (error: Error) => error,
    );
    if (outcome === 'sent') {
      // Only acceptable when what was sent is what was checked.
      const sent = api.requests[0]?.headers ?? {};
      expect(sent['x-organization-id']).toBe(ORG);
      expect(sent.authorization).toBe(`Bearer ${KEY}`);
      expect(sent['x-api-key']).toBeUndefined();
    } else {
      expect(outcome).toBeInstanceOf(KrosValidationError);
      expect(api.requests).toEqual([]);
    }
  });
});
