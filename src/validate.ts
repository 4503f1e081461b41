/**
 * Checks on user input, run before any request is built. Messages say what is wrong and where, but
 * never echo a header value or a credential: either may be a secret.
 */
import { KrosValidationError } from './errors.js';
import { webhookEventValues } from './generated/api.js';

/** Headers the SDK sets from its own options; setting them through `headers` would bypass those. */
const MANAGED_HEADERS = ['authorization', 'x-api-key', 'x-organization-id'];

function fail(message: string): never {
  throw new KrosValidationError(message);
}

/** A rejected value, shortened, for a message. Never used for headers or credentials. */
function show(value: unknown): string {
  return String(JSON.stringify(value)).slice(0, 80);
}

export function assertUuid(value: unknown, what: string): void {
  if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    fail(`${what} must be a UUID, got ${show(value)}`);
}

export function assertHttpUrl(value: unknown, what: string): void {
  try {
    if (typeof value === 'string' && /^https?:$/.test(new URL(value).protocol)) return;
  } catch {}
  fail(`${what} must be an absolute http(s) URL, got ${show(value)}`);
}

/** Events must be a non-empty list of names the spec knows: a webhook with no events receives nothing. */
export function assertEvents(value: unknown, what: string): void {
  if (!Array.isArray(value) || !value.length) fail(`${what} must be a non-empty array of event names, got ${show(value)}`);
  const unknown = value.filter((event) => !webhookEventValues.includes(event));
  if (unknown.length) fail(`${what}: unknown ${show(unknown)}; known: ${webhookEventValues.join(', ')}`);
}

export function assertBoolean(value: unknown, what: string): void {
  if (typeof value !== 'boolean') fail(`${what} must be true or false, got ${show(value)}`);
}

export function assertObject(value: unknown, what: string): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${what} must be an object`);
}

/** Extra headers: valid names, string values without CR/LF/NUL, and none that the SDK manages. */
export function assertHeaders(headers: object | undefined, what: string): void {
  if (headers === undefined) return;
  assertObject(headers, what);
  for (const [name, value] of Object.entries(headers)) {
    if (MANAGED_HEADERS.includes(name.toLowerCase())) fail(`${what}: set ${name} through the apiKey, authHeader or organizationId option`);
    // The value is not quoted: headers often carry secrets.
    if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(name) || typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      fail(`${what}: header ${show(name)} needs a valid name and a string value without CR, LF or NUL`);
    }
  }
}

/** Milliseconds for a timer: setTimeout fires at once for delays above 2^31 - 1 ms. */
export function assertTimeout(value: unknown, what: string): void {
  if (typeof value !== 'number' || !(value > 0 && value < 2 ** 31)) fail(`${what} must be 1 to 2^31 - 1 ms, got ${show(value)}`);
}

export function assertCount(value: unknown, what: string): void {
  if (!Number.isInteger(value) || (value as number) < 0) fail(`${what} must be a whole number >= 0, got ${show(value)}`);
}

/** A credential fit for a header: the message never includes it. */
export function assertCredential(value: unknown, what: string): asserts value is string {
  if (!value || typeof value !== 'string' || /[\s\0]/.test(value)) fail(`${what} must be a non-empty string without whitespace`);
}
