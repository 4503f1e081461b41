import { inspect } from 'node:util';
import { createKrosClient, type KrosClientOptions } from '@krosai/cockpit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';
import { reply, startServer, type TestServer } from './helpers/server.ts';

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
