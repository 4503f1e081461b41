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
