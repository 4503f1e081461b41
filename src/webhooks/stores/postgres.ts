import { KrosValidationError } from '../../core/errors.js';
import type { ClaimResult, DeliveryStore } from './store.js';

/**
 * Options of {@link postgresStore}.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { query: (text, values) => pool.query(text, values), table: 'billing.krosai_deliveries' };
 * ```
 */
export interface PostgresStoreOptions {
  /** Runs one parameterised statement (`$1`, `$2`): `pg`'s `Pool` or `Client` `.query`, or a wrapper around any other driver. */
  query: (text: string, values: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>;
  /** The table, optionally schema-qualified; plain identifiers only. Default: `krosai_deliveries`. */
  table?: string;
}

/** A {@link DeliveryStore} in one Postgres table, with the helpers to create and trim it. */
export interface PostgresStore extends DeliveryStore {
  /** Creates the table if it does not exist (the SQL in docs/receiving-webhooks.md), for a migration or a start-up step. */
  createTable(): Promise<void>;
  /**
   * Deletes the rows whose lease or keep time is over, and answers how many. Nothing needs them, but
   * nothing else deletes them: call it from a scheduled job, every hour or so.
   */
  deleteExpired(): Promise<number>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

/**
 * A {@link DeliveryStore} shared by every instance that reaches one Postgres database. Times are the
 * database's (`now()`), so instances whose clocks disagree still agree on when a lease ends.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createWebhookHandler, postgresStore } from '@krosai/cockpit/webhooks';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = postgresStore({ query: (text, values) => pool.query(text, values) });
 * await store.createTable();
 * const handler = createWebhookHandler({ secret: process.env.KROSAI_WEBHOOK_SECRET, store, on: {} });
 * ```
 */
export function postgresStore({ query, table = 'krosai_deliveries' }: PostgresStoreOptions): PostgresStore {
  if (typeof query !== 'function')
    throw new KrosValidationError('postgresStore: query must be a function (text, values) => Promise<{ rows }>');
  if (typeof table !== 'string' || !IDENTIFIER.test(table)) {
    throw new KrosValidationError('postgresStore: table must be a plain identifier such as krosai_deliveries or schema.krosai_deliveries');
  }
  const upsert = (done: boolean, onlyExpired: boolean) =>
    `INSERT INTO ${table} AS d (id, done, expires_at) VALUES ($1, ${done}, now() + $2 * interval '1 millisecond')
     ON CONFLICT (id) DO UPDATE SET done = excluded.done, expires_at = excluded.expires_at${onlyExpired ? ' WHERE d.expires_at <= now()' : ''}
     RETURNING d.id`;
  const claimSql = upsert(false, true);
  const completeSql = upsert(true, false);

  const claim = async (id: string, leaseMs: number): Promise<ClaimResult> => {
    // One statement, so two instances cannot both take it; nothing back means a live row stopped it.
    if ((await query(claimSql, [id, leaseMs])).rows.length) return 'claimed';
    const { rows } = await query(`SELECT done FROM ${table} WHERE id = $1 AND expires_at > now()`, [id]);
    if (rows[0]) return rows[0].done ? 'done' : 'busy';
    // Released or expired between the two statements: free again.
    return claim(id, leaseMs);
  };

  return {
    claim,
    async complete(id: string, keepMs: number): Promise<void> {
      await query(completeSql, [id, keepMs]);
    },
    async release(id: string): Promise<void> {
      await query(`DELETE FROM ${table} WHERE id = $1 AND NOT done`, [id]);
    },
    async createTable(): Promise<void> {
      await query(`CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, done boolean NOT NULL, expires_at timestamptz NOT NULL)`, []);
    },
    async deleteExpired(): Promise<number> {
      const { rows } = await query(
        `WITH gone AS (DELETE FROM ${table} WHERE expires_at <= now() RETURNING 1) SELECT count(*)::int AS deleted FROM gone`,
        [],
      );
      return Number(rows[0]?.deleted ?? 0);
    },
  };
}
