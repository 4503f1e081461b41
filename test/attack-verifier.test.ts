/**
 * Attacks on the verifier as a forged delivery would make them. Tests that state a guarantee the
 * code does not keep FAIL on the current code; the `holds:` ones pass and document what held.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KrosSignatureError, KrosValidationError, signWebhookPayload, verifyWebhook, verifyWebhookRequest } from '@krosai/cockpit/webhooks';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';

const SECRET = 'whsec_attack_verifier_secret';
const NOW = new Date('2026-01-01T12:00:00Z');
const envelope = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'evt_1', event: 'call.completed', timestamp: '2026-01-01T12:00:00Z', data: {}, ...overrides });
const BOGUS = `sha256=${'0'.repeat(64)}`;

async function reason(pending: Promise<unknown>) {
  const error = await rejectionOf(pending);
  expect(error).toBeInstanceOf(KrosSignatureError);
  return (error as KrosSignatureError).reason;
}

describe('holds: signature header parsing', () => {
  it('accepts the valid entry among unknown schemes, junk tokens, tabs and upper case', async () => {
    const body = envelope();
    const good = await signWebhookPayload(body, SECRET);
    const shouted = `SHA256=${good.slice(7).toUpperCase()}`;
    await expect(verifyWebhook(body, `v1=abc,\tjunk ${shouted}`, SECRET, { now: NOW })).resolves.toMatchObject({ id: 'evt_1' });
    await expect(verifyWebhook(body, { 'X-Webhook-Signature': [BOGUS, good] }, SECRET, { now: NOW })).resolves.toBeTruthy();
  });

  it.each([
    ['empty', '', 'missing_signature'],
    ['only separators', ' , ,\t', 'missing_signature'],
    ['a short digest', 'sha256=abc', 'malformed_signature'],
    ['a digest with a suffix', `${BOGUS};t=1`, 'malformed_signature'],
    ['a digest of 65 digits', `${BOGUS}0`, 'malformed_signature'],
    ['non-hex', `sha256=${'g'.repeat(64)}`, 'malformed_signature'],
    ['only other schemes', 'v1=abc sha512=def', 'malformed_signature'],
    ['nine entries', Array(9).fill(BOGUS).join(','), 'malformed_signature'],
    ['eight bogus entries', Array(8).fill(BOGUS).join(','), 'signature_mismatch'],
  ])('%s → %s', async (_what, header, expected) => {
    expect(await reason(verifyWebhook(envelope(), header, SECRET, { now: NOW }))).toBe(expected);
  });

  it('a 64 KiB header of separators and junk is parsed in linear time', async () => {
    const started = performance.now();
    await reason(verifyWebhook(envelope(), `${' ,'.repeat(16 * 1024)}${'x'.repeat(32 * 1024)}`, SECRET, { now: NOW }));
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('holds: bounded cost for a hostile unsigned request', () => {
  it('8 bogus entries, a 1 MiB body and 2 secrets cost at most a few normal verifications', async () => {
    const body = JSON.stringify({ id: 'e', event: 'x', timestamp: '2026-01-01T12:00:00Z', data: { pad: 'a'.repeat(1024 * 1024 - 100) } });
    const good = await signWebhookPayload(body, SECRET);
    const time = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < 5; i++) await run().catch(() => undefined);
      return performance.now() - started;
    };
    await time(() => verifyWebhook(body, good, SECRET, { now: NOW })); // warm up
    const normal = await time(() => verifyWebhook(body, good, SECRET, { now: NOW }));
    const hostile = await time(() => verifyWebhook(body, Array(8).fill(BOGUS).join(','), [SECRET, `${SECRET}_old`], { now: NOW }));
    expect(hostile).toBeLessThan(normal * 4 + 50);
  });
});

describe('holds: body size accounting with multi-byte strings', () => {
  const LIMIT = 1_048_576;
  it.each([
    ['three-byte characters', '€', 3],
    ['astral characters (4 bytes, 2 UTF-16 units)', '😀', 4],
    ['lone surrogates (encoded as 3-byte U+FFFD)', '\uD800', 3],
  ])('%s: a body one character over the limit in UTF-8 is refused, one under is not', async (_what, char, bytes) => {
    const over = char.repeat(Math.floor(LIMIT / bytes) + 1);
    expect(await reason(verifyWebhook(over, BOGUS, SECRET))).toBe('invalid_payload');
    const under = char.repeat(Math.floor(LIMIT / bytes));
    expect(await reason(verifyWebhook(under, BOGUS, SECRET))).toBe('signature_mismatch');
  });

  it('a string hashes as the same bytes its UTF-8 encoding does, lone surrogates included', async () => {
    const body = envelope({ data: { text: 'a\uD800b😀€' } });
    const signature = await signWebhookPayload(new TextEncoder().encode(body), SECRET);
    await expect(verifyWebhook(body, signature, SECRET, { now: NOW })).resolves.toBeTruthy();
  });
});

describe('holds: timestamps', () => {
  it.each([
    ['no zone', '2026-01-01T12:00:00', 'invalid_payload'],
    ['a +hhmm offset without colon', '2026-01-01T12:00:00+0000', 'invalid_payload'],
    ['an impossible offset', '2026-01-01T12:00:00+99:99', 'invalid_payload'],
    ['out of Date range', '+275761-01-01T00:00:00Z', 'invalid_payload'],
    ['a number', 1767268800, 'invalid_payload'],
    ['an hour in the future', '2026-01-01T13:00:00Z', 'timestamp_out_of_tolerance'],
    ['an hour ago written with an offset', '2026-01-01T12:00:00+01:00', 'timestamp_out_of_tolerance'],
  ])('%s → %s', async (_what, timestamp, expected) => {
    const body = envelope({ timestamp });
    expect(await reason(verifyWebhook(body, await signWebhookPayload(body, SECRET), SECRET, { now: NOW }))).toBe(expected);
  });

  it('fails closed on an invalid now, NaN or negative tolerance', async () => {
    const body = envelope();
    const signature = await signWebhookPayload(body, SECRET);
    for (const options of [{ now: new Date(Number.NaN) }, { now: NOW, toleranceSeconds: Number.NaN }, { now: NOW, toleranceSeconds: -1 }]) {
      expect(await reason(verifyWebhook(body, signature, SECRET, options))).toBe('timestamp_out_of_tolerance');
    }
  });
});

describe('verifyWebhookRequest against a real socket', () => {
  /** A server whose handler verifies with verifyWebhookRequest, on a Fetch Request built from the socket. */
  async function receiver() {
    const outcomes: string[] = [];
    const server = createServer(async (incoming, outgoing) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          incoming.on('data', (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
          incoming.on('end', () => controller.close());
          incoming.on('error', (error) => controller.error(error));
        },
        cancel() {
          incoming.destroy();
        },
      });
      const headers = new Headers(incoming.headers as Record<string, string>);
      const request = new Request('http://receiver/hooks', { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
      const started = performance.now();
      const outcome = await verifyWebhookRequest(request, SECRET, { now: NOW }).then(
        () => 'ok',
        (error: KrosSignatureError) => error.reason ?? error.name,
      );
      outcomes.push(`${outcome} after ${Math.round(performance.now() - started)} ms`);
      outgoing.writeHead(outcome === 'ok' ? 204 : 400).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    return {
      url,
      outcomes,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
    };
  }

  it('holds: an unsigned request whose body never ends is refused at once, unread', async () => {
    const target = await receiver();
    try {
      // The client keeps its body open for ever; the receiver must answer without waiting for it.
      const never = new ReadableStream({
        start: (controller) => controller.enqueue(new Uint8Array(10)),
        pull: () => new Promise(() => {}),
      });
      const controller = new AbortController();
      fetch(target.url, { method: 'POST', body: never, duplex: 'half', signal: controller.signal } as RequestInit).catch(() => undefined);
      const started = performance.now();
      while (!target.outcomes.length && performance.now() - started < 2_000) await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      expect(target.outcomes[0]).toMatch(/^missing_signature after \d+ ms/);
    } finally {
      await target.close();
    }
  });

  it('holds: a signed-looking request streaming 8 MiB without Content-Length is cut at maxBodyBytes', async () => {
    const target = await receiver();
    try {
      let sent = 0;
      const big = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 8 * 1024 * 1024) return controller.close();
          sent += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'x-webhook-signature': BOGUS },
        body: big,
        duplex: 'half',
      } as RequestInit).catch((error: Error) => error);
      expect(target.outcomes[0]).toMatch(/^invalid_payload/);
      if (!(response instanceof Error)) expect(response.status).toBe(400);
      expect(sent).toBeLessThan(8 * 1024 * 1024);
    } finally {
      await target.close();
    }
  });

  it('a request whose body stream is locked by the framework gives KrosValidationError, not a raw TypeError', async () => {
    const body = envelope();
    const request = new Request('http://receiver/hooks', {
      method: 'POST',
      headers: { 'x-webhook-signature': await signWebhookPayload(body, SECRET) },
      body,
    });
    request.body?.getReader(); // a middleware that peeked at the stream
    const error = await rejectionOf(verifyWebhookRequest(request, SECRET, { now: NOW }));
    expect(error).toBeInstanceOf(KrosValidationError);
  });
});
