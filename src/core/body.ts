/**
 * The one bounded body reader: API responses, deliveries the verifier reads, requests the mock
 * serves, and receivers' answers to test deliveries all go through it.
 */

/** What {@link readBounded} read: the bytes, and whether the body ended within the limit. */
export interface BoundedBody {
  /** The whole body, or its first `maxBytes` when it was longer. */
  bytes: Uint8Array<ArrayBuffer>;
  /** False when the body went past `maxBytes`: reading stopped there and the stream was cancelled. */
  complete: boolean;
}

/**
 * Reads `body` up to `maxBytes` into one buffer that doubles as it fills, so a million one-byte
 * chunks cost their bytes, not a million objects. `signal` cancels the stream, so a body that
 * stalls cannot hold the reader; it then rejects with the signal's reason.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null | undefined,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<BoundedBody> {
  let bytes = new Uint8Array(0);
  let size = 0;
  const reader = body?.getReader();
  const cancel = () => reader?.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', cancel);
  try {
    for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
      const chunk = read.value.subarray(0, maxBytes - size);
      if (size + chunk.length > bytes.length) {
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(size + chunk.length, bytes.length * 2)));
        grown.set(bytes);
        bytes = grown;
      }
      bytes.set(chunk, size);
      size += chunk.length;
      if (chunk.length < read.value.length) {
        cancel();
        return { bytes: bytes.subarray(0, size), complete: false };
      }
    }
    signal?.throwIfAborted();
    return { bytes: bytes.subarray(0, size), complete: true };
  } catch (error) {
    cancel();
    throw error;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
