/**
 * Credentials out of text a server or a custom fetch wrote, which may echo the token sent. Linear in
 * the text: a hostile server picks it, so no pattern may backtrack.
 */

/** KrosAI keys, JWTs (tried once per run of word characters) and Bearer values, even when not this call's. */
const CREDENTIAL_SHAPES = /kros_(?:live|test)_[!-~]+|(?<![\w-])eyJ[\w-]*\.[\w-]+\.[\w-]*|\b(Bearer\s+)[!-~]+/gi;

export const REDACTED = '[redacted]';

/** How deep `redactDeep` goes into a server's JSON; deeper values are replaced, not walked. */
const MAX_DEPTH = 32;

/** Replaces credentials in a text; made per call, knowing the values that call sent. */
export type Redact = (text: string) => string;

/** A redactor for `secrets` (this call's credential values), and for anything shaped like a credential. */
export function redactorFor(secrets: readonly string[]): Redact {
  return (text) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join(REDACTED);
    return result.replace(CREDENTIAL_SHAPES, (_match, bearer?: string) => (bearer ? `${bearer}${REDACTED}` : REDACTED));
  };
}

/** Control characters as `\uXXXX`: a server's text must not forge a log line or colour a terminal. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
  return text.replace(/[\0-\x1f\x7f-\x9f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every string inside a JSON value, redacted, down to MAX_DEPTH levels; the value itself is left as it was. */
export function redactDeep(value: unknown, redact: Redact, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (!value || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact, depth + 1)]));
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A copy of `error` for `inspect` to render as it renders errors: same class, each value redacted,
 * `Headers` as a plain object (`Headers {}` otherwise), causes copied the same way a few levels down.
 */
export function errorView(error: Error, redact: Redact, depth: number): Error {
  // Own name and message: a DOMException's are getters that throw on any other object.
  const view = Object.create(Object.getPrototypeOf(error), {
    [INSPECT]: { value: undefined },
    name: { value: error.name, configurable: true },
    message: { value: redact(String(error.message)), configurable: true },
  });
  for (const key of Reflect.ownKeys(error)) {
    const property = Object.getOwnPropertyDescriptor(error, key) as PropertyDescriptor;
    const { value } = property;
    if ('value' in property) {
      property.value =
        value instanceof Error && depth < 8
          ? errorView(value, redact, depth + 1)
          : value instanceof Headers
            ? Object.fromEntries([...value].map(([name, text]) => [name, redact(text)]))
            : redactDeep(value, redact);
    }
    Object.defineProperty(view, key, property);
  }
  return view;
}
