/**
 * Serves a fetch-style handler over `node:http` on 127.0.0.1, for apps in another process or
 * language. `node:http` is imported only when a server starts, so the in-process mock also runs
 * where there is none (a browser test, an edge runtime); there `listen()` rejects.
 */
import { readBounded } from '../core/body.js';

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

/** Request bodies past this size are refused: the six operations take a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Serves `handle` to requests whose `Host` names one of `hosts`; any other gets 421. */
export async function serve(handle: (call: IncomingCall) => Promise<Response>, port: number, hosts: string[]): Promise<MockServer> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be 0 to 65535, got ${port}`);
  // Not literals: a browser bundle of this entry (vitest browser mode) must not try to resolve them.
  const [{ createServer }, { Readable }]: [typeof import('node:http'), typeof import('node:stream')] = await Promise.all(
    ['node:http', 'node:stream'].map((name) => import(name)) as [never, never],
  );
  const answer = async (incoming: import('node:http').IncomingMessage, outgoing: import('node:http').ServerResponse) => {
    // Any request target, however malformed, gets an answer: `//[` is no URL, and must not stop the server.
    const url = parseUrl(incoming.url ?? '/');
    if (!url) return send(outgoing, problem(400, 'Invalid request target', 'BAD_REQUEST'));
    const host = parseUrl(`http://${incoming.headers.host}`)?.hostname.toLowerCase();
    if (!host || !hosts.some((allowed) => allowed.toLowerCase() === host)) {
      return send(outgoing, problem(421, 'This mock does not answer that Host (see allowedHosts)', 'MISDIRECTED_REQUEST'));
    }
    const { bytes, complete } = await readBounded(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, MAX_BODY_BYTES);
    if (!complete) return send(outgoing, problem(413, 'Request body over 1 MiB', 'PAYLOAD_TOO_LARGE'));
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      for (const item of ([] as string[]).concat(value ?? [])) headers.append(name, item);
    }
    const body = new TextDecoder().decode(bytes);
    await send(outgoing, await handle({ method: incoming.method ?? 'GET', url, headers, body }));
  };
  const server = createServer((incoming, outgoing) => {
    // A client that goes away mid-body ends only its own request.
    answer(incoming, outgoing).catch(() => outgoing.destroy());
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

async function send(outgoing: import('node:http').ServerResponse, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  outgoing.end(body);
}

/** An error answer in the spec's `Error` shape; the connection closes after it. */
function problem(status: number, error: string, code: string): Response {
  return Response.json({ error, code }, { status, headers: { connection: 'close', 'x-request-id': newRequestId() } });
}

/** The `x-request-id` of one answer. */
export function newRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll('-', '')}`;
}

function parseUrl(target: string): URL | undefined {
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}
