import { createHmac } from 'node:crypto';
import {
  KrosSignatureError,
  KrosTimeoutError,
  KrosValidationError,
  type SignatureFailureReason,
  signWebhookPayload,
  verifyWebhook,
  verifyWebhookRequest,
  type WebhookDelivery,
} from '@krosai/cockpit/webhooks';
import fc from 'fast-check';
import { describe, expect, inject, it, vi } from 'vitest';
import vectors from './fixtures/signature-vectors.json' with { type: 'json' };
import { rejectionOf } from './helpers/rejection.ts';

const SIGNED_AT = new Date('2026-01-01T12:00:00Z');
const at = (secondsAfterSigning: number) => ({ now: new Date(SIGNED_AT.getTime() + secondsAfterSigning * 1000) });
const [vector] = vectors as [(typeof vectors)[number]];
const SECRET = vector.secret;

/** A delivery body signed at SIGNED_AT unless overridden, serialised compactly. */
const envelope = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'evt_1', event: 'call.completed', timestamp: SIGNED_AT.toISOString(), data: {}, ...overrides });

async function refusal(pending: Promise<unknown>): Promise<KrosSignatureError> {
  const error = await rejectionOf(pending);
  expect(error).toBeInstanceOf(KrosSignatureError);
  return error as KrosSignatureError;
}

describe(`webhook signatures with ${inject('hmac')}`, () => {
  it('computes the HMAC with the module of its runtime', async () => {
    const subtleSign = vi.spyOn(crypto.subtle, 'sign');
    try {
      await verifyWebhook(vector.body, vector.signature, SECRET, at(0));
      expect(subtleSign).toHaveBeenCalledTimes(inject('hmac') === 'Web Crypto' ? 1 : 0);
    } finally {
      subtleSign.mockRestore();
    }
  });

  const expectReason = async (pending: Promise<unknown>, reason: SignatureFailureReason) =>
    expect((await refusal(pending)).reason).toBe(reason);

  describe('vectors from an independent implementation', () => {
    it.each(vectors)('verifies "$name"', async ({ body, secret, signature }) => {
      const delivery = await verifyWebhook(body, signature, secret, at(0));
      expect(delivery).toEqual(JSON.parse(body));
    });

    it.each(vectors)('signs "$name" identically', async ({ body, secret, signature }) => {
      expect(await signWebhookPayload(body, secret)).toBe(signature);
      expect(await signWebhookPayload(new TextEncoder().encode(body), secret)).toBe(signature);
    });
  });

  describe('raw body forms', () => {
    it.each([
      ['a string', () => vector.body],
      ['a Uint8Array', () => new TextEncoder().encode(vector.body)],
      ['a Node Buffer', () => Buffer.from(vector.body)],
      ['an ArrayBuffer', () => new TextEncoder().encode(vector.body).buffer],
    ])('accepts %s', async (_form, body) => {
      expect((await verifyWebhook(body(), vector.signature, SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
    });

    it('reads only its own bytes of a Buffer slice with a non-zero byteOffset', async () => {
      const pooled = Buffer.from(`garbage before${vector.body}garbage after`);
      const slice = pooled.subarray('garbage before'.length, 'garbage before'.length + Buffer.byteLength(vector.body));
      expect(slice.byteOffset).toBeGreaterThan(0);
      expect((await verifyWebhook(slice, vector.signature, SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
    });

    it('refuses a parsed object with an error that explains the raw-body mistake and names express.json()', async () => {
      const error = await rejectionOf(verifyWebhook(JSON.parse(vector.body), vector.signature, SECRET, at(0)));
      expect(error).toBeInstanceOf(KrosValidationError);
      expect((error as Error).message).toMatch(/^the raw body is a parsed object: .*express\.json\(\)/);
    });

    it.each([undefined, null])('refuses a missing body (%s) with an error that says there is none', async (missing) => {
      const error = await rejectionOf(verifyWebhook(missing as unknown as string, vector.signature, SECRET, at(0)));
      expect(error).toBeInstanceOf(KrosValidationError);
      expect((error as Error).message).toMatch(/^the raw body is missing: .*express\.json\(\)/);
    });

    it('refuses a body whose buffer was transferred away, with an error that says so', async () => {
      for (const detached of [new TextEncoder().encode(vector.body), new TextEncoder().encode(vector.body).buffer]) {
        structuredClone(detached, { transfer: [ArrayBuffer.isView(detached) ? detached.buffer : detached] });
        const error = await rejectionOf(verifyWebhook(detached, vector.signature, SECRET, at(0)));
        expect(error).toBeInstanceOf(KrosValidationError);
        expect((error as Error).message).toMatch(/^the raw body's buffer was transferred/);
      }
    });

    it('refuses an object that only looks like bytes as a parsed object, not as a bad signature', async () => {
      const error = await rejectionOf(verifyWebhook({ byteLength: 3 } as unknown as ArrayBuffer, vector.signature, SECRET, at(0)));
      expect(error).toBeInstanceOf(KrosValidationError);
      expect((error as Error).message).toMatch(/^the raw body is a parsed object/);
    });

    it('accepts a body on a SharedArrayBuffer, or a view of one', async () => {
      const shared = new SharedArrayBuffer(Buffer.byteLength(vector.body));
      new Uint8Array(shared).set(Buffer.from(vector.body));
      expect((await verifyWebhook(shared as unknown as ArrayBuffer, vector.signature, SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
      expect((await verifyWebhook(new Uint8Array(shared), vector.signature, SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
    });

    it('hashes a string as the bytes of its UTF-8 encoding, lone surrogates included', async () => {
      const body = envelope({ data: { text: 'a\uD800b😀€' } });
      const signature = await signWebhookPayload(new TextEncoder().encode(body), SECRET);
      await expect(verifyWebhook(body, signature, SECRET, at(0))).resolves.toBeTruthy();
    });

    it('takes options = null as no options', async () => {
      const body = envelope({ timestamp: new Date().toISOString() });
      const signature = await signWebhookPayload(body, SECRET);
      expect((await verifyWebhook(body, signature, SECRET, null as unknown as undefined)).id).toBe('evt_1');
      const request = new Request('https://receiver.example/hooks', {
        method: 'POST',
        headers: { 'x-webhook-signature': signature },
        body,
      });
      expect((await verifyWebhookRequest(request, SECRET, null as unknown as undefined)).id).toBe('evt_1');
    });

    // A secret seen before (its key ready), one never seen (its key still to import), and a rotation
    // whose second secret signed the delivery (hashed after the first one's await).
    it.each([
      ['a secret seen before', () => SECRET],
      ['a secret never seen before', () => `whsec_fresh_${Math.random()}`],
      ['the second of two secrets', () => SECRET, (secret: string) => [`${secret}_new`, secret]],
    ])(
      'returns the bytes it verified, whenever the caller rewrites its buffer during verification: %s',
      async (_, secretFor, secretsFor = (secret: string) => [secret]) => {
        const signed = envelope({ data: { amount: 1 } });
        const forged = signed.replace('"amount":1', '"amount":9');
        const rewriteAfter = [0, 1, 2, 3, 4, 6, 8, 12].map((ticks) => async () => {
          for (let i = 0; i < ticks; i++) await Promise.resolve();
        });
        rewriteAfter.push(() => new Promise((resolve) => setImmediate(resolve)));
        for (const wait of rewriteAfter) {
          const secret = secretFor();
          // Signed here, not with signWebhookPayload, which would import the fresh secret's key.
          const signature = `sha256=${createHmac('sha256', secret).update(signed).digest('hex')}`;
          const buffer = Buffer.from(signed);
          const verifying = verifyWebhook(buffer, signature, secretsFor(secret), at(0));
          await wait();
          buffer.write(forged);
          expect((await verifying).data).toEqual({ amount: 1 });
        }
      },
    );
  });

  describe('byte bodies verified one after another and side by side', () => {
    const signedBytes = async (amount: number, padding = '') => {
      const body = envelope({ data: { amount, padding } });
      return { bytes: Buffer.from(body), signature: await signWebhookPayload(body, SECRET) };
    };

    it('returns each delivery its own bytes when others start while it is verified, awaiting a second secret', async () => {
      const amounts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
      const [first, ...others] = await Promise.all(amounts.map((amount) => signedBytes(amount)));
      // Verified once first: a verifier that keeps state between verifications then has some to share.
      await verifyWebhook(first?.bytes as Buffer, first?.signature as string, SECRET, at(0));
      const verifying = [verifyWebhook(first?.bytes as Buffer, first?.signature as string, [`${SECRET}_old`, SECRET], at(0))];
      // One more verification a tick later each time, so that one starts at every step of the first.
      for (const { bytes, signature } of others) {
        await Promise.resolve();
        verifying.push(verifyWebhook(bytes, signature, SECRET, at(0)));
      }
      expect((await Promise.all(verifying)).map(({ data }) => data.amount)).toEqual(amounts);
    });

    it('signs each body’s own bytes when signatures are made side by side, each with a secret not seen before', async () => {
      const bodies = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((amount) => Buffer.from(envelope({ data: { amount } })));
      // Signed once first: a signer that keeps state between signatures then has some to share.
      await signWebhookPayload(bodies[0] as Buffer, SECRET);
      // A new secret each: the Web Crypto build awaits its key's import before it hashes, as the Node build awaits node:crypto.
      const secrets = bodies.map((_, i) => `${SECRET}_side_by_side_${i}`);
      const signing = bodies.map((body, i) => signWebhookPayload(body, secrets[i] as string));
      const expected = bodies.map(
        (body, i) =>
          `sha256=${createHmac('sha256', secrets[i] as string)
            .update(body)
            .digest('hex')}`,
      );
      expect(await Promise.all(signing)).toEqual(expected);
    });

    it('reads only a body’s own length after a longer body was verified', async () => {
      const long = await signedBytes(1, 'x'.repeat(10_000));
      const short = await signedBytes(2);
      await verifyWebhook(long.bytes, long.signature, SECRET, at(0));
      expect((await verifyWebhook(short.bytes, short.signature, SECRET, at(0))).data).toEqual({ amount: 2, padding: '' });
    });

    it('verifies the next body after a refused one', async () => {
      const { bytes, signature } = await signedBytes(1);
      await refusal(verifyWebhook(Buffer.from(envelope({ data: { amount: 9 } })), signature, SECRET, at(0)));
      expect((await verifyWebhook(bytes, signature, SECRET, at(0))).data).toEqual({ amount: 1, padding: '' });
    });
  });

  describe('signature header lookup', () => {
    it.each([
      ['Fetch Headers', () => new Headers({ 'X-Webhook-Signature': vector.signature })],
      ['Node lower-case headers', () => ({ 'x-webhook-signature': vector.signature, 'content-type': 'application/json' })],
      ['a mixed-case record', () => ({ 'X-Webhook-Signature': vector.signature })],
      ['an array value', () => ({ 'x-webhook-signature': [`sha256=${'0'.repeat(64)}`, vector.signature] })],
      ['a comma-joined repeated header', () => ({ 'x-webhook-signature': `sha256=${'0'.repeat(64)}, ${vector.signature}` })],
      ['the header value itself', () => vector.signature],
      ['upper-case hex', () => `SHA256=${vector.signature.slice('sha256='.length).toUpperCase()}`],
      ['entries split by tabs, among junk tokens and other schemes', () => `v1=abc,\tjunk ${vector.signature}`],
    ])('finds it in %s', async (_form, headers) => {
      expect((await verifyWebhook(vector.body, headers(), SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
    });

    it.each([
      ['v1=', `v1=${'a'.repeat(64)}`],
      ['sha512=', `sha512=${'b'.repeat(128)}`],
      ['a future scheme with an odd value', 't=1767268800'],
    ])('ignores an entry of another scheme (%s) beside a valid sha256= entry', async (_scheme, entry) => {
      expect((await verifyWebhook(vector.body, `${entry}, ${vector.signature}`, SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
      expect((await verifyWebhook(vector.body, `${vector.signature},${entry}`, SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
    });

    it('refuses a header with entries of other schemes only as malformed_signature', async () => {
      await expectReason(
        verifyWebhook(vector.body, `v1=${'a'.repeat(64)}, sha512=${'b'.repeat(128)}`, SECRET, at(0)),
        'malformed_signature',
      );
    });

    it('refuses a 64 KiB header of separators and junk as malformed_signature', async () => {
      await expectReason(
        verifyWebhook(vector.body, `${' ,'.repeat(16 * 1024)}${'x'.repeat(32 * 1024)}`, SECRET, at(0)),
        'malformed_signature',
      );
    });
  });

  describe('refusals', () => {
    it('refuses a delivery without a signature header', async () => {
      await expectReason(verifyWebhook(vector.body, { 'content-type': 'application/json' }, SECRET, at(0)), 'missing_signature');
      await expectReason(verifyWebhook(vector.body, new Headers(), SECRET, at(0)), 'missing_signature');
      await expectReason(verifyWebhook(vector.body, '', SECRET, at(0)), 'missing_signature');
      await expectReason(verifyWebhook(vector.body, ' , ,\t', SECRET, at(0)), 'missing_signature');
    });

    it.each([
      'sha256=xyz',
      `sha256=${'a'.repeat(63)}`,
      `sha256=${'a'.repeat(65)}`,
      `sha256=${'g'.repeat(64)}`,
      `${vector.signature};t=1`,
      `md5=${'a'.repeat(32)}`,
      vector.signature.slice('sha256='.length),
    ])('refuses the malformed signature %s', async (signature) => {
      await expectReason(verifyWebhook(vector.body, signature, SECRET, at(0)), 'malformed_signature');
    });

    it('refuses a body signed with another secret', async () => {
      await expectReason(verifyWebhook(vector.body, vector.signature, 'whsec_other', at(0)), 'signature_mismatch');
    });

    it('explains the usual cause of a mismatch: a re-serialised body', async () => {
      const reserialised = JSON.stringify(JSON.parse(vectors[1]!.body));
      const error = await refusal(verifyWebhook(reserialised, vectors[1]!.signature, SECRET, at(0)));
      expect(error.reason).toBe('signature_mismatch');
      expect(error.message).toContain('pass the raw body, not re-serialised JSON');
      expect(error.message).not.toContain(SECRET);
    });

    it('refuses a delivery older than the tolerance', async () => {
      await expectReason(verifyWebhook(vector.body, vector.signature, SECRET, at(301)), 'timestamp_out_of_tolerance');
    });

    it('refuses a delivery from further in the future than the tolerance', async () => {
      await expectReason(verifyWebhook(vector.body, vector.signature, SECRET, at(-301)), 'timestamp_out_of_tolerance');
    });

    it('accepts a delivery within the tolerance either way', async () => {
      await expect(verifyWebhook(vector.body, vector.signature, SECRET, at(299))).resolves.toBeDefined();
      await expect(verifyWebhook(vector.body, vector.signature, SECRET, at(-299))).resolves.toBeDefined();
    });

    it.each([Number.NaN, -1])('refuses every delivery when the tolerance is %s, failing closed', async (toleranceSeconds) => {
      await expectReason(
        verifyWebhook(vector.body, vector.signature, SECRET, { ...at(0), toleranceSeconds }),
        'timestamp_out_of_tolerance',
      );
    });

    it('refuses every delivery when now is an invalid Date, failing closed', async () => {
      await expectReason(verifyWebhook(vector.body, vector.signature, SECRET, { now: new Date(Number.NaN) }), 'timestamp_out_of_tolerance');
    });

    it('accepts an old delivery when the tolerance is widened for queued processing', async () => {
      await expect(verifyWebhook(vector.body, vector.signature, SECRET, { ...at(3_000), toleranceSeconds: 3_600 })).resolves.toBeDefined();
    });

    it.each([
      ['not JSON', 'call.completed at noon'],
      ['JSON without a timestamp', JSON.stringify({ id: 'evt_1', event: 'call.completed', data: {} })],
      ['an unparsable timestamp', JSON.stringify({ id: 'evt_1', event: 'call.completed', timestamp: 'yesterday', data: {} })],
      ['not an envelope', JSON.stringify([1, 2, 3])],
      ['a timestamp without a zone, which would be read in local time', envelope({ timestamp: '2026-01-01T12:00:00' })],
      ['a timestamp with a +hhmm offset without colon', envelope({ timestamp: '2026-01-01T12:00:00+0000' })],
      ['a timestamp with an impossible offset', envelope({ timestamp: '2026-01-01T12:00:00+99:99' })],
      ['a timestamp out of Date range', envelope({ timestamp: '+275761-01-01T00:00:00Z' })],
      ['a timestamp that is a number', envelope({ timestamp: 1767268800 })],
    ])('refuses a correctly signed body that is %s', async (_what, body) => {
      await expectReason(verifyWebhook(body, await signWebhookPayload(body, SECRET), SECRET, at(0)), 'invalid_payload');
    });

    it.each(['UTC', 'America/New_York', 'Asia/Kolkata'])(
      'refuses a timestamp that is not an RFC 3339 date-time with a zone, whatever the time zone (TZ=%s)',
      async (tz) => {
        const before = process.env.TZ;
        process.env.TZ = tz;
        try {
          // Date.parse reads `(` as the start of a comment: this ends in Z but is read in local time.
          for (const timestamp of [
            'Jan 1 2026 12:00:00 (Z',
            'Thu, 01 Jan 2026 12:00:00 GMT',
            '2026-01-01 12:00:00Z',
            '2026-01-01T12:00Z',
          ]) {
            const body = envelope({ timestamp });
            await expectReason(verifyWebhook(body, await signWebhookPayload(body, SECRET), SECRET, at(0)), 'invalid_payload');
          }
          const body = envelope({ timestamp: '2026-01-01T07:00:00.250-05:00' });
          expect((await verifyWebhook(body, await signWebhookPayload(body, SECRET), SECRET, at(0))).id).toBe('evt_1');
        } finally {
          process.env.TZ = before;
        }
      },
    );

    it('reads a timestamp with an offset as that instant', async () => {
      const body = envelope({ timestamp: '2026-01-01T13:00:00+01:00' });
      await expect(verifyWebhook(body, await signWebhookPayload(body, SECRET), SECRET, at(0))).resolves.toBeDefined();
      await expectReason(verifyWebhook(body, await signWebhookPayload(body, SECRET), SECRET, at(3_601)), 'timestamp_out_of_tolerance');
    });
  });

  describe('secret rotation', () => {
    it('accepts a delivery signed with any of the secrets given', async () => {
      expect((await verifyWebhook(vector.body, vector.signature, ['whsec_new', SECRET], at(0))).id).toBe('evt_01HZX3Q6W3');
      expect((await verifyWebhook(vector.body, vector.signature, [SECRET, 'whsec_new'], at(0))).id).toBe('evt_01HZX3Q6W3');
    });

    it('refuses a delivery signed with none of them', async () => {
      await expectReason(verifyWebhook(vector.body, vector.signature, ['whsec_new', 'whsec_newer'], at(0)), 'signature_mismatch');
    });

    it('refuses an empty secret list as a programming error', async () => {
      await expect(verifyWebhook(vector.body, vector.signature, [], at(0))).rejects.toThrow(KrosValidationError);
      await expect(verifyWebhook(vector.body, vector.signature, '', at(0))).rejects.toThrow(KrosValidationError);
    });
  });

  describe('deliveries', () => {
    it('delivers an event name the spec does not know as a plain string', async () => {
      const unknown = vectors.find((v) => v.name === 'unknown event')!;
      const delivery: WebhookDelivery = await verifyWebhook(unknown.body, unknown.signature, unknown.secret, at(0));
      expect(delivery.event).toBe('call.transferred');
    });
  });

  describe('Fetch Requests', () => {
    it('verifies a real Request and returns its delivery', async () => {
      const request = new Request('https://receiver.example/hooks', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-signature': vector.signature },
        body: vector.body,
      });
      expect(await verifyWebhookRequest(request, SECRET, at(0))).toEqual(JSON.parse(vector.body));
    });

    it('refuses a tampered Request', async () => {
      const request = new Request('https://receiver.example/hooks', {
        method: 'POST',
        headers: { 'x-webhook-signature': vector.signature },
        body: vector.body.replace('42', '43'),
      });
      await expectReason(verifyWebhookRequest(request, SECRET, at(0)), 'signature_mismatch');
    });

    it('refuses a Request whose body was already read with a KrosValidationError', async () => {
      const request = new Request('https://receiver.example/hooks', {
        method: 'POST',
        headers: { 'x-webhook-signature': vector.signature },
        body: vector.body,
      });
      await request.text();
      const error = await rejectionOf(verifyWebhookRequest(request, SECRET, at(0)));
      expect(error).toBeInstanceOf(KrosValidationError);
      expect((error as Error).message).toContain('already read');
    });

    it('refuses a Request whose body stream a framework has locked with a KrosValidationError, not a raw TypeError', async () => {
      const request = new Request('https://receiver.example/hooks', {
        method: 'POST',
        headers: { 'x-webhook-signature': vector.signature },
        body: vector.body,
      });
      request.body?.getReader(); // a middleware that peeked at the stream
      expect(await rejectionOf(verifyWebhookRequest(request, SECRET, at(0)))).toBeInstanceOf(KrosValidationError);
    });
  });

  describe('bounded body', () => {
    const HUNDRED_MIB = 100 * 1024 * 1024;
    const CHUNK = 64 * 1024;

    /** A Request whose body would be `size` bytes, made only as it is read; counts what was pulled. */
    function lazyRequest(size: number, headers: Record<string, string>) {
      const source = { pulled: 0, cancelled: false };
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (source.pulled >= size) return controller.close();
            source.pulled += CHUNK;
            controller.enqueue(new Uint8Array(CHUNK).fill(0x20));
          },
          cancel() {
            source.cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
      const init = { method: 'POST', headers, body, duplex: 'half' } as RequestInit;
      return { request: new Request('https://receiver.example/hooks', init), source };
    }

    it('refuses an unsigned Request without reading its body', async () => {
      const { request, source } = lazyRequest(HUNDRED_MIB, {});
      await expectReason(verifyWebhookRequest(request, SECRET, at(0)), 'missing_signature');
      expect(source.pulled).toBe(0);
    });

    it('refuses a malformed signature without reading the body', async () => {
      const { request, source } = lazyRequest(HUNDRED_MIB, { 'x-webhook-signature': 'sha256=nothex' });
      await expectReason(verifyWebhookRequest(request, SECRET, at(0)), 'malformed_signature');
      expect(source.pulled).toBe(0);
    });

    it('stops reading a 100 MiB body past maxBodyBytes (default 1 MiB) and cancels it', async () => {
      const { request, source } = lazyRequest(HUNDRED_MIB, { 'x-webhook-signature': vector.signature });
      const error = await refusal(verifyWebhookRequest(request, SECRET, at(0)));
      expect([error.reason, error.message]).toEqual(['payload_too_large', 'payload_too_large: the body is over maxBodyBytes (1048576)']);
      expect(source.pulled).toBeLessThanOrEqual(1024 * 1024 + CHUNK);
      expect(source.cancelled).toBe(true);
    });

    it('honours a smaller maxBodyBytes', async () => {
      const { request, source } = lazyRequest(HUNDRED_MIB, { 'x-webhook-signature': vector.signature });
      await expectReason(verifyWebhookRequest(request, SECRET, { ...at(0), maxBodyBytes: 100_000 }), 'payload_too_large');
      expect(source.pulled).toBeLessThanOrEqual(100_000 + CHUNK);
    });

    it('gives up on a body that trickles in past timeoutMs, cancelling it', async () => {
      const source = { cancelled: false };
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          controller.enqueue(new Uint8Array([0x20]));
        },
        cancel() {
          source.cancelled = true;
        },
      });
      const request = new Request('https://receiver.example/hooks', {
        method: 'POST',
        headers: { 'x-webhook-signature': vector.signature },
        body,
        duplex: 'half',
      } as RequestInit);
      const error = await rejectionOf(verifyWebhookRequest(request, SECRET, { ...at(0), timeoutMs: 200 }));
      expect(error).toBeInstanceOf(KrosTimeoutError);
      expect((error as Error).message).toBe('the body did not arrive within 200 ms');
      expect(source.cancelled).toBe(true);
    });

    it("stops reading when the caller's signal aborts, rejecting with its reason", async () => {
      const { request, source } = lazyRequest(HUNDRED_MIB, { 'x-webhook-signature': vector.signature });
      const reason = new Error('the receiver is shutting down');
      const controller = new AbortController();
      controller.abort(reason);
      expect(await rejectionOf(verifyWebhookRequest(request, SECRET, { ...at(0), signal: controller.signal }))).toBe(reason);
      expect(source.pulled).toBe(0);
    });

    it.each([0, -1, 1.5, Number.NaN])('refuses timeoutMs %s', async (timeoutMs) => {
      const { request } = lazyRequest(10, { 'x-webhook-signature': vector.signature });
      await expect(verifyWebhookRequest(request, SECRET, { timeoutMs })).rejects.toThrow(KrosValidationError);
    });

    it('refuses a Content-Length over maxBodyBytes without reading the body', async () => {
      const headers = { 'x-webhook-signature': vector.signature, 'content-length': String(HUNDRED_MIB) };
      const { request, source } = lazyRequest(HUNDRED_MIB, headers);
      await expectReason(verifyWebhookRequest(request, SECRET, at(0)), 'payload_too_large');
      expect(source.pulled).toBe(0);
    });

    it('verifies a body of exactly maxBodyBytes', async () => {
      const body = vector.body;
      const request = new Request('https://receiver.example/hooks', {
        method: 'POST',
        headers: { 'x-webhook-signature': vector.signature },
        body,
      });
      const maxBodyBytes = Buffer.byteLength(body);
      expect((await verifyWebhookRequest(request, SECRET, { ...at(0), maxBodyBytes })).id).toBe('evt_01HZX3Q6W3');
      await expectReason(verifyWebhook(body, vector.signature, SECRET, { ...at(0), maxBodyBytes: maxBodyBytes - 1 }), 'payload_too_large');
    });

    it.each([
      ['three-byte characters', '€', 3],
      ['astral characters (4 bytes, 2 UTF-16 units)', '😀', 4],
      ['lone surrogates (encoded as the 3-byte U+FFFD)', '\uD800', 3],
    ])('counts a string body in UTF-8 bytes, not in characters: %s', async (_what, char, bytes) => {
      const LIMIT = 1024 * 1024;
      const bogus = `sha256=${'0'.repeat(64)}`;
      // One character over the default limit is refused unhashed; one under is hashed, and does not match.
      await expectReason(verifyWebhook(char.repeat(Math.floor(LIMIT / bytes) + 1), bogus, SECRET), 'payload_too_large');
      await expectReason(verifyWebhook(char.repeat(Math.floor(LIMIT / bytes)), bogus, SECRET), 'signature_mismatch');
    });

    it.each([Number.NaN, -1])('refuses every body when maxBodyBytes is %s, failing closed', async (maxBodyBytes) => {
      await expectReason(verifyWebhook(vector.body, vector.signature, SECRET, { ...at(0), maxBodyBytes }), 'payload_too_large');
    });
  });

  describe('bounded work for a hostile delivery', () => {
    /** A delivery of exactly `bytes` bytes, signed at SIGNED_AT. */
    const bodyOf = (bytes: number) => {
      const short = envelope({ data: { transcript: '' } });
      return Buffer.from(envelope({ data: { transcript: 'x'.repeat(bytes - short.length) } }));
    };
    const body = bodyOf(1024 * 1024);
    const secrets = [SECRET, 'whsec_previous'];
    const bogus = (count: number) => Array.from({ length: count }, (_, i) => `sha256=${i.toString(16).padStart(64, '0')}`).join(', ');

    it('refuses a header of more than 8 entries as malformed_signature', async () => {
      await expectReason(verifyWebhook(vector.body, `${bogus(8)}, ${vector.signature}`, SECRET, at(0)), 'malformed_signature');
      expect((await verifyWebhook(vector.body, `${bogus(7)}, ${vector.signature}`, SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
    });

    // The HMACs are counted where Web Crypto computes them: a spy sees crypto.subtle.sign. The
    // node:crypto build runs the same verifier around another HMAC module.
    if (inject('hmac') === 'Web Crypto') {
      /** How many HMACs `run` computed. */
      async function hmacsOf(run: () => Promise<unknown>): Promise<number> {
        const sign = vi.spyOn(crypto.subtle, 'sign');
        try {
          await run();
          return sign.mock.calls.length;
        } finally {
          sign.mockRestore();
        }
      }

      it('computes no HMAC for a header of 224 bogus entries, with a 1 MiB body and 2 secrets', async () => {
        expect(await hmacsOf(() => expectReason(verifyWebhook(body, bogus(224), secrets, at(0)), 'malformed_signature'))).toBe(0);
      });

      it('computes one HMAC of the body per secret, however many entries the header carries', async () => {
        expect(await hmacsOf(() => expectReason(verifyWebhook(body, bogus(1), secrets, at(0)), 'signature_mismatch'))).toBe(2);
        expect(await hmacsOf(() => expectReason(verifyWebhook(body, bogus(8), secrets, at(0)), 'signature_mismatch'))).toBe(2);
      });

      it('hashes a badly signed 1 MiB body of invalid UTF-8 once and refuses it as a mismatch, before decoding it', async () => {
        const forged = Buffer.alloc(1024 * 1024, 0xff); // each byte decodes to U+FFFD, UTF-8's slowest path
        expect(await hmacsOf(() => expectReason(verifyWebhook(forged, bogus(1), SECRET, at(0)), 'signature_mismatch'))).toBe(1);
      });
    }
  });

  describe('tampering (property-based)', () => {
    const body = new TextEncoder().encode(vector.body);
    const digest = Buffer.from(vector.signature.slice('sha256='.length), 'hex');

    it('refuses any change of any byte of the body', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(body.length - 1), fc.integer({ min: 1, max: 255 }), async (index, flip) => {
          const tampered = body.slice();
          tampered[index]! ^= flip;
          await expectReason(verifyWebhook(tampered, vector.signature, SECRET, at(0)), 'signature_mismatch');
        }),
        { numRuns: 200 },
      );
    });

    it('refuses any change of any byte of the signature', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(digest.length - 1), fc.integer({ min: 1, max: 255 }), async (index, flip) => {
          const tampered = Buffer.from(digest);
          tampered[index]! ^= flip;
          await expectReason(verifyWebhook(vector.body, `sha256=${tampered.toString('hex')}`, SECRET, at(0)), 'signature_mismatch');
        }),
        { numRuns: 200 },
      );
    });
  });
});
