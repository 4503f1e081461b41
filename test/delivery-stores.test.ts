import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkDeliveryStore, type DeliveryStoreReport } from '@krosai/cockpit/testing';
import {
  type ClaimResult,
  type DeliveryStore,
  KrosError,
  KrosValidationError,
  memoryStore,
  postgresStore,
  redisStore,
} from '@krosai/cockpit/webhooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgConfig, REDIS_SERVER, type RedisServer, startPostgres, startRedis } from './helpers/engines.ts';
import { rejectionOf } from './helpers/rejection.ts';
import { ROOT } from './helpers/workspace.ts';

const failed = (report: DeliveryStoreReport) => report.checks.filter((check) => !check.passed);
const failedNames = (report: DeliveryStoreReport) => failed(report).map((check) => check.name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Bug =
  | 'claim always wins'
  | 'release deletes a completed id'
  | 'leases never expire'
  | 'done lasts only the lease'
  | 'ids folded to lower case'
  | 'claim reads, then writes';

/** The contract in a Map, with one mistake a store could make: so that each check is seen to fail. */
function storeWith(bug: Bug): DeliveryStore {
  const entries = new Map<string, { done: boolean; until: number }>();
  const key = (id: string) => (bug === 'ids folded to lower case' ? id.toLowerCase() : id);
  return {
    async claim(id, leaseMs): Promise<ClaimResult> {
      const entry = entries.get(key(id));
      if (bug === 'claim reads, then writes') await sleep(1);
      const live = entry && (entry.until > Date.now() || (bug === 'leases never expire' && !entry.done));
      if (entry && live && bug !== 'claim always wins') return entry.done ? 'done' : 'busy';
      entries.set(key(id), { done: false, until: Date.now() + leaseMs });
      return 'claimed';
    },
    async complete(id, keepMs) {
      const until = bug === 'done lasts only the lease' ? (entries.get(key(id))?.until ?? 0) : Date.now() + keepMs;
      entries.set(key(id), { done: true, until });
    },
    async release(id) {
      if (bug === 'release deletes a completed id' || entries.get(key(id))?.done === false) entries.delete(key(id));
    },
  };
}

const EXPIRED_LEASE = 'an expired lease can be claimed again, for a new lease';
const ONE_OF_NEW = 'exactly one of 20 concurrent claims of a new id wins';
const ONE_OF_EXPIRED = 'exactly one of 20 concurrent claims of an expired lease wins';

describe('checkDeliveryStore', () => {
  it('passes memoryStore, every check named', async () => {
    const report = await checkDeliveryStore(memoryStore());
    expect(failed(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.length).toBe(11);
  });

  it.each<[Bug, string[]]>([
    [
      'claim always wins',
      [
        'a live lease answers busy',
        'a completed id answers done',
        'a completed id answers done after its lease time',
        'release after complete keeps it done',
        EXPIRED_LEASE,
        ONE_OF_NEW,
        ONE_OF_EXPIRED,
        'ids are independent',
        'awkward ids (quotes, SQL, unicode, :, %, case, 250 characters) are kept apart',
      ],
    ],
    ['release deletes a completed id', ['release after complete keeps it done']],
    ['leases never expire', [EXPIRED_LEASE, ONE_OF_EXPIRED]],
    ['done lasts only the lease', ['a completed id answers done after its lease time']],
    ['ids folded to lower case', ['awkward ids (quotes, SQL, unicode, :, %, case, 250 characters) are kept apart']],
    ['claim reads, then writes', [ONE_OF_NEW, ONE_OF_EXPIRED]],
  ])('fails a store whose %s, naming the checks it breaks', async (bug, names) => {
    const report = await checkDeliveryStore(storeWith(bug));
    expect(report.passed).toBe(false);
    expect(failedNames(report)).toEqual(names);
    for (const check of failed(report))
      expect(check.message).toMatch(
        /^(claim\(".+"\) answered .+, expected '(claimed|busy|done)'|20 concurrent claims answered|claiming 20 new awkward ids)/,
      );
  });

  it('reports a method that throws, hangs or answers nonsense as its check failing, and still runs the rest', async () => {
    const inner = memoryStore();
    // The checks number their ids in order: -3 is "a completed id answers done", -7 "an expired lease…".
    const store: DeliveryStore = {
      claim: (id, leaseMs) => (id.endsWith('-7') ? Promise.resolve('yes' as ClaimResult) : inner.claim(id, leaseMs)),
      complete: (id) => (id.endsWith('-3') ? new Promise(() => {}) : Promise.reject(new Error('connection reset'))),
      release: () => {
        throw new TypeError('release is not ready');
      },
    };
    const report = await checkDeliveryStore(store);
    const messages = Object.fromEntries(report.checks.map((check) => [check.name, check.message]));
    expect(report.passed).toBe(false);
    expect(messages).toMatchObject({
      'a new id is claimed': undefined,
      'a live lease answers busy': undefined,
      'a completed id answers done': expect.stringMatching(/^complete\("krosai-check-[\w-]+-3", 60000\) did not settle within 5000 ms$/),
      'a completed id answers done after its lease time': expect.stringMatching(
        /^complete\("krosai-check-[\w-]+-4", 60000\) threw Error: connection reset$/,
      ),
      'release lets the next claim run': expect.stringMatching(
        /^release\("krosai-check-[\w-]+-5"\) threw TypeError: release is not ready$/,
      ),
      [EXPIRED_LEASE]: expect.stringMatching(/^claim\("krosai-check-[\w-]+-7"\) answered "yes", expected 'claimed'$/),
    });
  });

  it('refuses what is not a store, and a lease it cannot wait for, before calling anything', async () => {
    for (const store of [undefined, {}, { claim() {}, complete() {} }]) {
      expect(await rejectionOf(checkDeliveryStore(store as never))).toBeInstanceOf(KrosValidationError);
    }
    let calls = 0;
    const counting: DeliveryStore = {
      claim: async () => {
        calls++;
        return 'claimed';
      },
      complete: async () => {},
      release: async () => {},
    };
    for (const leaseMs of [0, -1, 1.5, 10_001, Number.NaN, '200']) {
      expect(await rejectionOf(checkDeliveryStore(counting, { leaseMs: leaseMs as number }))).toBeInstanceOf(KrosValidationError);
    }
    expect(calls).toBe(0);
  });
});

describe('postgresStore, on PGlite served by pglite-socket, through pg', () => {
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let pool: pg.Pool;
  const sent: string[] = [];
  const query = (text: string, values: unknown[]) => {
    sent.push(text);
    return pool.query(text, values);
  };
  beforeAll(async () => {
    postgres = await startPostgres();
    pool = new pg.Pool(pgConfig(postgres.port, 4));
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });

  it('passes checkDeliveryStore, sending every id as a parameter', async () => {
    const store = postgresStore({ query });
    await store.createTable();
    sent.length = 0;
    expect(failed(await checkDeliveryStore(store))).toEqual([]);
    expect(sent.length).toBeGreaterThan(100);
    expect(sent.filter((text) => text.includes('krosai-check-'))).toEqual([]);
  });

  it('sends the SQL that docs/receiving-webhooks.md shows', async () => {
    const store = postgresStore({ query });
    sent.length = 0;
    await store.createTable();
    await store.claim('evt_documented', 60_000);
    await store.claim('evt_documented', 60_000);
    await store.release('evt_documented');
    const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
    const docs = flat(await readFile(join(ROOT, 'docs/receiving-webhooks.md'), 'utf8'));
    expect(sent.length).toBe(5);
    for (const text of new Set(sent)) expect(docs).toContain(flat(text));
  });

  it('passes in a schema-qualified table of its own, which createTable creates once', async () => {
    await pool.query('CREATE SCHEMA IF NOT EXISTS receiving');
    const store = postgresStore({ query, table: 'receiving.Deliveries_2' });
    await store.createTable();
    await store.createTable();
    expect(failed(await checkDeliveryStore(store))).toEqual([]);
    const { rows } = await pool.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'receiving' AND table_name = 'deliveries_2' ORDER BY ordinal_position",
    );
    expect(rows).toEqual([
      { column_name: 'id', data_type: 'text' },
      { column_name: 'done', data_type: 'boolean' },
      { column_name: 'expires_at', data_type: 'timestamp with time zone' },
    ]);
  });

  it('claims a row that its holder released between the claim and the read', async () => {
    const store = postgresStore({ query });
    await store.createTable();
    await store.claim('evt_released_meanwhile', 60_000);
    let reads = 0;
    const racing = postgresStore({
      query: async (text, values) => {
        // Another instance releases it just after this claim found it taken.
        if (text.startsWith('SELECT') && reads++ === 0) await store.release('evt_released_meanwhile');
        return query(text, values);
      },
    });
    expect(await racing.claim('evt_released_meanwhile', 60_000)).toBe('claimed');
    expect(await store.claim('evt_released_meanwhile', 60_000)).toBe('busy');
  });

  it('deleteExpired deletes the rows whose lease or keep time is over, and says how many', async () => {
    const store = postgresStore({ query, table: 'trimmed' });
    await store.createTable();
    await store.claim('lease-over', 50);
    await store.claim('lease-live', 60_000);
    await store.complete('kept-over', 50);
    await store.complete('kept-live', 60_000);
    await sleep(200);
    expect(await store.deleteExpired()).toBe(2);
    expect(await store.deleteExpired()).toBe(0);
    const { rows } = await pool.query('SELECT id FROM trimmed ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual(['kept-live', 'lease-live']);
  });

  it('refuses a table name that is not a plain identifier, and a query that is not a function, before sending anything', () => {
    sent.length = 0;
    for (const table of ['x; DROP TABLE y', 'a.b.c', '"quoted"', '', 'deliveries ', '1abc', 'a-b', 'é', 'x'.repeat(64), 42]) {
      expect(() => postgresStore({ query, table: table as string }), String(table)).toThrow(KrosValidationError);
    }
    expect(() => postgresStore({ query: undefined as never })).toThrow(KrosValidationError);
    expect(sent).toEqual([]);
  });
});

if (!REDIS_SERVER) {
  console.warn('SKIPPED redisStore tests: no redis-server on the PATH (Debian: apt-get install redis-server; .ci/run installs it)');
}

// The errors reach the calls; a client with no listener would also throw them at the process.
const connectNodeRedis = (port: number) =>
  createClient({ socket: { host: '127.0.0.1', port } })
    .on('error', () => {})
    .connect();

describe.skipIf(!REDIS_SERVER)('redisStore, on a real redis-server', () => {
  let redis: RedisServer;
  let nodeRedis: Awaited<ReturnType<typeof connectNodeRedis>>;
  let ioredis: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    nodeRedis = await connectNodeRedis(redis.port);
    ioredis = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
    await ioredis.connect();
  });
  afterAll(async () => {
    nodeRedis?.destroy();
    ioredis?.disconnect();
    await redis?.stop();
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.error(`redis-server's output:\n${redis.output()}`));
  });

  it('passes checkDeliveryStore with node-redis', async () => {
    expect(failed(await checkDeliveryStore(redisStore(nodeRedis)))).toEqual([]);
  });

  it('passes checkDeliveryStore with ioredis', async () => {
    expect(failed(await checkDeliveryStore(redisStore(ioredis)))).toEqual([]);
  });

  it('keeps one key per delivery under its prefix, expiring in Redis', async () => {
    const billing = redisStore(nodeRedis, { prefix: 'billing:' });
    const support = redisStore(ioredis, { prefix: 'support:' });
    expect(await billing.claim('evt_1', 60_000)).toBe('claimed');
    expect(await support.claim('evt_1', 60_000)).toBe('claimed');
    await billing.complete('evt_1', 3_600_000);
    expect(await nodeRedis.get('billing:evt_1')).toBe('done');
    expect(await nodeRedis.get('support:evt_1')).toBe('running');
    expect(await nodeRedis.pTTL('billing:evt_1')).toBeGreaterThan(3_500_000);
    expect(await nodeRedis.pTTL('support:evt_1')).toBeLessThanOrEqual(60_000);
    expect(await ioredis.exists('krosai:delivery:evt_1')).toBe(0);
  });

  it('claims a key that its holder released between SET NX and GET', async () => {
    const store = redisStore(ioredis);
    await store.claim('evt_released_meanwhile', 60_000);
    let reads = 0;
    const racing = redisStore({
      call: async (command: string, args: string[]) => {
        if (command === 'GET' && reads++ === 0) await store.release('evt_released_meanwhile');
        return ioredis.call(command, args);
      },
    });
    expect(await racing.claim('evt_released_meanwhile', 60_000)).toBe('claimed');
    expect(await store.claim('evt_released_meanwhile', 60_000)).toBe('busy');
  });

  it('rejects, rather than loops, when a key holds something else', async () => {
    await nodeRedis.set('shared:evt_1', 'not ours');
    const error = await rejectionOf(redisStore(nodeRedis, { prefix: 'shared:' }).claim('evt_1', 60_000));
    expect(error).toBeInstanceOf(KrosError);
    expect((error as Error).message).toContain('shared:');
  });

  it('refuses a client that is neither node-redis nor ioredis, and a prefix that is not a string', () => {
    for (const client of [undefined, {}, { sendCommand: 1 }, { call: 'x' }]) {
      expect(() => redisStore(client as never)).toThrow(KrosValidationError);
    }
    expect(() => redisStore(nodeRedis, { prefix: 1 as never })).toThrow(KrosValidationError);
  });
});
