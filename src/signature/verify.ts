/**
 * Verification of signed webhook deliveries, written once over a small HMAC interface so that the
 * Web Crypto module (browsers, edge, Deno, Bun) and the node:crypto module share every rule.
 *
 * The scheme (KrosAI docs): `X-Webhook-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body
 * keyed with the webhook's secret. The body's own `timestamp` is covered by the signature, so
 * checking it against a tolerance bounds replays.
 */
import { KrosSignatureError, KrosValidationError } from '../errors.js';
import type { components } from '../generated/api.js';

type WebhookEvent = components['schemas']['WebhookEvent'];
/** Bytes on a plain ArrayBuffer, as Web Crypto takes them. */
type Bytes = Uint8Array<ArrayBuffer>;

/** HMAC-SHA256 as each runtime does it best. */
export interface Hmac {
  sign(secret: string, body: Bytes): Promise<Uint8Array>;
  /** Compares in constant time. */
  verify(secret: string, body: Bytes, signature: Bytes): Promise<boolean>;
}

/**
 * A verified delivery. `event` narrows to the spec's event names (`switch (delivery.event)`); a name
 * the spec does not know yet still arrives, as a plain string.
 */
export interface WebhookDelivery {
  /** Unique per event, also across the API's retries of it: deduplicate on it. */
  id: string;
  event: WebhookEvent | (string & {});
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown>;
}

/** The raw request body exactly as received: a string, or bytes (a Node `Buffer` is a `Uint8Array`). */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** Headers of the delivery (Fetch `Headers`, Node's `request.headers`, a plain object) or the signature header's value. */
export type SignatureSource = Headers | Record<string, string | string[] | undefined> | string;

export interface VerifyOptions {
  /**
   * How far the delivery's `timestamp` may be from now, either way, in seconds. Default: 300.
   * Widen it when deliveries wait in a queue before they are verified.
   *
   * @example
   * ```ts
   * await verifyWebhook(rawBody, headers, secret, { toleranceSeconds: 3_600 });
   * ```
   */
  toleranceSeconds?: number;
  /**
   * The time to check the timestamp against. Default: the current time.
   *
   * @example
   * ```ts
   * await verifyWebhook(rawBody, headers, secret, { now: new Date('2026-01-01T12:00:00Z') });
   * ```
   */
  now?: Date;
}

/** The signature header KrosAI sends with every delivery. */
export const SIGNATURE_HEADER = 'x-webhook-signature';
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;
const DEFAULT_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function createVerifier(hmac: Hmac) {
  async function verifyWebhook(rawBody: RawBody, headersOrSignature: SignatureSource, secretOrSecrets: string | string[], options: VerifyOptions = {}): Promise<WebhookDelivery> {
    const body = bytesOf(rawBody);
    const secrets = secretList(secretOrSecrets);
    const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    if (typeof tolerance !== 'number' || !(tolerance >= 0)) throw new KrosValidationError('toleranceSeconds must be a number of 0 or more');
    const signatures = parseSignatures(signatureHeader(headersOrSignature));
    let matched = false;
    for (const secret of secrets) {
      for (const signature of signatures) matched ||= await hmac.verify(secret, body, signature);
    }
    if (!matched) {
      throw new KrosSignatureError(
        'signature_mismatch',
        `the ${SIGNATURE_HEADER} header does not match the body for any of the ${secrets.length} secret(s) given. ` +
          'The usual cause is a body that was parsed and re-serialised (for example by express.json()) instead of ' +
          'the raw bytes as received; the other is the secret of a different webhook.',
      );
    }
    const delivery = parseDelivery(body);
    const skewSeconds = Math.abs((options.now ?? new Date()).getTime() - Date.parse(delivery.timestamp)) / 1000;
    if (skewSeconds > tolerance) {
      throw new KrosSignatureError(
        'timestamp_out_of_tolerance',
        `the delivery's timestamp ${delivery.timestamp} is ${Math.round(skewSeconds)} s from now, more than the ${tolerance} s allowed ` +
          '(a replay, a wrong clock, or a delivery that waited in a queue: widen toleranceSeconds for the last)',
      );
    }
    return delivery;
  }

  return {
    /**
     * Verifies a delivery's signature and timestamp and returns its parsed, typed body. Rejects with
     * `KrosSignatureError` when the delivery must not be trusted. Pass the raw body as received.
     *
     * @example
     * ```ts
     * const delivery = await verifyWebhook(rawBody, request.headers, process.env.KROSAI_WEBHOOK_SECRET!);
     * if (delivery.event === 'call.completed') console.log(delivery.data);
     * ```
     */
    verifyWebhook,

    /**
     * Verifies a Fetch API `Request` (Next.js route handlers, Cloudflare Workers, Hono, Deno, Bun)
     * and returns the delivery. Reads the request body.
     *
     * @example
     * ```ts
     * export async function POST(request: Request) {
     *   const delivery = await verifyWebhookRequest(request, process.env.KROSAI_WEBHOOK_SECRET!);
     *   return new Response(null, { status: 204 });
     * }
     * ```
     */
    async verifyWebhookRequest(request: Request, secretOrSecrets: string | string[], options?: VerifyOptions): Promise<WebhookDelivery> {
      if (request.bodyUsed) throw new KrosValidationError('the request body was already read: verify before reading it, or use verifyWebhook with the raw body');
      return verifyWebhook(new Uint8Array(await request.arrayBuffer()), request.headers, secretOrSecrets, options);
    },

    /**
     * The `X-Webhook-Signature` value KrosAI would send for this body: `sha256=<hex>`. For your
     * own tests of a webhook receiver.
     *
     * @example
     * ```ts
     * const signature = await signWebhookPayload(JSON.stringify(delivery), secret);
     * await fetch(receiverUrl, { method: 'POST', headers: { 'x-webhook-signature': signature }, body: JSON.stringify(delivery) });
     * ```
     */
    async signWebhookPayload(rawBody: RawBody, secret: string): Promise<string> {
      const [key] = secretList(secret);
      return `sha256=${hex(await hmac.sign(key as string, bytesOf(rawBody)))}`;
    },
  };
}

function bytesOf(rawBody: RawBody): Bytes {
  if (typeof rawBody === 'string') return encoder.encode(rawBody);
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  if (ArrayBuffer.isView(rawBody)) return new Uint8Array(rawBody.buffer as ArrayBuffer, rawBody.byteOffset, rawBody.byteLength);
  const got = rawBody === null ? 'null' : typeof rawBody;
  throw new KrosValidationError(
    `the webhook body must be the raw request body (a string, Uint8Array, Buffer or ArrayBuffer), got ${got}. ` +
      'An object means a JSON body parser already ran: its re-serialised output would not match the signature. ' +
      "Read the raw body instead (express.raw({ type: 'application/json' }), await request.text()).",
  );
}

function secretList(secretOrSecrets: string | string[]): string[] {
  const secrets = Array.isArray(secretOrSecrets) ? secretOrSecrets : [secretOrSecrets];
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret === '')) {
    throw new KrosValidationError('the webhook secret must be a non-empty string, or a non-empty array of them (the `secret` of the webhook)');
  }
  return secrets;
}

/** The signature header's value(s), looked up case-insensitively. */
function signatureHeader(source: SignatureSource): string[] {
  if (typeof source === 'string') return [source];
  if (typeof (source as Headers)?.get === 'function') {
    const value = (source as Headers).get(SIGNATURE_HEADER);
    return value === null ? [] : [value];
  }
  if (typeof source !== 'object' || source === null) throw new KrosValidationError('pass the delivery headers, or the X-Webhook-Signature value');
  const values: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (name.toLowerCase() === SIGNATURE_HEADER && value !== undefined) values.push(...(Array.isArray(value) ? value : [value]));
  }
  return values;
}

/** Every `sha256=` entry; repeated headers arrive comma-joined. Other schemes are ignored, for forward compatibility. */
function parseSignatures(values: string[]): Bytes[] {
  const entries = values.flatMap((value) => value.split(',')).map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new KrosSignatureError('missing_signature', `the delivery has no ${SIGNATURE_HEADER} header`);
  const sha256 = entries.filter((entry) => entry.toLowerCase().startsWith('sha256='));
  const parsed = sha256.map((entry) => entry.match(SIGNATURE)?.[1]);
  if (sha256.length === 0 || parsed.some((digest) => digest === undefined)) {
    throw new KrosSignatureError('malformed_signature', `the ${SIGNATURE_HEADER} header is not "sha256=" followed by 64 hex digits`);
  }
  return parsed.map((digest) => Uint8Array.from((digest as string).match(/../g) as string[], (byte) => Number.parseInt(byte, 16)));
}

function parseDelivery(body: Bytes): WebhookDelivery {
  let value: Partial<WebhookDelivery> | undefined;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new KrosSignatureError('invalid_payload', 'the signed body is not UTF-8 JSON');
  }
  const { id, event, timestamp, data } = value ?? {};
  if (typeof id !== 'string' || typeof event !== 'string' || typeof data !== 'object' || data === null) {
    throw new KrosSignatureError('invalid_payload', 'the signed body is not a delivery envelope { id, event, timestamp, data }');
  }
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) {
    throw new KrosSignatureError('invalid_payload', 'the delivery has no valid ISO 8601 timestamp, so its age cannot be checked');
  }
  return value as WebhookDelivery;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
