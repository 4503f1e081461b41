// The receiver recipes of README.md and docs/receiving-webhooks.md, run as written.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignedDelivery, type SignedDelivery } from '@krosai/cockpit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rawExchange } from './helpers/server.ts';

const SECRET = 'whsec_receiver_test';

// The recipes read KROSAI_WEBHOOK_SECRET when loaded, as they would in a real service.
vi.stubEnv('KROSAI_WEBHOOK_SECRET', SECRET);
vi.spyOn(console, 'log').mockImplementation(() => {});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const signed = (data: Record<string, unknown> = { call_id: 'call_1', duration: 42 }) =>
  createSignedDelivery('call.completed', data, SECRET);
const head = ({ headers }: SignedDelivery, extra: string) =>
  `POST /webhooks/krosai HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}${extra}\r\n`;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each([
  ['node:http', async () => ({ url: await listen((await import('../examples/receive-node-http.ts')).receiver), path: '/webhooks/krosai' })],
  [
    'Express',
    async () => ({ url: await listen(createServer((await import('../examples/receive-express.ts')).app)), path: '/webhooks/krosai' }),
  ],
  [
    'Fastify',
    async () => {
      const { app } = await import('../examples/receive-fastify.ts');
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, path: '/webhooks/krosai', close: () => app.close() };
    },
  ],
])('the %s recipe', (_name, start) => {
  let url: string;
  let close: (() => unknown) | undefined;
  beforeAll(async () => {
    const started = await start();
    url = `${started.url}${started.path}`;
    close = 'close' in started ? (started.close as () => unknown) : undefined;
  });
  afterAll(() => close?.());

  const post = async (delivery: SignedDelivery) => {
    const response = await fetch(url, { method: 'POST', ...delivery });
    return [response.status, await response.json()];
  };

  it('handles a delivery once, and acknowledges its retry as a duplicate', async () => {
    const delivery = await signed();
    expect(await post(delivery)).toEqual([200, { status: 'handled' }]);
    expect(await post(delivery)).toEqual([200, { status: 'duplicate' }]);
  });

  it('refuses a tampered delivery with 400 signature_mismatch', async () => {
    const delivery = await signed();
    const [status, body] = await post({ ...delivery, body: delivery.body.replace('42', '43') });
    expect([status, body.error]).toEqual([400, 'signature_mismatch']);
  });

  it('refuses an unsigned delivery before its body arrives', async () => {
    const answer = await rawExchange(
      url,
      'POST /webhooks/krosai HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 10485760\r\n\r\n{',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const answer = await rawExchange(url, `${head(await signed(), 'content-length: 2097152\r\n')}{"pad":"`);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('goes on answering after a client hangs up mid-body', async () => {
    await rawExchange(url, `${head(await signed(), 'content-length: 1000\r\n')}{"id":`, { hangUp: true });
    expect((await post(await signed()))[0]).toBe(200);
  });
});

describe('the Fetch API recipe', () => {
  const request = (delivery: SignedDelivery) => new Request('https://receiver.example/webhooks/krosai', { method: 'POST', ...delivery });

  it('handles a delivery once, and refuses one signed with another secret', async () => {
    const { POST } = await import('../examples/receive-fetch.ts');
    const delivery = await signed();
    expect((await POST(request(delivery))).status).toBe(200);
    expect(await (await POST(request(delivery))).json()).toEqual({ status: 'duplicate' });
    const stranger = await createSignedDelivery('call.completed', {}, 'whsec_someone_else');
    expect((await POST(request(stranger))).status).toBe(400);
  });

  it('answers 413 to a signed body over 1 MiB, reading no further', async () => {
    const { POST } = await import('../examples/receive-fetch.ts');
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 65_536;
        controller.enqueue(new Uint8Array(65_536).fill(0x20));
      },
    });
    const { headers } = await signed();
    const init = { method: 'POST', headers, body, duplex: 'half' };
    expect((await POST(new Request('https://receiver.example/webhooks/krosai', init as RequestInit))).status).toBe(413);
    expect(pulled).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('the Lambda recipe', () => {
  it('handles an HTTP API event with a base64 body', async () => {
    const { handler } = await import('../examples/receive-lambda.ts');
    const { body, headers } = await signed();
    const event = {
      requestContext: { http: { method: 'POST' } },
      headers,
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    };
    expect(await handler(event)).toMatchObject({ statusCode: 200, body: '{"status":"handled"}' });
  });
});
