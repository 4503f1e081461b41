/**
 * Attacks on the three speed changes: `kros.raw` checking per-call headers in a copy of the client,
 * served responses sharing one prototype, and the verifier hashing bytes where they lie.
 */
import type { KrosClientOptions } from '@krosai/cockpit';
import { describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { reply, type TestServer } from './helpers/server.ts';

const KEY = 'kros_live_ATTACKPERF42';
const ORG = '11111111-1111-4111-8111-111111111111';
const _OTHER_ORG = '22222222-2222-4222-8222-222222222222';
const WEBHOOK = { id: 'wh_1', url: 'https://example.com/hooks' };

const serve = serversPerTest();
function clientOf(server: TestServer, options: KrosClientOptions = {}) {
  return loggingClient({ baseUrl: server.url, apiKey: KEY, organizationId: ORG, maxRetries: 0, timeoutMs: 1000, ...options });
}

describe('served responses from a custom fetch', () => {
  it('answers from memory for a response-like object that holds its body and methods as own properties', async () => {
    const api = await serve(reply(200, [WEBHOOK]));
    // A fetch adapter that hands back a plain object, its methods reading the body stream.
    const adapter = (async (url: string, init: RequestInit) => {
      const { ok, status, statusText, headers, body, type } = await fetch(url, init);
      const text = () => new Response(body).text();
      return {
        ok,
        status,
        statusText,
        headers,
        body,
        type,
        redirected: false,
        bodyUsed: false,
        text,
        json: async () => JSON.parse(await text()),
      };
    }) as unknown as typeof fetch;
    const { kros } = clientOf(api, { fetch: adapter });
    const { data, response } = await kros.raw.GET('/webhooks');
    expect(data).toEqual([WEBHOOK]);
    expect(await response.json()).toEqual([WEBHOOK]);
    expect(await new Response(response.body).json()).toEqual([WEBHOOK]);
  });
});
