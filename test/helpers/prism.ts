import { readFileSync } from 'node:fs';
import { createKrosClient, type KrosClientOptions } from '@krosai/cockpit';
import { afterEach, beforeEach, expect, inject } from 'vitest';
import type { PrismStatus } from '../../scripts/prism.ts';

/**
 * For a test file whose tests need a Prism: each test fails at once, saying so, if that Prism has
 * exited (rather than with ECONNREFUSED), and a test that fails prints Prism's stderr.
 */
export function watchPrism(name: string, status: () => PrismStatus): void {
  beforeEach(({ onTestFailed }) => {
    const now = status();
    if (now.exit) throw new Error(`${name} exited (${now.exit}) before this test; its stderr:\n${now.stderr || '(empty)'}`);
    onTestFailed(() => {
      const then = status();
      console.error(`${name} ${then.exit ? `exited (${then.exit})` : 'is running'}; its stderr:\n${then.stderr || '(empty)'}`);
    });
  });
}

/** The run's Prism mock (test/setup/prism.ts), for a test file that needs it: its URL and spec-checked clients. */
export function usePrism() {
  watchPrism('The Prism mock', () => {
    try {
      return JSON.parse(readFileSync(inject('prismStatusFile'), 'utf8'));
    } catch (error) {
      return { exit: `status unknown: ${(error as Error).message}`, stderr: '' };
    }
  });
  afterEach(() => {
    expect(takeViolations(), 'requests that Prism found invalid against the spec').toEqual([]);
  });
  const url = inject('prismUrl');
  return {
    url,
    /** A client for the Prism mock whose every request is checked against the spec. */
    client: (options: KrosClientOptions = {}) =>
      createKrosClient({ baseUrl: url, apiKey: 'kros_test_prism', fetch: specCheckedFetch, ...options }),
  };
}

const violations: string[] = [];

/** The request-side spec violations Prism reported since the last call. */
export function takeViolations(): string[] {
  return violations.splice(0);
}

/**
 * `fetch` that records what Prism found wrong with each request: entries of the `sl-violations`
 * header, and the `validation` array of the errors Prism writes itself.
 */
const specCheckedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const method = input instanceof Request ? input.method : (init?.method ?? 'GET');
  const where = `${method} ${response.url}`;
  for (const violation of JSON.parse(response.headers.get('sl-violations') ?? '[]')) {
    if (violation.location?.[0] === 'request') violations.push(`${where}: ${violation.message}`);
  }
  if (response.headers.get('content-type')?.includes('application/problem+json')) {
    const problem = await response.clone().json();
    for (const violation of problem.validation ?? []) violations.push(`${where}: ${violation.message}`);
  }
  return response;
};
