import { createKrosClient, type KrosClientOptions } from '@krosai/cockpit';
import { inject } from 'vitest';

const violations: string[] = [];

/** The request-side spec violations Prism reported since the last call. */
export function takeViolations(): string[] {
  return violations.splice(0);
}

/**
 * `fetch` that records what Prism found wrong with each request: entries of the `sl-violations`
 * header, and the `validation` array of the errors Prism writes itself.
 */
export const specCheckedFetch: typeof fetch = async (input, init) => {
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

/** A client for the Prism mock whose every request is checked against the spec. */
export function prismClient(options: KrosClientOptions = {}) {
  return createKrosClient({ baseUrl: inject('prismUrl'), apiKey: 'kros_test_prism', fetch: specCheckedFetch, ...options });
}
