import { inspect } from 'node:util';
import { createKrosClient, type KrosClientOptions } from '@krosai/cockpit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';
import { hang, type RecordedRequest, type Responder, reply, resetMidResponse, startServer, type TestServer } from './helpers/server.ts';

const SECRET = 'kros_live_TOPSECRET0123456789';

let server: TestServer;
beforeAll(async () => {
  server = await startServer(reply(401, { error: 'Invalid API key', code: 'UNAUTHORIZED' }));
});
afterAll(() => server.close());

/** Every way an object can end up in a log. */
function renderings(value: unknown): string[] {
  return [String(value), JSON.stringify(value), inspect(value, { depth: 10, showHidden: true }), (value as Error)?.stack ?? ''];
}

function expectNoSecret(value: unknown, secret = SECRET) {
  for (const text of renderings(value)) expect(text).not.toContain(secret);
}

const client = (options: KrosClientOptions = {}) => createKrosClient({ baseUrl: server.url, apiKey: SECRET, maxRetries: 0, ...options });

describe('secrets stay out of what users log', () => {
  it('util.inspect of a client shows no API key', () => {
    expectNoSecret(client());
    expectNoSecret(client().withOrganization('11111111-1111-4111-8111-111111111111'));
    expectNoSecret(client({ authHeader: 'x-api-key' }).raw);
  });

  it('an API error for a request made with the key does not contain it', async () => {
    expectNoSecret(await rejectionOf(client().webhooks.list()));
  });

  it('a connection error does not contain the key', async () => {
    const closed = await startServer();
    await closed.close();
    expectNoSecret(await rejectionOf(client({ baseUrl: closed.url }).webhooks.list()));
  });

  it('a refused API key is not quoted', () => {
    let error: unknown;
    try {
      client({ apiKey: `${SECRET}\n` });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeDefined();
    expectNoSecret(error);
  });

  it('a JWT from a token function is not quoted when refused', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    const error = await rejectionOf(client({ apiKey: () => `${jwt} ` }).webhooks.list());
    expectNoSecret(error, jwt);
  });

  it('a header value with a line break is not quoted', async () => {
    const error = await rejectionOf(client().webhooks.list({ headers: { 'x-session': `${SECRET}\r\n` } }));
    expectNoSecret(error);
  });
});

describe('leak scan: a canary credential on every failure path', () => {
  const FIXED = 'kros_live_CANARY0123456789';
  const FROM_FUNCTION = 'opaque.canary.token-7f3e9b2c';
  const echo = (request: RecordedRequest) => String(request.headers.authorization ?? request.headers['x-api-key']);

  const paths: Array<[string, Responder | 'refused' | 'chatty fetch', KrosClientOptions?]> = [
    ['refused', 'refused'],
    ['reset before answering', (_request, response) => response.socket?.resetAndDestroy()],
    ['timeout', hang, { timeoutMs: 100 }],
    ['reset mid-body', resetMidResponse],
    [
      '3xx with the token in its Location',
      (request, response) => response.writeHead(307, { location: `http://127.0.0.1:1/?k=${echo(request)}` }).end(),
    ],
    [
      '401 echoing the token',
      (request, response) => reply(401, { error: `bad credential ${echo(request)}`, details: { got: echo(request) } })(request, response),
    ],
    ['503 whose reason phrase echoes the token', (request, response) => response.writeHead(503, `Unavailable for ${echo(request)}`).end()],
    [
      '429 with a long wait',
      (request, response) => reply(429, { error: `slow down ${echo(request)}` }, { 'retry-after': '120' })(request, response),
    ],
    [
      'invalid JSON',
      (request, response) => reply(200, `{"token": "${echo(request)}`, { 'content-type': 'application/json' })(request, response),
    ],
    ['oversized body', (request, response) => reply(200, [echo(request).repeat(100)])(request, response), { maxResponseBytes: 512 }],
    ['chatty fetch', 'chatty fetch'],
  ];
  const credentials: Array<[string, KrosClientOptions['apiKey'], string]> = [
    ['a fixed key', FIXED, FIXED],
    ['a token function', () => FROM_FUNCTION, FROM_FUNCTION],
  ];
  const cases = paths.flatMap(([path, respond, options]) =>
    credentials.flatMap(([kind, apiKey, canary]) =>
      (['authorization', 'x-api-key'] as const).map((authHeader) => ({ path, respond, options, kind, apiKey, canary, authHeader })),
    ),
  );

  it.each(cases)('$path, $kind, $authHeader', async ({ respond, options, apiKey, canary, authHeader }) => {
    const target = respond === 'refused' || respond === 'chatty fetch' ? await startServer() : await startServer(respond);
    if (respond === 'refused') await target.close();
    const chattyFetch: typeof fetch = async (_input, init) => {
      throw new Error(`could not send ${JSON.stringify(Object.fromEntries(new Headers(init?.headers)))}`);
    };
    const log: string[] = [];
    const kros = createKrosClient({
      baseUrl: target.url,
      apiKey,
      authHeader,
      maxRetries: 1,
      initialRetryDelayMs: 1,
      logger: { info: (line) => log.push(line), warn: (line) => log.push(line) },
      ...(respond === 'chatty fetch' ? { fetch: chattyFetch } : {}),
      ...options,
    });
    try {
      const error = await rejectionOf(kros.webhooks.list());
      for (const text of [...renderings(error), inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }), ...log]) {
        expect(text).not.toContain(canary);
      }
      expect(inspect(kros, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(canary);
    } finally {
      if (respond !== 'refused') await target.close();
    }
  });
});
