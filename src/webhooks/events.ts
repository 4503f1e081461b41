import type { components } from '../generated/api.js';

type WebhookEvent = components['schemas']['WebhookEvent'];

/**
 * The payload type of each event, by name. Empty here: KrosAI publishes no payload schemas, so every
 * event of the spec carries `Record<string, unknown>` until a team declares its own, once, by
 * declaration merging (or passes its own map to `createWebhookHandler<Events>`). A name the spec does
 * not list can be added the same way.
 *
 * @example
 * ```ts
 * declare module '@krosai/cockpit/webhooks' {
 *   interface KrosEventMap {
 *     'call.completed': { call_id: string; duration: number; cost_cents: number };
 *   }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging.
export interface KrosEventMap {}

/** The event names a handler can register: the spec's, and those of the event map. */
export type KrosEventName<Events = KrosEventMap> = WebhookEvent | (keyof Events & string);

/** An event's payload type: the event map's entry, else `Record<string, unknown>`. */
export type KrosEventData<Events, Event extends string> = Event extends keyof Events ? Events[Event] : Record<string, unknown>;

/**
 * A verified delivery of one event, its `data` typed by the event map.
 *
 * @example
 * ```ts
 * const save = async (delivery: KrosDelivery<'call.completed'>) => db.calls.insert(delivery.data);
 * ```
 */
export interface KrosDelivery<Event extends string = string, Data = Record<string, unknown>> {
  /** Unique per event, also across KrosAI's retries of it. */
  id: string;
  /** The event's name. */
  event: Event;
  /** When the event happened (RFC 3339, with a zone). */
  timestamp: string;
  /** The event's payload. */
  data: Data;
}

/** One handler per event name, each receiving its event's typed delivery; a misspelt name is a type error. */
export type KrosEventHandlers<Events = KrosEventMap> = {
  [Event in KrosEventName<Events>]?: (delivery: KrosDelivery<Event, KrosEventData<Events, Event>>) => unknown;
};
