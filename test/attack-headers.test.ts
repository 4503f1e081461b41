/**
 * Attacks through what the caller passes: headers the checks let through, and the raw client's
 * per-call options, which skip the facade's checks. Tests that state a guarantee the code does not
 * keep FAIL on the current code; the `holds:` ones pass.
 */
import { inspect } from 'node:util';
import { KrosApiError, type KrosClientOptions } from '@krosai/cockpit';
import { describe, expect, it } from 'vitest';
import { loggingClient, serversPerTest } from './helpers/clients.ts';
import { rejectionOf } from './helpers/rejection.ts';
import type { Responder, TestServer } from './helpers/server.ts';

const KEY = 'kros_live_ATTACKHEADERS42';
const _ORG = '11111111-1111-4111-8111-111111111111';
const _OTHER_ORG = '22222222-2222-4222-8222-222222222222';
const _BODY = { url: 'https://example.com/hooks', events: ['call.completed' as const] };

const serve = serversPerTest();
/** A client with short timings against `server`, and its log lines. */
function clientOf(server: TestServer, options: KrosClientOptions = {}) {
  return loggingClient({ baseUrl: server.url, apiKey: KEY, timeoutMs: 1000, initialRetryDelayMs: 10, ...options });
}

describe('a credential a server echoes in a response header', () => {
  const echo: Responder = (request, response) => {
    response.writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer error="invalid_token", error_description="revoked: ${request.headers.authorization}"`,
    });
    response.end(JSON.stringify({ error: 'Unauthorized', code: 'UNAUTHORIZED' }));
  };

  it('is not readable from KrosApiError.headers (what a logger that prints error.headers shows)', async () => {
    const api = await serve(echo);
    const { kros } = clientOf(api, { maxRetries: 0 });
    const error = (await rejectionOf(kros.webhooks.list())) as KrosApiError;
    expect(error).toBeInstanceOf(KrosApiError);
    const shown = inspect(error.headers);
    expect(shown).not.toContain(KEY);
    expect(error.headers.get('www-authenticate')).not.toContain(KEY);
  });

  it('holds: util.inspect(error) and JSON.stringify(error) do not show it', async () => {
    const api = await serve(echo);
    const { kros } = clientOf(api, { maxRetries: 0 });
    const error = (await rejectionOf(kros.webhooks.list())) as KrosApiError;
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(String(error)).not.toContain(KEY);
    expect(error.stack).not.toContain(KEY);
  });
});
