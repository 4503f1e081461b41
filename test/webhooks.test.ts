import { KrosApiError, WEBHOOK_EVENTS, type Webhook } from '@krosai/cockpit';
import { describe, expect, it } from 'vitest';
import { takeViolations, usePrism } from './helpers/prism.ts';
import { rejectionOf } from './helpers/rejection.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID = '497f6eca-6276-4993-bfeb-53cbbbba6f08';
const ORG = '7c60d51f-b44e-4682-87d6-449835ea4de6';
const kros = usePrism().client();

/** Asks Prism to answer with a given status from the spec. */
const prefer = (code: number) => ({ headers: { Prefer: `code=${code}` } });

function expectWebhook(webhook: Webhook) {
  expect(webhook).toMatchObject({
    id: expect.stringMatching(UUID),
    url: expect.any(String),
    secret: expect.any(String),
    active: expect.any(Boolean),
    organization_id: expect.stringMatching(UUID),
  });
  for (const event of webhook.events ?? []) expect(WEBHOOK_EVENTS).toContain(event);
}

async function expectApiError(pending: Promise<unknown>, status: number) {
  const error = await rejectionOf(pending);
  expect(error).toBeInstanceOf(KrosApiError);
  expect(error).toMatchObject({
    status,
    message: expect.stringMatching(new RegExp(`^[A-Z]+ /\\S+ → ${status} \\S.* \\(127\\.0\\.0\\.1:\\d+\\)$`)),
  });
  return error as KrosApiError;
}

describe('webhooks.list', () => {
  it('returns the webhooks of the organization', async () => {
    const webhooks = await kros.webhooks.list();
    expect(webhooks.length).toBeGreaterThan(0);
    for (const webhook of webhooks) expectWebhook(webhook);
  });

  it('rejects a 401 with KrosApiError carrying the spec error body', async () => {
    const error = await expectApiError(kros.webhooks.list(prefer(401)), 401);
    expect(error.code).toEqual(expect.any(String));
  });
});

describe('webhooks.create', () => {
  it('creates a webhook without `active` (the API defaults it)', async () => {
    expectWebhook(await kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] }));
  });

  it('sends every field the user gave', async () => {
    const body = { url: 'https://example.com/hooks', events: [...WEBHOOK_EVENTS], active: false };
    expectWebhook(await kros.webhooks.create(body, { organizationId: ORG }));
  });

  it('rejects a 400 with a 400 KrosApiError', async () => {
    const body = { url: 'https://example.com/hooks', events: ['call.failed' as const] };
    await expectApiError(kros.webhooks.create(body, prefer(400)), 400);
  });
});

describe('webhooks.get', () => {
  it('returns one webhook', async () => {
    expectWebhook(await kros.webhooks.get(ID));
  });

  it('rejects a 404 with a 404 KrosApiError', async () => {
    await expectApiError(kros.webhooks.get(ID, prefer(404)), 404);
  });
});

describe('webhooks.update', () => {
  it('returns the updated webhook', async () => {
    expectWebhook(await kros.webhooks.update(ID, { active: false, events: ['number.released'] }));
  });

  it('accepts an empty patch, which the spec allows', async () => {
    expectWebhook(await kros.webhooks.update(ID, {}));
  });

  it('rejects a 400 with a 400 KrosApiError', async () => {
    await expectApiError(kros.webhooks.update(ID, { url: 'https://example.com/new' }, prefer(400)), 400);
  });

  it('rejects a 404 with a 404 KrosApiError', async () => {
    await expectApiError(kros.webhooks.update(ID, { active: true }, prefer(404)), 404);
  });
});

describe('webhooks.delete', () => {
  it('resolves to undefined on 204', async () => {
    await expect(kros.webhooks.delete(ID)).resolves.toBeUndefined();
  });

  it('rejects a 404 with a 404 KrosApiError', async () => {
    await expectApiError(kros.webhooks.delete(ID, prefer(404)), 404);
  });
});

describe('webhooks.test', () => {
  it('reports the outcome of the test delivery', async () => {
    const result = await kros.webhooks.test(ID);
    expect(result).toMatchObject({ success: expect.any(Boolean), message: expect.any(String) });
  });

  // The spec declares no error response for this operation: Prism answers a requested 404 with a
  // problem+json body of its own, as a gateway would.
  it('rejects a 404 problem+json with a 404 KrosApiError and its title', async () => {
    const error = await expectApiError(kros.webhooks.test(ID, prefer(404)), 404);
    expect(error.message).toContain('The server cannot find the requested content');
  });
});

describe('the spec check of these tests', () => {
  it('catches a request that violates the spec', async () => {
    await kros.raw.GET('/webhooks/{id}', { params: { path: { id: 'not-a-uuid' } } });
    expect(takeViolations()).toEqual([expect.stringContaining('must match format "uuid"')]);
  });
});
