/** Bytes on a plain ArrayBuffer, as Web Crypto takes them. */
export type Bytes = Uint8Array<ArrayBuffer>;

export const encoder = new TextEncoder();
