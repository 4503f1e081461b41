/** Bytes on a plain ArrayBuffer, as Web Crypto takes them. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A body as the HMAC modules take it: bytes, or a string, which stands for its UTF-8 bytes. */
export type Payload = string | Bytes;

export const encoder = new TextEncoder();

/** The default `maxBodyBytes`, 1 MiB; also how large a buffer the verifier keeps between calls. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
