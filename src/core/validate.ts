/** Checks on user input before any request. Messages never echo a header, a credential or a URL: each may hold a secret. */

import { webhookEventValues } from '../generated/api.js';
import { KrosValidationError } from './errors.js';

/** Headers the SDK sets from its own options; setting them through `headers` would bypass those. */
const MANAGED_HEADERS = ['authorization', 'x-api-key', 'x-organization-id'];
/** Headers that belong to the connection and the message framing: fetch refuses or mishandles them. */
const TRANSPORT_HEADERS = ['connection', 'content-length', 'expect', 'host', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Extra headers as a plain object, a Fetch `Headers` (an incoming request's, say), or `[name, value]` pairs. */
export type HeadersInput = Record<string, string> | Headers | ReadonlyArray<readonly [string, string]>;

function fail(message: string): never {
  throw new KrosValidationError(message);
}

/** A rejected value, shortened, for a message. Never used for headers, credentials or URL strings. */
function show(value: unknown): string {
  try {
    return String(JSON.stringify(value)).slice(0, 80);
  } catch {
    return typeof value;
  }
}

export function assertUuid(value: unknown, what: string): void {
  if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    fail(`${what} must be a UUID, got ${show(value)}`);
}

/** Whether `value` is an absolute http(s) URL. */
export function isHttpUrl(value: unknown): value is string {
  try {
    return typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** An absolute http(s) URL. The string is not quoted: its userinfo or query may be a secret. */
export function assertHttpUrl(value: unknown, what: string): URL {
  if (isHttpUrl(value)) return new URL(value);
  return fail(`${what} must be an absolute http(s) URL, got ${typeof value === 'string' ? 'a string that is not one' : show(value)}`);
}

/** The API root: no credentials (they would travel everywhere), no query or fragment (paths follow it). */
export function assertBaseUrl(value: unknown, what: string): void {
  const url = assertHttpUrl(value, what);
  if (url.username || url.password) fail(`${what} must not contain a user name or password: pass credentials as apiKey`);
  if (url.search || (value as string).includes('?')) fail(`${what} must not contain a query (?…): paths are appended to it`);
  if (url.hash || (value as string).includes('#')) fail(`${what} must not contain a fragment (#…)`);
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

/** A shallow copy of an options object; a getter that throws gives a `KrosValidationError`. */
export function readOptions<T extends object>(value: T | null | undefined, what: string): Partial<T> {
  if (value === undefined) return {};
  assertObject(value, what);
  try {
    return { ...value };
  } catch (error) {
    throw new KrosValidationError(`${what} could not be read: ${(error as Error)?.message}`, { cause: error });
  }
}

/** The JSON value that will be sent, read once: BigInt, cycles and throwing getters are refused here, not mid-request. */
export function jsonSnapshot<T>(value: T, what: string): T {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new KrosValidationError(`${what} cannot be sent as JSON: ${(error as Error)?.message}`, { cause: error });
  }
  return text === undefined ? (text as T) : JSON.parse(text);
}

/**
 * Extra headers, checked and copied: valid names, Latin-1 values without CR, LF or NUL, none the SDK
 * manages. With `organization`, a UUID `x-organization-id` passes: the spec puts it in `params.header`.
 */
export function headersFrom(input: unknown, what: string, organization = false): Headers | undefined {
  if (input === undefined) return undefined;
  if (!input || typeof input !== 'object') fail(`${what} must be an object, a Headers or [name, value] pairs`);
  const headers = new Headers();
  let pairs: unknown[];
  try {
    pairs = Array.isArray(input)
      ? [...input]
      : typeof (input as Headers).entries === 'function' && typeof (input as Headers).get === 'function'
        ? [...(input as Headers).entries()]
        : Object.entries(input);
  } catch (error) {
    throw new KrosValidationError(`${what} could not be read: ${(error as Error)?.message}`, { cause: error });
  }
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) fail(`${what}: each entry must be a [name, value] pair`);
    const [name, value] = pair;
    if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~\w-]+$/.test(name)) fail(`${what}: ${show(name)} is not a valid header name`);
    const lower = name.toLowerCase();
    if (organization && lower === 'x-organization-id') assertUuid(value, `${what}: ${name}`);
    else if (MANAGED_HEADERS.includes(lower)) fail(`${what}: set ${name} through the apiKey, authHeader or organizationId option`);
    if (TRANSPORT_HEADERS.includes(lower)) fail(`${what}: ${name} belongs to the connection; fetch sets it`);
    // The value is not quoted: headers often carry secrets.
    if (typeof value !== 'string' || !/^[^\r\n\0\u0100-\uffff]*$/.test(value)) {
      fail(`${what}: header ${show(name)} needs a string value of Latin-1 characters without CR, LF or NUL`);
    }
    headers.append(name, value);
  }
  return headers;
}

/** Milliseconds for a timer: a whole number, since setTimeout fires at once for delays above 2^31 - 1 ms. */
export function assertTimeout(value: unknown, what: string): void {
  assertWholeNumber(value, what, 1, 2 ** 31 - 1);
}

export function assertWholeNumber(value: unknown, what: string, min: number, max: number): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    fail(`${what} must be a whole number from ${min} to ${max}, got ${show(value)}`);
  }
}

/** A credential fit for a header: visible ASCII only. The message never includes it. */
export function assertCredential(value: unknown, what: string): asserts value is string {
  if (!value || typeof value !== 'string' || !/^[!-~]+$/.test(value)) {
    fail(`${what} must be a non-empty string of visible ASCII characters (no spaces)`);
  }
}
