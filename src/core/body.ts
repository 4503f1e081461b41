/**
 * The one bounded body reader, for API responses, verified deliveries, the mock's requests and
 * receivers' answers. It reads at most `maxBytes` (`complete: false` when there was more, the stream
 * then cancelled) into one buffer that doubles as it fills, so a million one-byte chunks cost their
 * bytes, not a million objects. `signal` cancels the stream: a stalled body cannot hold the reader.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null | undefined,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; complete: boolean }> {
  let bytes = new Uint8Array(0);
  let size = 0;
  const reader = body?.getReader();
  const cancel = () => reader?.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', cancel);
  try {
    signal?.throwIfAborted();
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
