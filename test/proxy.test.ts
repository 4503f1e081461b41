/**
 * The proxy recipe of docs/client.md (examples/proxy.ts) against a local proxy that wants a password:
 * every request goes through it, and neither the SDK's log nor its errors hold that password or the
 * API key.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { KrosConnectionError } from '@krosai/cockpit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loggingClient } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { type Responder, reply, script, startServer, type TestServer } from './helpers/server.ts';

const KEY = 'kros_live_PROXYKEY42';
// Not shaped like a key: the SDK cannot know it is a secret, so nothing of the SDK may see it.
const PASSWORD = 'corporate-pa55word';
const WEBHOOK = { id: '497f6eca-6276-4993-bfeb-53cbbbba6f08', url: 'https://example.com/hooks', events: ['call.completed'] };

interface Proxy {
  url: string;
  /** The password it accepts. */
  password: string;
  /** The `host:port` of each tunnel it opened. */
  tunnels: string[];
  /** The HTTP requests it carried, counted from their request lines. */
  requests: number;
  /** The CONNECTs it refused with 407. */
  refused: number;
  close(): Promise<void>;
}

/** An HTTP proxy on a free port that tunnels (CONNECT) for user `kros` and its password, as undici's ProxyAgent asks. */
async function startProxy(): Promise<Proxy> {
  const proxy = { password: PASSWORD, tunnels: [] as string[], requests: 0, refused: 0 };
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    if (request.headers['proxy-authorization'] !== `Basic ${Buffer.from(`kros:${proxy.password}`).toString('base64')}`) {
      proxy.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    proxy.tunnels.push(request.url ?? '');
    const { hostname, port } = new URL(`http://${request.url}`);
    const upstream = connect(Number(port), hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      // The tunnel carries plain HTTP here, so the proxy can count the requests in it.
      const count = (chunk: Buffer) => {
        proxy.requests += String(chunk).match(/^[A-Z]+ \S+ HTTP\/1\.1\r$/gm)?.length ?? 0;
      };
      count(head);
      upstream.write(head);
      client.on('data', count);
      client.pipe(upstream).pipe(client);
    });
    track(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

let proxy: Proxy;
let api: TestServer;
let answer: Responder;
// The API closes each connection, so each request opens its own tunnel: no test rides on the last one's.
const CLOSE = { connection: 'close' };
let recipe: typeof import('../examples/proxy.ts');

beforeAll(async () => {
  proxy = await startProxy();
  api = await startServer((request, response) => answer(request, response));
  // The environment the recipe reads when it loads; the lower-case names win in undici, so both.
  const proxyUrl = `http://kros:${PASSWORD}@${new URL(proxy.url).host}`;
  for (const name of ['HTTP_PROXY', 'http_proxy']) vi.stubEnv(name, proxyUrl);
  for (const name of ['NO_PROXY', 'no_proxy']) vi.stubEnv(name, '');
  vi.stubEnv('KROSAI_API_KEY', KEY);
  vi.stubEnv('KROSAI_BASE_URL', api.url);
  recipe = await import('../examples/proxy.ts');
});
afterEach(() => {
  Object.assign(proxy, { password: PASSWORD, tunnels: [], requests: 0, refused: 0 });
  api.requests.length = 0;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([proxy?.close(), api?.close()]);
});

describe('the proxy recipe', () => {
  it('sends the request through the proxy, with the proxy’s credential', async () => {
    answer = reply(200, [WEBHOOK], CLOSE);
    expect(await recipe.kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(proxy.tunnels).toEqual([new URL(api.url).host]);
    expect(proxy.requests).toBe(1);
    expect(api.requests.map(({ headers }) => headers.authorization)).toEqual([`Bearer ${KEY}`]);
  });

  it('retries through the proxy, and logs neither the API key nor the proxy’s password', async () => {
    answer = script(reply(503, undefined, CLOSE), reply(200, [WEBHOOK], CLOSE));
    const { kros, log } = loggingClient({ fetch: recipe.fetchViaProxy, baseUrl: api.url, apiKey: KEY, initialRetryDelayMs: 10 });
    expect(await kros.webhooks.list()).toEqual([WEBHOOK]);
    expect(api.requests).toHaveLength(2);
    expect(proxy.tunnels).toHaveLength(2);
    expect(proxy.requests).toBe(2);
    expect(log).toHaveLength(1);
    expect(log.join('\n')).not.toMatch(new RegExp(`${KEY}|${PASSWORD}`));
  });

  it('rejects with KrosConnectionError when the proxy refuses its credential, without it', async () => {
    proxy.password = 'rotated-since';
    const { kros, log } = loggingClient({ fetch: recipe.fetchViaProxy, baseUrl: api.url, apiKey: KEY, initialRetryDelayMs: 10 });
    const error = await rejectionOf(kros.webhooks.list());
    expect(error).toBeInstanceOf(KrosConnectionError);
    expect(proxy.refused).toBe(3);
    expect(api.requests).toHaveLength(0);
    const shown = [String(error), JSON.stringify(error), inspect(error, { depth: null }), ...log].join('\n');
    expect(shown).not.toMatch(new RegExp(`${KEY}|${PASSWORD}`));
    expect(log).toHaveLength(2);
  });
});
