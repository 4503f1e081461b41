/**
 * No credential in any text the SDK or its testing kit builds: errors (message, JSON, inspect,
 * stack), log lines, refusals of what the caller passed, and the mock's records. A server or a
 * custom fetch may echo the credential it was sent; the SDK redacts it wherever it shows up.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { createKrosClient, KrosApiError, type KrosClientOptions, KrosConnectionError, KrosValidationError } from '@krosai/cockpit';
import { createMockKrosApi } from '@krosai/cockpit/testing';
import { describe, expect, it } from 'vitest';
import { serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { hang, type RecordedRequest, type Responder, reply, resetMidResponse, startServer } from './helpers/server.ts';
import { ROOT } from './helpers/workspace.ts';

const KEY = 'kros_live_TOPSECRET0123456789';
const serve = serversPerTest();

/** Every way an object can end up in a log. */
function renderings(value: unknown): string[] {
  return [
    String(value),
    JSON.stringify(value),
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    (value as Error)?.stack ?? '',
  ];
}

function expectNoSecret(value: unknown, secret = KEY) {
  for (const text of renderings(value)) expect(text).not.toContain(secret);
}

const client = (baseUrl: string, options: KrosClientOptions = {}) => createKrosClient({ baseUrl, apiKey: KEY, maxRetries: 0, ...options });

describe('the client and its errors', () => {
  it('util.inspect of a client shows no API key', () => {
    expectNoSecret(client('http://127.0.0.1:9'));
    expectNoSecret(client('http://127.0.0.1:9').withOrganization('11111111-1111-4111-8111-111111111111'));
    expectNoSecret(client('http://127.0.0.1:9', { authHeader: 'x-api-key' }).raw);
  });

  it('an API error for a request made with the key does not contain it', async () => {
    const api = await serve(reply(401, { error: 'Invalid API key', code: 'UNAUTHORIZED' }));
    expectNoSecret(await rejectionOf(client(api.url).webhooks.list()));
  });

  it('a connection error does not contain the key', async () => {
    const closed = await startServer();
    await closed.close();
    expectNoSecret(await rejectionOf(client(closed.url).webhooks.list()));
  });
});

describe('util.inspect prints complete, valid output', () => {
  /** Whether the quotes and brackets of what inspect printed pair up (stack frames left out): a redaction that ate a quote leaves one open. */
  function balanced(text: string): boolean {
    const closers: string[] = [];
    let quote = '';
    // A frame names a file, whatever its characters; the last one ends with the properties' ` {`.
    const code = text.replace(/^ +at .*?(?= \{$|$)/gm, '');
    for (let i = 0; i < code.length; i++) {
      const char = code[i] as string;
      if (quote) {
        if (char === '\\') i++;
        else if (char === quote) quote = '';
      } else if (`'"\``.includes(char)) quote = char;
      else if ('([{'.includes(char)) closers.push(')]}'['([{'.indexOf(char)] as string);
      else if (')]}'.includes(char) && closers.pop() !== char) return false;
    }
    return !quote && closers.length === 0;
  }

  it('shows an API error with its values redacted, its neighbours intact and its headers', async () => {
    const api = await serve((request, response) => {
      const sent = String(request.headers.authorization);
      response.writeHead(400, { 'content-type': 'application/json', 'x-request-id': 'req_1', 'x-echo': sent });
      response.end(JSON.stringify({ error: 'bad', details: { got: sent, other: 'plain' } }));
    });
    const error = await rejectionOf(client(api.url).webhooks.list());
    for (const text of [inspect(error), format(error), inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })]) {
      expect(balanced(text), text).toBe(true);
      expect(text).not.toContain(KEY);
      expect(text).toContain("details: { got: 'Bearer [redacted]', other: 'plain' }");
      expect(text).toContain("'x-echo': 'Bearer [redacted]'");
      expect(text).toContain("'x-request-id': 'req_1'");
    }
  });

  it("shows a connection error's cause chain with its values redacted", async () => {
    const fetch: typeof globalThis.fetch = async (_input, init) => {
      const sent = new Headers(init?.headers).get('authorization');
      throw new TypeError(`fetch failed for ${sent}`, { cause: { sent, hint: 'the proxy said no', code: 'EPROXY' } });
    };
    const error = await rejectionOf(client('http://127.0.0.1:9', { fetch }).webhooks.list());
    const text = inspect(error, { depth: Number.POSITIVE_INFINITY });
    expect(balanced(text), text).toBe(true);
    expect(text).not.toContain(KEY);
    expect(text).toContain('[cause]: TypeError: fetch failed for Bearer [redacted]');
    expect(text).toContain("sent: 'Bearer [redacted]',");
    expect(text).toContain("hint: 'the proxy said no',");
  });
});

describe('refusals do not quote what they refuse', () => {
  /** The error `attempt` throws, at once or through the promise it returns. */
  function refusalOf(attempt: () => unknown): Promise<unknown> {
    let pending: unknown;
    try {
      pending = attempt();
    } catch (error) {
      return Promise.resolve(error);
    }
    return rejectionOf(pending as Promise<unknown>);
  }

  it.each([
    ['an API key with a line break', `${KEY}\n`, () => client('http://127.0.0.1:9', { apiKey: `${KEY}\n` })],
    [
      'a JWT from a token function, with a trailing space',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl',
      () => client('http://127.0.0.1:9', { apiKey: () => 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl ' }).webhooks.list(),
    ],
    ['a header value with a line break', KEY, () => client('http://127.0.0.1:9').webhooks.list({ headers: { 'x-session': `${KEY}\r\n` } })],
    [
      'a header value outside Latin-1',
      'secret-value',
      () => client('http://127.0.0.1:9').webhooks.list({ headers: { 'x-note': 'naïve ✓ secret-value' } }),
    ],
    ['a baseUrl with a user name and password', 'hunter2pw', () => client('http://admin:hunter2pw@127.0.0.1:9/v1')],
    ['a baseUrl with a query', 'secret-tenant', () => client('http://127.0.0.1:9/v1?tenant=secret-tenant')],
    ['a malformed baseUrl', 'hunter2pw', () => client('admin:hunter2pw@nowhere')],
    [
      "a raw call's per-call baseUrl with a password",
      'hunter2pw',
      () => client('http://127.0.0.1:9').raw.GET('/webhooks', { baseUrl: 'http://admin:hunter2pw@127.0.0.1:9?tenant=a' } as never),
    ],
  ])('%s', async (_what, secret, attempt) => {
    const error = await refusalOf(attempt);
    expect(error).toBeInstanceOf(KrosValidationError);
    expectNoSecret(error, secret);
  });
});

describe('a credential that a server or a custom fetch echoes', () => {
  it("is redacted from a custom fetch's error message, the original kept as cause", async () => {
    const chatty = new Error('boom');
    const fetchThatTalks: typeof fetch = async (_input, init) => {
      chatty.message = `request failed; headers were ${JSON.stringify(Object.fromEntries(new Headers(init?.headers)))}`;
      throw chatty;
    };
    const kros = client('http://127.0.0.1:9', { fetch: fetchThatTalks, authHeader: 'x-api-key' });
    const error = (await rejectionOf(kros.webhooks.list())) as KrosConnectionError;
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect(error.message).toContain('"x-api-key":"[redacted]"');
    expect(error.message).not.toContain(KEY);
    expect(error.cause).toBe(chatty);
  });

  it('is redacted from the message and the details of a 401 whose body echoes it', async () => {
    const token = 'opaque-session-token-0123456789';
    const api = await serve((request, response) => {
      const sent = String(request.headers.authorization);
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `invalid credential ${sent}`, code: 'UNAUTHORIZED', details: { received: sent } }));
    });
    const error = (await rejectionOf(client(api.url, { apiKey: () => token }).webhooks.list())) as KrosApiError;
    expect(error.message).toBe(`GET /webhooks → 401 invalid credential Bearer [redacted] (${new URL(api.url).host})`);
    expect(error.details).toEqual({ received: 'Bearer [redacted]' });
  });

  // What a debugging proxy or a hostile server that reflects request headers into its answer sends;
  // a logger may print error.headers, and toJSON writes the request id.
  it.each(['www-authenticate', 'x-request-id'])(
    'is redacted from a %s response header, in error.headers and every rendering',
    async (name) => {
      const api = await serve((request, response) => {
        response.writeHead(401, { 'content-type': 'application/json', [name]: `req_1 error="revoked: ${request.headers.authorization}"` });
        response.end(JSON.stringify({ error: 'Unauthorized', code: 'UNAUTHORIZED' }));
      });
      const error = (await rejectionOf(client(api.url).webhooks.list())) as KrosApiError;
      expect(error).toBeInstanceOf(KrosApiError);
      expect(error.headers.get(name)).toContain('revoked: Bearer [redacted]');
      expect(inspect(error.headers)).not.toContain(KEY);
      expectNoSecret(error);
    },
  );
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
    const target = respond === 'refused' || respond === 'chatty fetch' ? await serve() : await serve(respond);
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
    const error = await rejectionOf(kros.webhooks.list());
    for (const text of [...renderings(error), ...log]) expect(text).not.toContain(canary);
    expect(inspect(kros, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(canary);
  });
});

describe('redaction of text a server picks is linear in its size', () => {
  // A redacting pattern that backtracks took 4 s over 48 KiB of whitespace, and would take about
  // half an hour over 1 MiB; a linear one takes milliseconds. The call runs in a process of its own
  // (the built package), killed after a generous SAFETY_MS: a stuck regex would block this one.
  const MiB = 1024 * 1024;
  const SAFETY_MS = 30_000;

  /** How a list call against `baseUrl` ended, in a child process; `chattyBytes`: its fetch throws a message of that many line breaks. */
  function callInChild(baseUrl: string, chattyBytes = 0): Promise<{ name?: string; killed: boolean }> {
    const entry = join(ROOT, 'dist/node/index.js');
    const script = `
      const { createKrosClient } = await import(${JSON.stringify(entry)});
      const [baseUrl, chattyBytes] = process.argv.slice(1);
      const chatty = async () => { throw new Error('failed:' + '\\n'.repeat(Number(chattyBytes)) + 'end'); };
      const fetch = Number(chattyBytes) ? chatty : globalThis.fetch;
      const kros = createKrosClient({ baseUrl, apiKey: ${JSON.stringify(KEY)}, maxRetries: 0, fetch });
      const error = await kros.webhooks.list().catch((error) => error);
      console.log(JSON.stringify({ name: error?.name }));`;
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script, baseUrl, String(chattyBytes)],
        { timeout: SAFETY_MS },
        (error, stdout) => resolve(error ? { killed: Boolean(error.killed) } : { ...JSON.parse(stdout), killed: false }),
      );
    });
  }

  it.each([
    ['a 400 whose JSON error is 1 MiB of spaces', reply(400, { error: ' '.repeat(MiB), code: 'BAD' }), 'KrosBadRequestError'],
    ['a 502 text body of "eyJ" repeated over 1 MiB (as from a proxy)', reply(502, 'eyJ'.repeat(MiB / 3)), 'KrosInternalServerError'],
  ])(
    'turns %s into its KrosApiError',
    async (_what, respond, name) => {
      const api = await serve(respond);
      expect(await callInChild(api.url)).toEqual({ name, killed: false });
    },
    60_000,
  );

  it("turns a custom fetch's 1 MiB whitespace error message (a chatty polyfill's dump) into a KrosConnectionError", async () => {
    expect(await callInChild('http://127.0.0.1:9', MiB)).toEqual({ name: 'KrosConnectionError', killed: false });
  }, 60_000);
});

describe('the testing kit records no credential', () => {
  it.each(['authorization', 'x-api-key'] as const)(
    '%s: the mock’s requests, what onRequest sees, and inspect of the mock are redacted',
    async (authHeader) => {
      const seen: unknown[] = [];
      const mock = createMockKrosApi({ onRequest: (request) => seen.push(structuredClone(request)) });
      const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: KEY, authHeader });
      await kros.webhooks.create({ url: 'https://example.com/h', events: ['call.completed'] });
      await kros.webhooks.list();
      const server = await mock.listen();
      try {
        await createKrosClient({ baseUrl: server.url, apiKey: KEY, authHeader }).webhooks.list();
      } finally {
        await server.close();
      }
      expect(mock.requests).toHaveLength(3);
      for (const text of [
        JSON.stringify(mock.requests),
        JSON.stringify(seen),
        inspect(mock, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      ]) {
        expect(text).not.toContain(KEY);
      }
    },
  );
});
