import { KrosError, KrosValidationError } from '../../core/errors.js';
import type { ClaimResult, DeliveryStore } from './store.js';

/**
 * A Redis client {@link redisStore} can use: node-redis 4 or later (`sendCommand`) or ioredis 5 or
 * later (`call`), connected.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 *
 * const client: RedisClient = await createClient({ url: process.env.REDIS_URL }).connect();
 * ```
 */
export type RedisClient =
  | {
      /** node-redis: runs a command given as its words. */
      sendCommand(args: string[]): Promise<unknown>;
    }
  | {
      /** ioredis: runs a command given its name and arguments. */
      call(command: string, args: string[]): Promise<unknown>;
    };

/**
 * Options of {@link redisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { prefix: 'billing:krosai:' };
 * ```
 */
export interface RedisStoreOptions {
  /** Put before each delivery id to make its key. Default: `krosai:delivery:`. */
  prefix?: string;
}

// Deletes the key only while it is a lease: a completed delivery stays completed.
const RELEASE = "if redis.call('GET', KEYS[1]) == 'running' then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * A {@link DeliveryStore} shared by every instance that reaches one Redis: one key per delivery,
 * `running` while leased and `done` once handled, each expiring with Redis's own clock (`PX`).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createWebhookHandler, redisStore } from '@krosai/cockpit/webhooks';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const handler = createWebhookHandler({ secret: process.env.KROSAI_WEBHOOK_SECRET, store: redisStore(client), on: {} });
 * ```
 */
export function redisStore(client: RedisClient, { prefix = 'krosai:delivery:' }: RedisStoreOptions = {}): DeliveryStore {
  // ioredis has a sendCommand too, taking a Command object: `call` tells it apart.
  const send =
    client && 'call' in client && typeof client.call === 'function'
      ? ([command, ...args]: string[]) => client.call(command as string, args)
      : client && 'sendCommand' in client && typeof client.sendCommand === 'function'
        ? (args: string[]) => client.sendCommand(args)
        : undefined;
  if (!send) throw new KrosValidationError('redisStore: client must be a node-redis (sendCommand) or ioredis (call) client');
  if (typeof prefix !== 'string') throw new KrosValidationError('redisStore: prefix must be a string');

  const claim = async (id: string, leaseMs: number): Promise<ClaimResult> => {
    const key = prefix + id;
    if ((await send(['SET', key, 'running', 'PX', String(leaseMs), 'NX'])) === 'OK') return 'claimed';
    const state = await send(['GET', key]);
    if (state === 'done') return 'done';
    if (state === 'running') return 'busy';
    // Released or expired between the two commands: free again.
    if (state === null) return claim(id, leaseMs);
    throw new KrosError(`redisStore: a delivery's key holds neither running nor done: does other data use the prefix ${prefix}?`);
  };
  return {
    claim,
    async complete(id: string, keepMs: number): Promise<void> {
      await send(['SET', prefix + id, 'done', 'PX', String(keepMs)]);
    },
    async release(id: string): Promise<void> {
      await send(['EVAL', RELEASE, '1', prefix + id]);
    },
  };
}
