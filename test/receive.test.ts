import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { signWebhookPayload, type WebhookDelivery } from '@krosai/cockpit';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const SECRET = 'whsec_receiver_test';

/** A fresh, correctly signed delivery, as KrosAI would POST it. */
async function signedDelivery(overrides: Partial<WebhookDelivery> = {}) {
  const delivery = {
    id: `evt_${Math.random().toString(36).slice(2)}`,
    event: 'call.completed',
    timestamp: new Date().toISOString(),
    data: { call_id: 'call_1' },
    ...overrides,
  };
  const body = JSON.stringify(delivery);
  return { delivery, body, signature: await signWebhookPayload(body, SECRET) };
}

function post(url: string, body: string, signature?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature) headers['x-webhook-signature'] = signature;
  return fetch(url, { method: 'POST', headers, body });
}

// The recipes read KROSAI_WEBHOOK_SECRET when loaded, as they would in a real service.
vi.stubEnv('KROSAI_WEBHOOK_SECRET', SECRET);
vi.spyOn(console, 'log').mockImplementation(() => {});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const expressRecipe = () => import('../examples/receive-express.ts');

describe.each([
  ['plain node:http', async () => (await import('../examples/receive-node-http.ts')).receiver, '', true],
  [
    'Express, as written: express.raw on the webhook route before a global express.json()',
    async () => createServer((await expressRecipe()).app),
    '/webhooks/krosai',
    true,
  ],
  [
    'Express, without a global express.json()',
    async () => {
      const { receiveWebhook } = await expressRecipe();
      return createServer(express().post('/webhooks/krosai', express.raw({ type: 'application/json' }), receiveWebhook));
    },
    '/webhooks/krosai',
    false,
  ],
])('the %s receiver recipe', (_name, makeServer, path, asWritten) => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = await makeServer();
    url = (await listen(server)) + path;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a signed delivery with 204', async () => {
    const { body, signature } = await signedDelivery();
    expect((await post(url, body, signature)).status).toBe(204);
  });

  it('refuses a tampered delivery with 400 signature_mismatch', async () => {
    const { body, signature } = await signedDelivery();
    const response = await post(url, body.replace('call_1', 'call_2'), signature);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('signature_mismatch');
  });

  it('refuses an unsigned delivery with 400 missing_signature', async () => {
    const { body } = await signedDelivery();
    const response = await post(url, body);
    expect([response.status, await response.text()]).toEqual([400, 'missing_signature']);
  });

  it('refuses an unsigned POST without a body with 400 missing_signature', async () => {
    const response = await fetch(url, { method: 'POST' });
    expect([response.status, await response.text()]).toEqual([400, 'missing_signature']);
  });

  it('refuses a replayed old delivery with 400 timestamp_out_of_tolerance', async () => {
    const { body, signature } = await signedDelivery({ timestamp: new Date(Date.now() - 3_600_000).toISOString() });
    const response = await post(url, body, signature);
    expect([response.status, await response.text()]).toEqual([400, 'timestamp_out_of_tolerance']);
  });

  it('answers 413 to a signed body over 1 MiB', async () => {
    const { signature } = await signedDelivery();
    const response = await post(url, `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`, signature);
    expect(response.status).toBe(413);
  });

  it('survives a client that hangs up in the middle of its body, and goes on answering', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { signature } = await signedDelivery();
      const socket = await send(url, `x-webhook-signature: ${signature}\r\ncontent-length: 1000`, '{"id":');
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { body, signature: next } = await signedDelivery();
      expect((await post(url, body, next)).status).toBe(204);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('answers other deliveries while a client trickles its body a byte at a time', async () => {
    const { signature } = await signedDelivery();
    const socket = await send(url, `x-webhook-signature: ${signature}\r\ncontent-length: 1000`, '{');
    const trickle = setInterval(() => socket.write(' '), 1_000);
    try {
      const { body, signature: next } = await signedDelivery();
      expect((await post(url, body, next)).status).toBe(204);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  // Only the recipes as written: the third server is the bare handler, without the header check.
  if (asWritten) {
    it('refuses an unsigned delivery before reading its body', async () => {
      // 10 MiB announced, a few bytes sent: an answer can only come from the headers.
      const socket = await send(url, 'content-length: 10485760', '{"id":');
      const answer = await new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(String(chunk))));
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    });
  }
});

/** Opens a connection and sends a POST's head with `headers`, then `start` of its body; more is the caller's to send. */
async function send(url: string, headers: string, start: string): Promise<Socket> {
  const { hostname, port, pathname } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\ncontent-type: application/json\r\n${headers}\r\n\r\n${start}`);
  return socket;
}

describe('the plain node:http recipe', () => {
  it('answers 408 to a body that takes longer than the verifier allows (10 s)', { timeout: 20_000 }, async () => {
    const server = (await import('../examples/receive-node-http.ts')).receiver;
    const url = await listen(server);
    const { signature } = await signedDelivery();
    const socket = await send(url, `x-webhook-signature: ${signature}\r\ncontent-length: 1000`, '{');
    const trickle = setInterval(() => socket.write(' '), 1_000);
    try {
      const answer = await new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(String(chunk))));
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the Express recipe behind a global express.json() mounted first (the usual mistake)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const { receiveWebhook } = await expressRecipe();
    const app = express().use(express.json());
    server = createServer(app.post('/webhooks/krosai', express.raw({ type: 'application/json' }), receiveWebhook));
    url = `${await listen(server)}/webhooks/krosai`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers a signed delivery with 400 and a message that names express.json(), not with 500', async () => {
    const { body, signature } = await signedDelivery();
    const response = await post(url, body, signature);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^the raw body is a parsed object: .*express\.json\(\)/);
  });

  it('answers a signed POST without a body with 400 and a message that says so, not with 500', async () => {
    const { signature } = await signedDelivery();
    const response = await fetch(url, { method: 'POST', headers: { 'x-webhook-signature': signature } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^the raw body is missing: /);
  });

  it('answers an unsigned POST without a body with 400, not with 500', async () => {
    const response = await fetch(url, { method: 'POST' });
    expect([response.status, await response.text()]).toEqual([400, 'missing_signature']);
  });
});

describe('the Fetch API handler recipe', () => {
  const request = (body: string, signature: string) =>
    new Request('https://receiver.example/webhooks/krosai', { method: 'POST', headers: { 'x-webhook-signature': signature }, body });

  it('answers a signed delivery with 204', async () => {
    const { POST } = await import('../examples/receive-fetch.ts');
    const { body, signature } = await signedDelivery();
    expect((await POST(request(body, signature))).status).toBe(204);
  });

  /** A signed Request whose body stream is `body`. */
  const streamed = async (body: ReadableStream<Uint8Array>) => {
    const { signature } = await signedDelivery();
    const init = { method: 'POST', headers: { 'x-webhook-signature': signature }, body, duplex: 'half' };
    return new Request('https://receiver.example/webhooks/krosai', init as RequestInit);
  };

  it('answers 413 to a signed body over 1 MiB, reading no further', async () => {
    const { POST } = await import('../examples/receive-fetch.ts');
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 65_536;
        controller.enqueue(new Uint8Array(65_536).fill(0x20));
      },
    });
    expect((await POST(await streamed(body))).status).toBe(413);
    expect(pulled).toBeLessThan(2 * 1024 * 1024);
  });

  it('rejects, rather than hangs, when the client goes away mid-body', async () => {
    const { POST } = await import('../examples/receive-fetch.ts');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"id":'));
        controller.error(new TypeError('terminated'));
      },
    });
    await expect(POST(await streamed(body))).rejects.toThrow('terminated');
  });

  it("answers 408 to a body trickled one byte a second, after the verifier's 10 s", { timeout: 20_000 }, async () => {
    const { POST } = await import('../examples/receive-fetch.ts');
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        controller.enqueue(new Uint8Array([0x20]));
      },
    });
    expect((await POST(await streamed(body))).status).toBe(408);
  });

  it('answers a delivery signed with another secret with 400', async () => {
    const { POST } = await import('../examples/receive-fetch.ts');
    const { body } = await signedDelivery();
    const response = await POST(request(body, await signWebhookPayload(body, 'whsec_someone_else')));
    expect([response.status, await response.text()]).toEqual([400, 'signature_mismatch']);
  });
});

describe('the deduplication recipe', () => {
  it('handles a retried delivery once', async () => {
    const { handleOnce } = await import('../examples/receive-once.ts');
    const { delivery } = await signedDelivery();
    const handled: string[] = [];
    const handle = async (d: WebhookDelivery) => {
      handled.push(d.id);
    };
    expect(await handleOnce(delivery, handle)).toBe('handled');
    expect(await handleOnce(delivery, handle)).toBe('duplicate');
    expect(handled).toEqual([delivery.id]);
  });

  it('lets a retry through when the first attempt failed', async () => {
    const { handleOnce } = await import('../examples/receive-once.ts');
    const { delivery } = await signedDelivery();
    await expect(handleOnce(delivery, () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await handleOnce(delivery, async () => {})).toBe('handled');
  });
});
