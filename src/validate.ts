/**
 * Checks on user input, run before any request is built. Messages name what is wrong and where,
 * but never echo a header value or a credential: either may be a secret.
 */
import { KrosValidationError } from './errors.js';
import { webhookEventValues } from './generated/api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

/** Headers the SDK sets from its own options; setting them through `headers` would bypass those. */
const MANAGED_HEADERS: Record<string, string> = {
  authorization: 'apiKey',
  'x-api-key': 'apiKey and authHeader',
  'x-organization-id': 'organizationId',
};

/** setTimeout fires at once for delays above 2^31 - 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const KNOWN_EVENTS: ReadonlySet<string> = new Set(webhookEventValues);

export function assertUuid(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new KrosValidationError(`${what} must be a UUID such as "3fa85f64-5717-4562-b3fc-2c963f66afa6", got ${describe(value)}`);
  }
}

export function assertHttpUrl(value: unknown, what: string): asserts value is string {
  let protocol: string | undefined;
  try {
    protocol = typeof value === 'string' ? new URL(value).protocol : undefined;
  } catch {}
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new KrosValidationError(`${what} must be an absolute http(s) URL, got ${describe(value)}`);
  }
}

/** Events must be a non-empty list of names the spec knows: a webhook with no events receives nothing. */
export function assertEvents(value: unknown, what: string): void {
  if (!Array.isArray(value) || value.length === 0) {
    throw new KrosValidationError(`${what} must be a non-empty array of event names (see WEBHOOK_EVENTS), got ${describe(value)}`);
  }
  const unknown = value.filter((event) => !KNOWN_EVENTS.has(event));
  if (unknown.length > 0) {
    throw new KrosValidationError(
      `${what} has unknown event name(s) ${unknown.map(describe).join(', ')}; known: ${webhookEventValues.join(', ')}`,
    );
  }
}

export function assertBoolean(value: unknown, what: string): void {
  if (typeof value !== 'boolean') throw new KrosValidationError(`${what} must be true or false, got ${describe(value)}`);
}

export function assertObject(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KrosValidationError(`${what} must be an object, got ${describe(value)}`);
  }
}

/** Extra headers: valid names, no CR/LF/NUL in values, and none of the headers the SDK manages. */
export function assertHeaders(headers: unknown, what: string): asserts headers is Record<string, string> | undefined {
  if (headers === undefined) return;
  assertObject(headers, what);
  for (const [name, value] of Object.entries(headers as object)) {
    if (!HEADER_NAME.test(name)) throw new KrosValidationError(`${what}: ${describe(name)} is not a valid header name`);
    const option = MANAGED_HEADERS[name.toLowerCase()];
    if (option) throw new KrosValidationError(`${what}: set "${name}" through the ${option} option, not as a header`);
    if (typeof value !== 'string') throw new KrosValidationError(`${what}: header "${name}" must be a string`);
    // The value is not quoted: headers often carry secrets.
    if (HEADER_VALUE_FORBIDDEN.test(value)) throw new KrosValidationError(`${what}: header "${name}" contains CR, LF or NUL`);
  }
}

export function assertTimeout(value: unknown, what: string): void {
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_MS) {
    throw new KrosValidationError(`${what} must be a number of milliseconds above 0 (at most ${MAX_TIMER_MS}), got ${describe(value)}`);
  }
}

export function assertCount(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new KrosValidationError(`${what} must be a whole number of 0 or more, got ${describe(value)}`);
  }
}

/** A credential fit for a header: the message never includes it. */
export function assertCredential(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new KrosValidationError(`${what} must be a non-empty string`);
  }
  if (/[\s\0]/.test(value)) throw new KrosValidationError(`${what} contains whitespace or control characters`);
}

/** A short, safe rendering of a rejected value for an error message. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
