/**
 * Serves a fetch-style handler over `node:http` on 127.0.0.1, for apps in another process or
 * language. `node:http` is imported only when a server starts, so the in-process mock also runs
 * where there is none (a browser test, an edge runtime); there `listen()` rejects.
 */

/**
 * A running mock server; `close()` stops it and drops open connections.
 *
 * @example
 * ```ts
 * const server: MockServer = await mock.listen();
 * console.log(server.url); // http://127.0.0.1:53412
 * await server.close();
 * ```
 */
export interface MockServer {
  /** `http://127.0.0.1:<port>`, the base URL to give the app under test. */
  url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** The parts of a request the mock reads. */
export interface IncomingCall {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

const NODE_HTTP = 'node:http';

/** Request bodies past this size are refused: the six operations take a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function serve(handle: (call: IncomingCall) => Promise<Response>, port: number): Promise<MockServer> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be 0 to 65535, got ${port}`);
  // Not a literal: a browser bundle of this entry (vitest browser mode) must not try to resolve node:http.
  const { createServer }: typeof import('node:http') = await import(NODE_HTTP);
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        outgoing.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        outgoing.end(JSON.stringify({ error: 'Request body over 1 MiB', code: 'PAYLOAD_TOO_LARGE' }));
        return;
      }
      chunks.push(chunk);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      for (const item of ([] as string[]).concat(value ?? [])) headers.append(name, item);
    }
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const response = await handle({ method: incoming.method ?? 'GET', url, headers, body: Buffer.concat(chunks).toString('utf8') });
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
