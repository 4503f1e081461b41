/**
 * Credentials out of every text the SDK builds from foreign text (a server's error body, a custom
 * fetch's error message): a server may echo the token it was sent, and a fetch may print headers.
 * Linear in the text: a hostile server picks the text, so no pattern may backtrack over it.
 */

/**
 * Credential shapes worth hiding even when they are not this call's: KrosAI keys, JWTs (starting
 * where no other word character precedes them, so a long run is tried once), Bearer values.
 */
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

/** Every string inside a JSON value, redacted, down to MAX_DEPTH levels; the value itself is left as it was. */
export function redactDeep(value: unknown, redact: Redact, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (!value || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact, depth + 1)]));
}
