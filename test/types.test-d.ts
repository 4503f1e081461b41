import {
  createKrosClient,
  type HeadersInput,
  isWebhookEvent,
  type KrosClient,
  type KrosClientOptions,
  type RequestOptions,
  verifyWebhook,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookCreate,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookTestResult,
  type WebhookUpdate,
  type WithResponse,
} from '@krosai/cockpit';
import type { TracerProvider } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expectTypeOf, it } from 'vitest';

const kros: KrosClient = createKrosClient({ apiKey: 'kros_test_abc' });
const id = '497f6eca-6276-4993-bfeb-53cbbbba6f08';

describe('request bodies', () => {
  it('lets create omit active, which has a default', () => {
    kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.completed'] });
    expectTypeOf<WebhookCreate>().toHaveProperty('active').toEqualTypeOf<boolean | undefined>();
  });

  it('refuses an unknown event name', () => {
    // @ts-expect-error "call.exploded" is not a WebhookEvent
    kros.webhooks.create({ url: 'https://example.com/hooks', events: ['call.exploded'] });
  });

  it('refuses a create body without url', () => {
    // @ts-expect-error url is required
    kros.webhooks.create({ events: ['call.completed'] });
  });

  it('accepts readonly event lists: WEBHOOK_EVENTS and as const arrays', () => {
    kros.webhooks.create({ url: 'https://example.com/hooks', events: WEBHOOK_EVENTS });
    const events = ['call.completed', 'call.failed'] as const;
    kros.webhooks.create({ url: 'https://example.com/hooks', events });
    kros.webhooks.update(id, { events });
  });

  it('narrows a string[] from configuration with isWebhookEvent', () => {
    const configured: string[] = ['call.completed'];
    // @ts-expect-error a plain string[] is not a list of event names
    kros.webhooks.create({ url: 'https://example.com/hooks', events: configured });
    kros.webhooks.create({ url: 'https://example.com/hooks', events: configured.filter(isWebhookEvent) });
    expectTypeOf(configured.filter(isWebhookEvent)).toEqualTypeOf<WebhookEvent[]>();
  });

  it('makes every field of an update optional', () => {
    expectTypeOf<Record<string, never>>().toExtend<WebhookUpdate>();
    // @ts-expect-error active is a boolean
    kros.webhooks.update(id, { active: 'yes' });
  });
});

describe('return types', () => {
  it('types each of the six methods', () => {
    expectTypeOf(kros.webhooks.list()).resolves.toEqualTypeOf<Webhook[]>();
    expectTypeOf(kros.webhooks.create({ url: 'https://example.com', events: ['call.failed'] })).resolves.toEqualTypeOf<Webhook>();
    expectTypeOf(kros.webhooks.get(id)).resolves.toEqualTypeOf<Webhook>();
    expectTypeOf(kros.webhooks.update(id, { active: false })).resolves.toEqualTypeOf<Webhook>();
    expectTypeOf(kros.webhooks.delete(id)).resolves.toEqualTypeOf<void>();
    expectTypeOf(kros.webhooks.test(id)).resolves.toEqualTypeOf<WebhookTestResult>();
  });

  it('gives withResponse() the data, the response and the request id', () => {
    expectTypeOf(kros.webhooks.list().withResponse()).resolves.toEqualTypeOf<WithResponse<Webhook[]>>();
    expectTypeOf<WithResponse<Webhook>['requestId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<WithResponse<Webhook>['response']>().toEqualTypeOf<Response>();
  });

  it('types webhook fields from the spec', () => {
    expectTypeOf<Webhook['events']>().toEqualTypeOf<WebhookEvent[] | undefined>();
    expectTypeOf<WebhookTestResult['status_code']>().toEqualTypeOf<number | null | undefined>();
  });

  it('gives WEBHOOK_EVENTS the WebhookEvent union', () => {
    expectTypeOf(WEBHOOK_EVENTS).toEqualTypeOf<readonly WebhookEvent[]>();
    expectTypeOf<'call.completed'>().toExtend<WebhookEvent>();
    expectTypeOf<string>().not.toExtend<WebhookEvent>();
  });

  it('keeps raw calls typed by the spec', () => {
    const pending = kros.raw.GET('/webhooks/{id}', { params: { path: { id } } });
    expectTypeOf(pending).resolves.toHaveProperty('data').toEqualTypeOf<Webhook | undefined>();
    // @ts-expect-error the path parameter is required
    kros.raw.GET('/webhooks/{id}', {});
  });
});

describe('options', () => {
  it('accepts the documented request options', () => {
    expectTypeOf<RequestOptions>().toEqualTypeOf<{
      organizationId?: string;
      headers?: HeadersInput;
      signal?: AbortSignal;
      timeoutMs?: number;
      maxRetries?: number;
      maxResponseBytes?: number;
    }>();
  });

  it('accepts a key, a sync or an async token function', () => {
    createKrosClient({ apiKey: () => 'jwt' });
    createKrosClient({ apiKey: async () => 'jwt', authHeader: 'x-api-key' });
    // @ts-expect-error only the two documented header forms
    createKrosClient({ apiKey: 'k', authHeader: 'bearer' });
  });
});

describe('webhook deliveries', () => {
  it('offers the spec event names and still takes names it does not know', () => {
    expectTypeOf<WebhookEvent>().toExtend<WebhookDelivery['event']>();
    expectTypeOf<'call.transferred'>().toExtend<WebhookDelivery['event']>();
    expectTypeOf(verifyWebhook).returns.resolves.toEqualTypeOf<WebhookDelivery>();
  });

  it('takes raw bodies, not parsed objects', () => {
    verifyWebhook(new Uint8Array(), 'sha256=00', 'secret');
    // @ts-expect-error a parsed body would not match the signature
    verifyWebhook({ id: 'evt_1' }, 'sha256=00', 'secret');
  });
});

describe('OpenTelemetry', () => {
  it("takes OpenTelemetry's TracerProvider and the SDK's as tracerProvider, with no import of its types", () => {
    expectTypeOf<TracerProvider>().toExtend<NonNullable<KrosClientOptions['tracerProvider']>>();
    expectTypeOf<BasicTracerProvider>().toExtend<NonNullable<KrosClientOptions['tracerProvider']>>();
  });
});
