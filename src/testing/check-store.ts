/**
 * `checkDeliveryStore`: the `DeliveryStore` rules as checks that run against any implementation, so
 * that a team with its own store (DynamoDB, say) learns what it gets wrong before a delivery does.
 */
import { KrosValidationError } from '../core/errors.js';
import type { DeliveryStore } from '../webhooks/stores/store.js';

/**
 * Options of {@link checkDeliveryStore}.
 *
 * @example
 * ```ts
 * const options: DeliveryStoreCheckOptions = { leaseMs: 1000 }; // a store that counts in whole seconds
 * ```
 */
export interface DeliveryStoreCheckOptions {
  /** The short lease of the checks that wait for one to expire, at most 10 000. Default: 200. */
  leaseMs?: number;
}

/** One rule of the contract and whether the store kept it; `message` says what it did instead. */
export interface DeliveryStoreCheck {
  name: string;
  passed: boolean;
  message?: string;
}

/** What {@link checkDeliveryStore} found: `passed` when every check passed. */
export interface DeliveryStoreReport {
  passed: boolean;
  checks: DeliveryStoreCheck[];
}

/** Longer than any check runs: a lease or a keep time that must not end during one. */
const LONG_MS = 60_000;
/** A store call that takes longer has hung, as far as the checks go. */
const CALL_TIMEOUT_MS = 5_000;
const CONCURRENT_CLAIMS = 20;
/** Ids that break stores which build keys or queries by pasting text, truncate, fold case or normalise. */
const AWKWARD_IDS = [
  "it's",
  '"quoted"',
  '`ticks`',
  'back\\slash',
  "'; DROP TABLE krosai_deliveries; --",
  "1' OR '1'='1",
  'a:b',
  'a:b:c',
  '100%',
  '100_',
  'ünïcødé ✓ 日本 🚀',
  '\u00e9',
  'e\u0301',
  'Case',
  'case',
  ' spaced ',
  'tab\tnew\nline',
  '*?[x]{y}',
  'x'.repeat(250),
  `${'x'.repeat(249)}y`,
];

/** What the store did wrong, as a check reports it. */
class Failure extends Error {}

/**
 * Runs the {@link DeliveryStore} rules against `store` with fresh random ids (starting `krosai-check-`,
 * each expiring within a minute) and reports each rule, passed or with what went wrong. A store method
 * that throws, hangs or answers a wrong value fails its check and never the run. It takes about a
 * second: the checks run side by side, and two of them wait for a lease to expire.
 *
 * @example
 * ```ts
 * import { checkDeliveryStore } from '@krosai/cockpit/testing';
 *
 * const report = await checkDeliveryStore(myDynamoStore);
 * expect(report.checks.filter((check) => !check.passed)).toEqual([]);
 * ```
 */
export async function checkDeliveryStore(store: DeliveryStore, options: DeliveryStoreCheckOptions = {}): Promise<DeliveryStoreReport> {
  if (!store || !['claim', 'complete', 'release'].every((method) => typeof (store as never)[method] === 'function')) {
    throw new KrosValidationError('store must have claim, complete and release methods');
  }
  if (!options || typeof options !== 'object') throw new KrosValidationError('options must be an object');
  const { leaseMs = 200 } = options;
  if (!(Number.isSafeInteger(leaseMs) && leaseMs > 0 && leaseMs <= 10_000)) {
    throw new KrosValidationError('options.leaseMs must be a whole number from 1 to 10000');
  }

  const run = `krosai-check-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  let count = 0;
  const fresh = () => `${run}-${++count}`;
  const show = (value: unknown) =>
    typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : String(value);
  const expired = () => new Promise((resolve) => setTimeout(resolve, leaseMs + 100));

  /** Calls the store; throwing, hanging and rejecting become a Failure that names the call. */
  async function call(method: keyof DeliveryStore, id: string, ms?: number): Promise<unknown> {
    const what = `${method}(${show(id)}${method === 'release' ? '' : `, ${ms}`})`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        new Promise((resolve) => resolve(store[method](id, ms as number))),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Failure(`${what} did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      throw error instanceof Failure ? error : new Failure(`${what} threw ${String(error).slice(0, 200)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  const claim = (id: string, ms = LONG_MS) => call('claim', id, ms);
  const complete = (id: string) => call('complete', id, LONG_MS);
  const release = (id: string) => call('release', id);
  async function expectClaim(id: string, expected: string, ms = LONG_MS, why = '') {
    const answer = await claim(id, ms);
    if (answer !== expected) throw new Failure(`claim(${show(id)}) answered ${show(answer)}, expected '${expected}'${why}`);
  }
  async function expectOneWinner(id: string) {
    const answers = await Promise.all(Array.from({ length: CONCURRENT_CLAIMS }, () => claim(id)));
    const claimed = answers.filter((answer) => answer === 'claimed').length;
    const busy = answers.filter((answer) => answer === 'busy').length;
    if (claimed !== 1 || busy !== CONCURRENT_CLAIMS - 1) {
      throw new Failure(
        `${CONCURRENT_CLAIMS} concurrent claims answered ${claimed} 'claimed' and ${busy} 'busy', expected 1 and ${CONCURRENT_CLAIMS - 1}`,
      );
    }
  }

  const checks: Array<[string, (id: string) => Promise<void>]> = [
    ['a new id is claimed', (id) => expectClaim(id, 'claimed')],
    [
      'a live lease answers busy',
      async (id) => {
        await expectClaim(id, 'claimed');
        await expectClaim(id, 'busy');
      },
    ],
    [
      'a completed id answers done',
      async (id) => {
        await expectClaim(id, 'claimed');
        await complete(id);
        await expectClaim(id, 'done');
      },
    ],
    [
      'a completed id answers done after its lease time',
      async (id) => {
        await expectClaim(id, 'claimed', leaseMs);
        await complete(id);
        await expired();
        await expectClaim(id, 'done', LONG_MS, `: completed ${leaseMs + 100} ms ago with a keep time of ${LONG_MS} ms`);
      },
    ],
    [
      'release lets the next claim run',
      async (id) => {
        await expectClaim(id, 'claimed');
        await release(id);
        await expectClaim(id, 'claimed', LONG_MS, ': released');
      },
    ],
    [
      'release after complete keeps it done',
      async (id) => {
        await expectClaim(id, 'claimed');
        await complete(id);
        await release(id);
        await expectClaim(id, 'done', LONG_MS, ': completed, then released');
      },
    ],
    [
      'an expired lease can be claimed again, for a new lease',
      async (id) => {
        await expectClaim(id, 'claimed', leaseMs);
        await expired();
        await expectClaim(id, 'claimed', LONG_MS, `: its ${leaseMs} ms lease ended 100 ms ago`);
        await expectClaim(id, 'busy', LONG_MS, ': claimed again just now');
      },
    ],
    [`exactly one of ${CONCURRENT_CLAIMS} concurrent claims of a new id wins`, expectOneWinner],
    [
      `exactly one of ${CONCURRENT_CLAIMS} concurrent claims of an expired lease wins`,
      async (id) => {
        await expectClaim(id, 'claimed', leaseMs);
        await expired();
        await expectOneWinner(id);
      },
    ],
    [
      'ids are independent',
      async (id) => {
        const other = `${id}-other`;
        await expectClaim(id, 'claimed');
        await expectClaim(other, 'claimed', LONG_MS, ': another id is leased');
        await complete(id);
        await expectClaim(other, 'busy', LONG_MS, ': another id was completed');
        await release(other);
        await expectClaim(id, 'done', LONG_MS, ': another id was released');
      },
    ],
    [
      'awkward ids (quotes, SQL, unicode, :, %, case, 250 characters) are kept apart',
      async (id) => {
        const ids = AWKWARD_IDS.map((awkward) => `${id}-${awkward}`);
        for (const answer of await Promise.all(ids.map((each) => claim(each)))) {
          if (answer !== 'claimed') throw new Failure(`claiming ${ids.length} new awkward ids at once answered ${show(answer)} for one`);
        }
        await Promise.all(ids.filter((_, i) => i % 2 === 0).map(complete));
        await Promise.all(
          ids.map((each, i) => expectClaim(each, i % 2 === 0 ? 'done' : 'busy', LONG_MS, ': every other awkward id was completed')),
        );
      },
    ],
  ];

  const results = await Promise.all(
    checks.map(async ([name, check]): Promise<DeliveryStoreCheck> => {
      try {
        await check(fresh());
        return { name, passed: true };
      } catch (error) {
        return { name, passed: false, message: (error as Error).message };
      }
    }),
  );
  return { passed: results.every((check) => check.passed), checks: results };
}
