/**
 * Attacks on the three speed changes: `kros.raw` checking per-call headers in a copy of the client,
 * served responses sharing one prototype, and the verifier hashing bytes where they lie.
 */
import type { KrosClientOptions } from '@krosai/cockpit';
import { KrosSignatureError, signWebhookPayload, verifyWebhook } from '@krosai/cockpit/webhooks';
import { describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
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

describe('the verifier under a forged delivery', () => {
  const SECRET = 'whsec_attack_perf_secret';
  const NOW = { now: new Date('2026-01-01T12:00:00Z') };
  const MIB = 1024 * 1024;

  it('spends on a badly signed 1 MiB body of invalid UTF-8 a small fraction of a valid 1 MiB delivery', async () => {
    const head = JSON.stringify({ id: 'evt_1', event: 'call.completed', timestamp: '2026-01-01T12:00:00Z', data: { pad: '' } });
    const valid = Buffer.from(head.replace('"pad":""', `"pad":"${'x'.repeat(MIB - head.length)}"`));
    const forged = Buffer.alloc(MIB, 0xff); // each byte decodes to U+FFFD, UTF-8's slowest path
    const signature = await signWebhookPayload(valid, SECRET);
    const bogus = `sha256=${'0'.repeat(64)}`;
    const times: [number[], number[]] = [[], []];
    // Interleaved, medians: drift on a busy machine hits both alike.
    for (let run = 0; run < 9; run++) {
      let started = performance.now();
      expect(await rejectionOf(verifyWebhook(forged, bogus, SECRET, NOW))).toBeInstanceOf(KrosSignatureError);
      times[0].push(performance.now() - started);
      started = performance.now();
      await verifyWebhook(valid, signature, SECRET, NOW);
      times[1].push(performance.now() - started);
    }
    const [forgedMs, validMs] = times.map((list) => list.sort((a, b) => a - b)[4] as number) as [number, number];
    expect(forgedMs / validMs).toBeLessThan(0.5);
  });
});
