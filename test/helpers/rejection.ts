import { beforeEach, expect } from 'vitest';

/** What `pending` rejects with; the test fails if it resolves instead. */
export function rejectionOf(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error,
  );
}

/** The unhandled rejections of the running test, collected afresh for each test of the file that calls this. */
export function unhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  beforeEach(() => {
    unhandled.length = 0;
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    return () => {
      process.off('unhandledRejection', onUnhandled);
    };
  });
  return unhandled;
}
