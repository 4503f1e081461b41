import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Responder = (request: RecordedRequest, response: ServerResponse) => void;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Answers with a status and a JSON (or raw string) body. */
export function reply(status: number, body?: unknown, headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? {} : { 'content-type': 'application/json' };
    response.writeHead(status, { ...type, ...headers }).end(text);
  };
}

/** A local HTTP server on a free port that records every request it gets. */
export async function startServer(respond: Responder = reply(200, []), port = 0): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (incoming, response) => {
    let body = '';
    for await (const chunk of incoming) body += chunk;
    const request = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body };
    requests.push(request);
    respond(request, response);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers the n-th request with the n-th responder; the last one answers the rest. */
export function script(...steps: Responder[]): Responder {
  let calls = 0;
  return (request, response) => steps[Math.min(calls++, steps.length - 1)]!(request, response);
}

/** Never answers. */
export const hang: Responder = () => {};

/** Sends headers and part of the body, then resets the connection. */
export const resetMidResponse: Responder = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
  response.write('[{"id":"497f6eca');
  setTimeout(() => response.socket?.resetAndDestroy(), 10);
};

/** Answers after `ms`. */
export function delayed(ms: number, respond: Responder): Responder {
  return (request, response) => {
    setTimeout(() => respond(request, response), ms);
  };
}

/** A TCP server that answers every request with exactly these bytes: for status lines node:http would not write. */
export async function startRawServer(answer: Buffer): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('data', (data) => {
      const [method = '', url = ''] = data.toString('latin1').split(' ');
      requests.push({ method, url, headers: {}, body: '' });
      socket.end(answer);
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends `bytes` as they are on a new connection (hanging up at once if asked) and resolves to what came back before it closed. */
export function rawExchange(url: string, bytes: string, { hangUp = false } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), hostname, () => {
      socket.write(bytes);
      if (hangUp) socket.destroy();
    });
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
