/**
 * Verification of signed webhook deliveries. The HMAC comes from ./hmac.ts (Web Crypto: browsers,
 * edge, Deno, Bun); the package's Node build resolves that import to ./hmac-node.ts (node:crypto)
 * instead, so both share every rule here.
 *
 * The scheme (KrosAI docs): `X-Webhook-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body
 * keyed with the webhook's secret. The body's own `timestamp` is covered by the signature, so
 * checking it against a tolerance bounds replays.
 */
import { KrosSignatureError, KrosValidationError } from '../errors.js';
import type { components } from '../generated/api.js';
import { type Bytes, encoder } from './bytes.js';
import { hmacSign, hmacVerify } from './hmac.js';

type WebhookEvent = components['schemas']['WebhookEvent'];

/**
 * A verified delivery. `event` narrows to the spec's event names (`switch (delivery.event)`); a name
 * the spec does not know yet still arrives, as a plain string.
 *
 * @example
 * ```ts
 * const delivery: WebhookDelivery = await verifyWebhook(rawBody, headers, secret);
 * if (delivery.event === 'call.completed') console.log(delivery.id, delivery.data.call_id);
 * ```
 */
export interface WebhookDelivery {
  /** Unique per event, also across the API's retries of it: deduplicate on it. */
  id: string;
  /** What happened: one of `WEBHOOK_EVENTS`, or a newer name the spec does not list yet. */
  event: WebhookEvent | (string & {});
  /** When the event happened (ISO 8601). */
  timestamp: string;
  /** The event's payload; KrosAI publishes no schema for it. */
  data: Record<string, unknown>;
}

/**
 * The raw request body exactly as received: a string, or bytes (a Node `Buffer` is a `Uint8Array`).
 *
 * @example
 * ```ts
 * const rawBody: RawBody = await request.text(); // or Buffer.concat(chunks), or await request.arrayBuffer()
 * ```
 */
export type RawBody = string | Uint8Array | ArrayBuffer;

/**
 * Headers of the delivery (Fetch `Headers`, Node's `request.headers`, a plain object) or the
 * signature header's value; the header name is matched case-insensitively.
 *
 * @example
 * ```ts
 * await verifyWebhook(rawBody, request.headers, secret);
 * await verifyWebhook(rawBody, 'sha256=5f1c…', secret);
 * ```
 */
export type SignatureSource = Headers | Record<string, string | string[] | undefined> | string;

/**
 * Options of `verifyWebhook` and `verifyWebhookRequest`.
 *
 * @example
 * ```ts
 * await verifyWebhook(rawBody, headers, secret, { toleranceSeconds: 600 });
 * ```
 */
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

const decoder = new TextDecoder();

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
export async function verifyWebhook(
  rawBody: RawBody,
  headersOrSignature: SignatureSource,
  secretOrSecrets: string | string[],
  options: VerifyOptions = {},
): Promise<WebhookDelivery> {
  const body = bytesOf(rawBody);
  const secrets = secretList(secretOrSecrets);
  const { toleranceSeconds = 300, now = new Date() } = options;
  const signatures = parseSignatures(signatureHeader(headersOrSignature));
  let matched = false;
  for (const secret of secrets) for (const signature of signatures) matched ||= await hmacVerify(secret, body, signature);
  if (!matched) {
    throw new KrosSignatureError('signature_mismatch', 'no secret signed these bytes: pass the raw body, not re-serialised JSON');
  }
  const delivery = parseDelivery(body);
  const skew = Math.abs(+now - Date.parse(delivery.timestamp)) / 1000;
  // Written to fail closed: a NaN or negative tolerance refuses every delivery.
  if (!(skew <= toleranceSeconds)) {
    throw new KrosSignatureError('timestamp_out_of_tolerance', `timestamp is ${skew} s off, over ${toleranceSeconds} s`);
  }
  return delivery;
}

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
export async function verifyWebhookRequest(
  request: Request,
  secretOrSecrets: string | string[],
  options?: VerifyOptions,
): Promise<WebhookDelivery> {
  return verifyWebhook(await request.arrayBuffer(), request.headers, secretOrSecrets, options);
}

/**
 * The `X-Webhook-Signature` value KrosAI would send for this body: `sha256=<hex>`. For your own
 * tests of a webhook receiver.
 *
 * @example
 * ```ts
 * const signature = await signWebhookPayload(body, secret);
 * await fetch(receiverUrl, { method: 'POST', headers: { 'x-webhook-signature': signature }, body });
 * ```
 */
export async function signWebhookPayload(rawBody: RawBody, secret: string): Promise<string> {
  const [key] = secretList(secret);
  return `sha256=${await hmacSign(key as string, bytesOf(rawBody))}`;
}

function bytesOf(rawBody: RawBody): Bytes {
  if (typeof rawBody === 'string') return encoder.encode(rawBody);
  // A view (a Node Buffer from a pool, say) covers only its own bytes of the underlying buffer.
  const view = rawBody as Bytes;
  if (rawBody instanceof ArrayBuffer || ArrayBuffer.isView(rawBody))
    return new Uint8Array(view.buffer ?? rawBody, view.byteOffset, view.byteLength);
  throw new KrosValidationError('pass the raw body bytes, not parsed JSON');
}

function secretList(secretOrSecrets: string | string[]): string[] {
  const secrets = ([] as unknown[]).concat(secretOrSecrets);
  if (!secrets.length || secrets.some((secret) => !secret || typeof secret !== 'string')) {
    throw new KrosValidationError('secret must be a non-empty string or array');
  }
  return secrets as string[];
}

/** The signature header's values, looked up case-insensitively. */
function signatureHeader(source: SignatureSource): unknown[] {
  if (typeof source === 'string') return [source];
  if (typeof (source as Headers)?.get === 'function') return [(source as Headers).get(SIGNATURE_HEADER)];
  return Object.entries(source ?? {}).flatMap(([name, value]) => (name.toLowerCase() === SIGNATURE_HEADER ? value : []));
}

/** The hex digest of each `sha256=<hex>` entry; a repeated header arrives comma-joined. */
function parseSignatures(values: unknown[]): string[] {
  const entries = values
    .join()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (!entries.length) throw new KrosSignatureError('missing_signature', `no ${SIGNATURE_HEADER} header`);
  return entries.map((entry) => {
    const digest = /^sha256=([0-9a-f]{64})$/i.exec(entry)?.[1];
    if (!digest) throw new KrosSignatureError('malformed_signature', `${SIGNATURE_HEADER} is not sha256=<hex>`);
    return digest;
  });
}

function parseDelivery(body: Bytes): WebhookDelivery {
  let delivery: Partial<WebhookDelivery> | undefined;
  try {
    delivery = JSON.parse(decoder.decode(body));
  } catch {}
  const { id, event, timestamp, data } = delivery ?? {};
  if (
    typeof id !== 'string' ||
    typeof event !== 'string' ||
    typeof data !== 'object' ||
    !data ||
    typeof timestamp !== 'string' ||
    Number.isNaN(Date.parse(timestamp))
  ) {
    throw new KrosSignatureError('invalid_payload', 'not a JSON { id, event, timestamp, data }');
  }
  return delivery as WebhookDelivery;
}
