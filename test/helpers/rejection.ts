import { expect } from 'vitest';

/** What `pending` rejects with; the test fails if it resolves instead. */
export function rejectionOf(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error,
  );
}
