import {
  KrosSignatureError,
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

async function refusal(pending: Promise<unknown>): Promise<KrosSignatureError> {
  const error = await rejectionOf(pending);
  expect(error).toBeInstanceOf(KrosSignatureError);
  return error as KrosSignatureError;
}

describe(`webhook signatures with ${inject('hmac')}`, () => {
  it('computes the HMAC with the module of its runtime', async () => {
    const subtleVerify = vi.spyOn(crypto.subtle, 'verify');
    try {
      await verifyWebhook(vector.body, vector.signature, SECRET, at(0));
      expect(subtleVerify).toHaveBeenCalledTimes(inject('hmac') === 'Web Crypto' ? 1 : 0);
    } finally {
      subtleVerify.mockRestore();
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

    it('refuses a parsed object with an error that explains the raw-body mistake', async () => {
      const pending = verifyWebhook(JSON.parse(vector.body), vector.signature, SECRET, at(0));
      await expect(pending).rejects.toThrow(KrosValidationError);
      await expect(pending).rejects.toThrow('pass the raw body bytes, not parsed JSON');
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
    ])('finds it in %s', async (_form, headers) => {
      expect((await verifyWebhook(vector.body, headers(), SECRET, at(0))).id).toBe('evt_01HZX3Q6W3');
    });
  });

  describe('refusals', () => {
    it('refuses a delivery without a signature header', async () => {
      await expectReason(verifyWebhook(vector.body, { 'content-type': 'application/json' }, SECRET, at(0)), 'missing_signature');
      await expectReason(verifyWebhook(vector.body, new Headers(), SECRET, at(0)), 'missing_signature');
      await expectReason(verifyWebhook(vector.body, '', SECRET, at(0)), 'missing_signature');
    });

    it.each(['sha256=xyz', `sha256=${'a'.repeat(63)}`, `md5=${'a'.repeat(32)}`, vector.signature.slice('sha256='.length)])(
      'refuses the malformed signature %s',
      async (signature) => {
        await expectReason(verifyWebhook(vector.body, signature, SECRET, at(0)), 'malformed_signature');
      },
    );

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

    it('accepts an old delivery when the tolerance is widened for queued processing', async () => {
      await expect(verifyWebhook(vector.body, vector.signature, SECRET, { ...at(3_000), toleranceSeconds: 3_600 })).resolves.toBeDefined();
    });

    it.each([
      ['not JSON', 'call.completed at noon'],
      ['JSON without a timestamp', JSON.stringify({ id: 'evt_1', event: 'call.completed', data: {} })],
      ['an unparsable timestamp', JSON.stringify({ id: 'evt_1', event: 'call.completed', timestamp: 'yesterday', data: {} })],
      ['not an envelope', JSON.stringify([1, 2, 3])],
    ])('refuses a correctly signed body that is %s', async (_what, body) => {
      await expectReason(verifyWebhook(body, await signWebhookPayload(body, SECRET), SECRET, at(0)), 'invalid_payload');
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

    it('fails with the platform error when the body was already read', async () => {
      const request = new Request('https://receiver.example/hooks', { method: 'POST', body: vector.body });
      await request.text();
      await expect(verifyWebhookRequest(request, SECRET, at(0))).rejects.toThrow(/unusable|already/i);
    });
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
