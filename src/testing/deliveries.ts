/**
 * Signed deliveries as KrosAI sends them (krosai-facts: an envelope `{ id, event, timestamp, data }`
 * POSTed as JSON with `X-Webhook-Signature: sha256=<hex>`), and the one POST that carries them to a
 * receiver: bounded in time, never following a redirect.
 */
import { readBounded } from '../core/body.js';
import { KrosValidationError } from '../core/errors.js';
import { isHttpUrl } from '../core/validate.js';
import type { WebhookEvent } from '../resources/webhooks.js';
import { RFC_3339, signWebhookPayload } from '../verify/verify.js';

/**
 * The byte forms of one delivery. `'canonical'` is `JSON.stringify` output. The other three are the
 * same JSON as other senders' serialisers write it, and each writes a fractional number with a
 * trailing zero (`1.50`), as fixed-decimal serialisers write money:
 *
 * - `'indented'`: two-space indentation, one value per line;
 * - `'reordered'`: keys in reverse order at every level, with `", "` and `": "` (Python's `json.dumps`);
 * - `'escaped'`: compact, every character of every string but ASCII letters, digits and space as `\uXXXX`.
 *
 * Parsed, every form gives the same value; re-serialised, no non-canonical form gives its own bytes
 * back, so a receiver that verifies `JSON.stringify(JSON.parse(body))` fails on each.
 *
 * @example
 * ```ts
 * for (const format of DELIVERY_FORMATS) {
 *   const delivery = await createSignedDelivery('call.completed', { amount: 1.5 }, secret, { format });
 *   expect((await POST(new Request(url, { method: 'POST', ...delivery }))).status).toBe(204);
 * }
 * ```
 */
export const DELIVERY_FORMATS = ['canonical', 'indented', 'reordered', 'escaped'] as const;

/**
 * One of {@link DELIVERY_FORMATS}: how a test delivery's JSON is written.
 *
 * @example
 * ```ts
 * const format: DeliveryFormat = 'reordered';
 * ```
 */
export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];

/**
 * Options of {@link createSignedDelivery}: fix the envelope's `id` or `timestamp` to test
 * deduplication or the replay window, or send non-canonical JSON with `format`.
 *
 * @example
 * ```ts
 * const options: SignedDeliveryOptions = { id: 'evt_1', timestamp: new Date(Date.now() - 600_000) };
 * ```
 */
export interface SignedDeliveryOptions {
  /**
   * The envelope's `id`, the key receivers deduplicate on. Default: a new `evt_…` id.
   *
   * @example
   * ```ts
   * await createSignedDelivery('call.completed', data, secret, { id: 'evt_same_twice' });
   * ```
   */
  id?: string;
  /**
   * When the event happened, as a `Date` or an RFC 3339 string with a zone. Default: now.
   *
   * @example
   * ```ts
   * await createSignedDelivery('call.completed', data, secret, { timestamp: '2026-01-01T12:00:00Z' });
   * ```
   */
  timestamp?: Date | string;
  /**
   * How the JSON is written ({@link DELIVERY_FORMATS}); the signature covers these exact bytes.
   * Default: `'canonical'`.
   *
   * @example
   * ```ts
   * await createSignedDelivery('call.completed', data, secret, { format: 'escaped' });
   * ```
   */
  format?: DeliveryFormat;
}

/**
 * A delivery ready to send: the exact body that was signed and the headers KrosAI sends with it.
 *
 * @example
 * ```ts
 * const { body, headers }: SignedDelivery = await createSignedDelivery('call.completed', {}, secret);
 * await fetch(receiverUrl, { method: 'POST', headers, body });
 * ```
 */
export interface SignedDelivery {
  /** The JSON envelope `{ id, event, timestamp, data }`, byte for byte what the signature covers. */
  body: string;
  /** `content-type: application/json` and `x-webhook-signature: sha256=<hex>`. */
  headers: { 'content-type': 'application/json'; 'x-webhook-signature': string };
}

/**
 * Builds a delivery signed as KrosAI signs it, for a receiver's unit tests: pass `body` and
 * `headers` to your handler (or POST them) and it should verify with `verifyWebhook` and the same
 * secret. Unknown event names are allowed, since receivers must cope with them.
 *
 * @example
 * ```ts
 * import { createSignedDelivery } from '@krosai/cockpit/testing';
 *
 * const { body, headers } = await createSignedDelivery('call.completed', { call_id: 'call_1' }, 'whsec_test');
 * const response = await POST(new Request('http://localhost/webhooks', { method: 'POST', headers, body }));
 * ```
 */
export async function createSignedDelivery(
  event: WebhookEvent | (string & {}),
  data: Record<string, unknown>,
  secret: string,
  options: SignedDeliveryOptions = {},
): Promise<SignedDelivery> {
  assertDeliveryInput(event, data);
  if (!options || typeof options !== 'object') throw new KrosValidationError('options must be an object');
  const { id = newDeliveryId(), timestamp = new Date(), format = 'canonical' } = options;
  assertDeliveryFormat(format, 'options.format');
  if (typeof id !== 'string' || !id) throw new KrosValidationError('options.id must be a non-empty string');
  const time = new Date(timestamp);
  // A string without a zone would be read in this machine's time zone: the delivery would move with TZ.
  if (!(timestamp instanceof Date || (typeof timestamp === 'string' && RFC_3339.test(timestamp))) || Number.isNaN(+time)) {
    throw new KrosValidationError('options.timestamp must be a Date or an RFC 3339 string with a zone (Z or ±hh:mm)');
  }
  // Whole seconds, as in KrosAI's documented envelope ("2026-01-01T12:00:00Z").
  const body = serialize({ id, event, timestamp: time.toISOString().replace(/\.\d{3}Z$/, 'Z'), data }, format);
  // signWebhookPayload refuses an empty or non-string secret without quoting it.
  const signature = await signWebhookPayload(body, secret);
  return { body, headers: { 'content-type': 'application/json', 'x-webhook-signature': signature } };
}

export function assertDeliveryInput(event: unknown, data: unknown): void {
  if (typeof event !== 'string' || !event) throw new KrosValidationError('event must be a non-empty string');
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new KrosValidationError('data must be an object');
}

export function assertDeliveryFormat(format: unknown, name: string): asserts format is DeliveryFormat {
  if (!DELIVERY_FORMATS.includes(format as DeliveryFormat)) {
    throw new KrosValidationError(`${name} must be one of ${DELIVERY_FORMATS.map((item) => `'${item}'`).join(', ')}`);
  }
}

/** How each non-canonical form lays out JSON: `newline` is empty for one line. */
interface Layout {
  newline: string;
  comma: string;
  colon: string;
  reverse: boolean;
  string: (text: string) => string;
}

/** Every UTF-16 unit but ASCII letters, digits and space: a timestamp's `-` and `:` alone make the bytes differ from canonical JSON. */
const escapeAll = (text: string) =>
  `"${text.replace(/[^A-Za-z\d ]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;

const LAYOUTS: Record<Exclude<DeliveryFormat, 'canonical'>, Layout> = {
  indented: { newline: '\n', comma: ',', colon: ': ', reverse: false, string: JSON.stringify },
  reordered: { newline: '', comma: ', ', colon: ': ', reverse: true, string: JSON.stringify },
  escaped: { newline: '', comma: ',', colon: ':', reverse: false, string: escapeAll },
};

/** `value` as JSON in `format`; the other forms write what canonical JSON parses to, so every form parses the same. */
function serialize(value: unknown, format: DeliveryFormat): string {
  const canonical = JSON.stringify(value);
  return format === 'canonical' ? canonical : write(JSON.parse(canonical), LAYOUTS[format], LAYOUTS[format].newline);
}

/** A JSON value as `JSON.parse` gives it, in `layout`; `newline` carries this depth's indentation. */
function write(value: unknown, layout: Layout, newline: string): string {
  if (typeof value === 'string') return layout.string(value);
  // 1.5 as 1.50, 1e-7 as 1.0e-7: the same number, as a fixed-decimal serialiser writes it.
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(value).replace(/(\.\d+)?(?=e|$)/, (fraction) => `${fraction || '.'}0`);
  if (!value || typeof value !== 'object') return String(value);
  const inner = newline && `${newline}  `;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const items = Array.isArray(value)
    ? value.map((item) => write(item, layout, inner))
    : (layout.reverse ? keys.reverse() : keys).map((key) => layout.string(key) + layout.colon + write(object[key], layout, inner));
  const [open, close] = Array.isArray(value) ? '[]' : '{}';
  return items.length ? `${open}${inner}${items.join(layout.comma + inner)}${newline}${close}` : `${open}${close}`;
}

export function newDeliveryId(): string {
  return `evt_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** What a receiver answered to one delivery, plus the start of its body for the CLI to show. */
export interface PostOutcome {
  success: boolean;
  status_code: number | null;
  message: string;
  body?: string;
}

/** How much of a receiver's answer is read: enough for an error message, not a memory sink. */
const BODY_PREVIEW_BYTES = 2_048;

/**
 * POSTs a signed delivery to `url` and reports what came back. A redirect is reported, never
 * followed: a receiver must not be able to steer signed deliveries elsewhere.
 */
export async function postDelivery(url: string, delivery: SignedDelivery, timeoutMs: number): Promise<PostOutcome> {
  if (!isHttpUrl(url)) return { success: false, status_code: null, message: `not an http(s) URL, so nothing was sent` };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, redirect: 'manual', signal });
    const status = response.status;
    const body = await preview(response);
    if (status >= 300 && status < 400) {
      return {
        success: false,
        status_code: status,
        message: `the receiver answered ${status}, a redirect: deliveries do not follow redirects`,
        body,
      };
    }
    const success = status >= 200 && status < 300;
    return { success, status_code: status, message: `the receiver answered ${status}${success ? '' : ': not delivered'}`, body };
  } catch (error) {
    if (signal.aborted) return { success: false, status_code: null, message: `the receiver did not answer within ${timeoutMs} ms` };
    return { success: false, status_code: null, message: `could not connect to the receiver: ${systemCode(error)}` };
  }
}

/** The first bytes of the body, as text; the rest is not read. */
async function preview(response: Response): Promise<string> {
  // A body that breaks off says no more than its status.
  const { bytes } = await readBounded(response.body, BODY_PREVIEW_BYTES).catch(() => ({ bytes: new Uint8Array(0) }));
  return new TextDecoder().decode(bytes);
}

/** ECONNREFUSED and friends, else the innermost message: undici hides the reason in the cause of "fetch failed". */
function systemCode(error: unknown): string {
  let reason = String((error as Error)?.message ?? error);
  for (
    let cause = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
    cause;
    cause = cause.cause as typeof cause
  ) {
    if (typeof cause.code === 'string') return cause.code;
    if (typeof cause.message === 'string') reason = cause.message;
  }
  return reason;
}
