import { createWebhookHandler, type KrosDelivery, type WebhookDelivery } from '@krosai/cockpit/webhooks';
import { describe, expectTypeOf, it } from 'vitest';

// A team declares its payloads once, by declaration merging (an event name of its own here, so that
// the spec's events keep their default type in the other tests).
declare module '@krosai/cockpit/webhooks' {
  interface KrosEventMap {
    'agent.escalated': { agent_id: string; reason: 'timeout' | 'request' };
  }
}

type CallCompleted = { call_id: string; duration: number };

describe('typed payloads', () => {
  it('types delivery.data from the merged KrosEventMap, with no cast', () => {
    createWebhookHandler({
      secret: 'whsec_types',
      on: {
        'agent.escalated': (delivery) => {
          expectTypeOf(delivery.data).toEqualTypeOf<{ agent_id: string; reason: 'timeout' | 'request' }>();
          expectTypeOf(delivery.event).toEqualTypeOf<'agent.escalated'>();
        },
      },
    });
  });

  it('types delivery.data from a map passed as a type parameter', () => {
    createWebhookHandler<{ 'call.completed': CallCompleted }>({
      secret: 'whsec_types',
      on: {
        'call.completed': (delivery) => expectTypeOf(delivery.data.duration).toEqualTypeOf<number>(),
        // The spec's other events are still there, with the default payload.
        'call.failed': (delivery) => expectTypeOf(delivery.data).toEqualTypeOf<Record<string, unknown>>(),
      },
    });
  });

  it('gives the spec events without a declared payload Record<string, unknown>', () => {
    createWebhookHandler({
      secret: 'whsec_types',
      on: { 'call.completed': (delivery) => expectTypeOf(delivery).toEqualTypeOf<KrosDelivery<'call.completed'>>() },
      onAny: (delivery) => expectTypeOf(delivery).toEqualTypeOf<WebhookDelivery>(),
    });
  });

  it('makes a misspelt event name a type error', () => {
    createWebhookHandler({
      secret: 'whsec_types',
      on: {
        // @ts-expect-error "call.complete" is no event of the spec or the map
        'call.complete': () => {},
      },
    });
    createWebhookHandler<{ 'call.completed': CallCompleted }>({
      secret: 'whsec_types',
      // @ts-expect-error "call.completd" is misspelt
      on: { 'call.completd': () => {} },
    });
  });

  it('accepts the secret as an environment variable gives it, or a rotation pair', () => {
    createWebhookHandler({ secret: process.env.KROSAI_WEBHOOK_SECRET });
    createWebhookHandler({ secret: ['whsec_new', 'whsec_old'] as const });
    // @ts-expect-error a number is no secret
    createWebhookHandler({ secret: 42 });
  });
});
