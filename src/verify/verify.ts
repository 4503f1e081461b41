/**
 * Signed deliveries: `X-Webhook-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with
 * the webhook's secret (KrosAI docs). The signed body's `timestamp`, checked against a tolerance,
 * bounds replays. The Node build swaps ./hmac.ts (Web Crypto) for ./hmac-node.ts (node:crypto).
 */
import { readBounded } from '../core/body.js';
import { KrosSignatureError, KrosTimeoutError, KrosValidationError } from '../core/errors.js';
import type { components } from '../generated/api.js';
import { hmacSign, type Payload } from './hmac.js';

type WebhookEvent = components['schemas']['WebhookEvent'];

/** A verified delivery; an event name the spec does not know yet still arrives, as a plain string. */
export interface WebhookDelivery {
  /** Unique per event, also across the API's retries of it: deduplicate on it. */
  id: string;
  /** What happened: one of `WEBHOOK_EVENTS`, or a newer name the spec does not list yet. */
  event: WebhookEvent | (string & {});
  /** When the event happened (RFC 3339, with a zone). */
  timestamp: string;
  /** The event's payload; KrosAI publishes no schema for it. */
  data: Record<string, unknown>;
}

/** The raw request body exactly as received: a string, or bytes (a Node `Buffer` is a `Uint8Array`). */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** The delivery's headers (Fetch `Headers`, Node's `request.headers`, a plain object) or the signature header's value. */
export type SignatureSource = Headers | Record<string, string | string[] | undefined> | string;

/**
 * Options of `verifyWebhook` and `verifyWebhookRequest`.
 *
 * @example
 * ```ts
 * await verifyWebhookRequest(request, secret, { toleranceSeconds: 3_600, maxBodyBytes: 4 * 1024 * 1024 });
 * ```
 */
export interface VerifyOptions {
  /** How far the `timestamp` may be from now, either way, in seconds; widen it for queued deliveries. Default: 300. */
  toleranceSeconds?: number;
  /** The time to check the timestamp against. Default: now. */
  now?: Date;
  /** The largest body, in bytes, hashed or read (`payload_too_large` past it). Default: 1 MiB, 20 hour-long transcripts. */
  maxBodyBytes?: number;
  /** `verifyWebhookRequest`: how long the body may take to arrive, in ms (`KrosTimeoutError` past it). Default: 10 000. */
  timeoutMs?: number;
  /** `verifyWebhookRequest`: stops reading the body; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The signature header KrosAI sends with every delivery. */
export const SIGNATURE_HEADER = 'x-webhook-signature';

/**
 * An RFC 3339 date-time with its zone: Date.parse reads looser forms in the receiver's time zone
 * (`"Jan 1 2026 12:00 (Z"` is local time), and out-of-range fields in this form as NaN.
 */
export const RFC_3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** KrosAI sends one entry; the cap bounds the work of a hostile header before any hashing. */
const MAX_SIGNATURES = 8;

const DEFAULT_MAX_BODY_BYTES = 1_048_576;

const encoder = new TextEncoder();
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
  options?: VerifyOptions,
): Promise<WebhookDelivery> {
  const { toleranceSeconds = 300, now = new Date() } = options ?? {};
  const secrets = secretList(secretOrSecrets);
  const signatures = parseSignatures(signatureHeader(headersOrSignature));
  // Hashed before decoded: decoding invalid UTF-8 costs up to 20 hashes, which a forged body must not buy.
  const body = payloadOf(rawBody, options?.maxBodyBytes);
  for (const secret of secrets) {
    const digest = await hmacSign(secret, body);
    if (signatures.some((signature) => equalInConstantTime(signature, digest))) {
      const delivery = parseDelivery(typeof body === 'string' ? body : decoder.decode(body));
      const skew = Math.abs(+now - Date.parse(delivery.timestamp)) / 1000;
      // Written to fail closed: a NaN or negative tolerance refuses every delivery.
      if (!(skew <= toleranceSeconds)) {
        throw new KrosSignatureError('timestamp_out_of_tolerance', `timestamp is ${skew} s off, over ${toleranceSeconds} s`);
      }
      return delivery;
    }
  }
  throw new KrosSignatureError('signature_mismatch', 'no secret signed these bytes: pass the raw body, not re-serialised JSON');
}

/**
 * Verifies a Fetch API `Request` (Next.js, Workers, Hono, Deno, Bun): the signature header before
 * the body, and at most `maxBodyBytes` of the body.
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
  assertSignatureHeader(request.headers);
  if (request.bodyUsed || request.body?.locked) throw new KrosValidationError('the request body was already read, or is being read');
  const body = await readBody(request.body, request.headers.get('content-length'), options ?? {});
  return verifyWebhook(body, request.headers, secretOrSecrets, options);
}

/**
 * The `X-Webhook-Signature` value KrosAI would send for this body, for tests of a receiver.
 *
 * @example
 * ```ts
 * const signature = await signWebhookPayload(body, secret);
 * await fetch(receiverUrl, { method: 'POST', headers: { 'x-webhook-signature': signature }, body });
 * ```
 */
export async function signWebhookPayload(rawBody: RawBody, secret: string): Promise<string> {
  const [key] = secretList(secret);
  return `sha256=${await hmacSign(key as string, payloadOf(rawBody, Infinity))}`;
}

/**
 * The body as the HMAC takes it, refused over `maxBodyBytes`. Bytes are copied, so the bytes parsed
 * are the bytes hashed whatever the caller does to its buffer meanwhile (and no SharedArrayBuffer).
 */
function payloadOf(rawBody: RawBody, maxBodyBytes = DEFAULT_MAX_BODY_BYTES): Payload {
  if (typeof rawBody === 'string') {
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit: encode to count only when the length leaves it open.
    if (!(rawBody.length * 3 <= maxBodyBytes)) assertWithin(encoder.encode(rawBody).length, maxBodyBytes);
    return rawBody;
  }
  const view = rawBody as Uint8Array;
  let bytes: Uint8Array | undefined;
  try {
    bytes = ArrayBuffer.isView(rawBody)
      ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) // only its own bytes of a pooled Buffer
      : /ArrayBuffer$/.test(view?.[Symbol.toStringTag]) // an ArrayBuffer or SharedArrayBuffer, of any realm
        ? new Uint8Array(view)
        : undefined;
  } catch (cause) {
    throw new KrosValidationError("the raw body's buffer was transferred (detached)", { cause });
  }
  if (!bytes) {
    const what = rawBody == null ? 'missing' : 'a parsed object';
    throw new KrosValidationError(`the raw body is ${what}: verify the bytes received (Express: express.raw(), not express.json())`);
  }
  assertWithin(bytes.length, maxBodyBytes);
  return new Uint8Array(bytes);
}

/** Refuses a delivery without a well-formed signature header, before its body is read. */
export function assertSignatureHeader(headers: SignatureSource): void {
  parseSignatures(signatureHeader(headers));
}

/** At most `maxBodyBytes` of a body, within `timeoutMs`: a client trickling bytes cannot hold the receiver. */
export async function readBody(
  body: ReadableStream<Uint8Array> | null,
  contentLength: string | null | undefined,
  { maxBodyBytes, timeoutMs = 10_000, signal }: VerifyOptions = {},
): Promise<Uint8Array> {
  if (!(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs < 2 ** 31))
    throw new KrosValidationError('timeoutMs must be 1 to 2^31 - 1');
  assertWithin(Number(contentLength ?? 0), maxBodyBytes);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new KrosTimeoutError(`the body did not arrive within ${timeoutMs} ms`)), timeoutMs);
  const follow = () => stop.abort(signal?.reason);
  if (signal?.aborted) follow();
  signal?.addEventListener('abort', follow);
  try {
    const { bytes, complete } = await readBounded(body, maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, stop.signal);
    if (!complete) throw tooLarge(maxBodyBytes);
    return bytes;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', follow);
  }
}

// Written to fail closed: a NaN or negative limit refuses every body.
function assertWithin(size: number, maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {
  if (!(size <= maxBodyBytes)) throw tooLarge(maxBodyBytes);
}

function tooLarge(maxBodyBytes = DEFAULT_MAX_BODY_BYTES): KrosSignatureError {
  return new KrosSignatureError('payload_too_large', `the body is over maxBodyBytes (${maxBodyBytes})`);
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

/** The hex digest of each `sha256=` entry (a repeated header arrives comma-joined); other schemes are skipped. */
function parseSignatures(values: unknown[]): string[] {
  const entries = values
    .join()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (!entries.length) throw new KrosSignatureError('missing_signature', `no ${SIGNATURE_HEADER} header`);
  const digests = entries.filter((entry) => /^sha256=/i.test(entry));
  if (entries.length > MAX_SIGNATURES || !digests.length || digests.some((entry) => !/^sha256=[0-9a-f]{64}$/i.test(entry))) {
    throw new KrosSignatureError('malformed_signature', `${SIGNATURE_HEADER} needs 1 to ${MAX_SIGNATURES} entries, a sha256=<hex>`);
  }
  return digests.map((entry) => entry.slice(7).toLowerCase());
}

/** Both are 64 hex digits; every digit is compared, so the time taken says nothing about where they differ. */
function equalInConstantTime(signature: string, digest: string): boolean {
  let difference = 0;
  for (let i = 0; i < 64; i++) difference |= signature.charCodeAt(i) ^ digest.charCodeAt(i);
  return difference === 0;
}

function parseDelivery(text: string): WebhookDelivery {
  let delivery: Partial<WebhookDelivery> | undefined;
  try {
    delivery = JSON.parse(text);
  } catch {}
  const { id, event, timestamp, data } = delivery ?? {};
  if (
    typeof id !== 'string' ||
    typeof event !== 'string' ||
    typeof data !== 'object' ||
    !data ||
    typeof timestamp !== 'string' ||
    !RFC_3339.test(timestamp) ||
    Number.isNaN(Date.parse(timestamp))
  ) {
    throw new KrosSignatureError('invalid_payload', 'not a JSON { id, event, timestamp (RFC 3339), data }');
  }
  return delivery as WebhookDelivery;
}
