/**
 * Credentials out of every text the SDK builds from foreign text (a server's error body, a custom
 * fetch's error message): a server may echo the token it was sent, and a fetch may print headers.
 */

/** Credential shapes worth hiding even when they are not this call's: KrosAI keys, JWTs, Bearer values. */
const CREDENTIAL_SHAPES = /kros_(?:live|test)_[!-~]+|eyJ[\w-]*\.[\w-]+\.[\w-]*|(?<=\bBearer\s+)[!-~]+/gi;

export const REDACTED = '[redacted]';

/** Replaces credentials in a text; made per call, knowing the values that call sent. */
export type Redact = (text: string) => string;

/** A redactor for `secrets` (this call's credential values), and for anything shaped like a credential. */
export function redactorFor(secrets: readonly string[]): Redact {
  return (text) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join(REDACTED);
    return result.replace(CREDENTIAL_SHAPES, REDACTED);
  };
}

/** Every string inside a JSON value, redacted; the value itself is left as it was. */
export function redactDeep(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]));
  }
  return value;
}
