/**
 * Attacks on the testing kit and on the SDK driven through it: what a test suite that uses
 * `createMockKrosApi` sees. Tests that state a guarantee the code does not keep FAIL on the current
 * code; the `holds:` ones pass.
 */
import { inspect } from 'node:util';
import { createKrosClient, KrosError, KrosNotFoundError } from '@krosai/cockpit';
import { createMockKrosApi } from '@krosai/cockpit/testing';
import { describe, expect, it } from 'vitest';
import { rejectionOf } from './helpers/rejection.ts';

const KEY = 'kros_live_ATTACKTESTING42';
const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';

describe('the SDK on mock.fetch', () => {
  it('a delete retried after a 503 that finds no webhook resolves (or rejects with a KrosError) when the logger has info', async () => {
    const mock = createMockKrosApi();
    const log: string[] = [];
    // `logger: console` is what the README suggests; any logger with `info` takes this path.
    const kros = createKrosClient({
      fetch: mock.fetch,
      baseUrl: mock.baseUrl,
      apiKey: KEY,
      initialRetryDelayMs: 1,
      logger: { info: (line) => log.push(line), warn: (line) => log.push(line) },
    });
    mock.failNext({ status: 503 });
    const outcome = await kros.webhooks.delete(ID).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(outcome === 'resolved' || outcome instanceof KrosError).toBe(true);
  });

  it('holds: the same delete without a logger that has info resolves', async () => {
    const mock = createMockKrosApi();
    const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: KEY, initialRetryDelayMs: 1 });
    mock.failNext({ status: 503 });
    await expect(kros.webhooks.delete(ID)).resolves.toBeUndefined();
  });

  it('holds: a first-attempt 404 still rejects with KrosNotFoundError', async () => {
    const mock = createMockKrosApi();
    const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: KEY, logger: console });
    expect(await rejectionOf(kros.webhooks.delete(ID))).toBeInstanceOf(KrosNotFoundError);
  });
});

describe('holds: the mock records no credential', () => {
  it.each(['authorization', 'x-api-key'] as const)(
    '%s: requests, onRequest, JSON and inspect of the mock are redacted',
    async (authHeader) => {
      const seen: unknown[] = [];
      const mock = createMockKrosApi({ onRequest: (request) => seen.push(structuredClone(request)) });
      const kros = createKrosClient({ fetch: mock.fetch, baseUrl: mock.baseUrl, apiKey: KEY, authHeader });
      await kros.webhooks.create({ url: 'https://example.com/h', events: ['call.completed'] });
      await kros.webhooks.list();
      const server = await mock.listen();
      try {
        const overHttp = createKrosClient({ baseUrl: server.url, apiKey: KEY, authHeader });
        await overHttp.webhooks.list();
      } finally {
        await server.close();
      }
      const texts = [
        JSON.stringify(mock.requests),
        JSON.stringify(seen),
        inspect(mock, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      ];
      for (const text of texts) expect(text).not.toContain(KEY);
      expect(mock.requests).toHaveLength(3);
    },
  );
});
