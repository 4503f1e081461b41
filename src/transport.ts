/**
 * What every request goes through after openapi-fetch has built it: credential and organization
 * headers, then `fetch`, with failures turned into typed errors.
 */
import type { Credential } from './auth.js';
import { KrosConnectionError, KrosError } from './errors.js';

/** Settings of one call, set per request by the facade. */
export interface CallSettings {
  organizationId?: string;
}

export interface TransportConfig {
  fetch: typeof globalThis.fetch;
  credential: Credential;
  organizationId: string | undefined;
}

export type Send = (request: Request, call?: CallSettings) => Promise<Response>;

export function createTransport(config: TransportConfig): Send {
  return async (request, call = {}) => {
    const [name, value] = await config.credential();
    // Raw-client users may set these themselves; what they set explicitly wins.
    if (!request.headers.has('authorization') && !request.headers.has('x-api-key')) request.headers.set(name, value);
    const organizationId = call.organizationId ?? config.organizationId;
    if (organizationId && !request.headers.has('x-organization-id')) request.headers.set('x-organization-id', organizationId);
    try {
      return await config.fetch(request);
    } catch (error) {
      throw asKrosError(error, request.signal);
    }
  };
}

/** A failure while sending or reading: the caller's abort stays recognisable as such. */
export function asKrosError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof KrosError) return error;
  if (signal?.aborted) return signal.reason;
  // undici says only "fetch failed"; the reason (ECONNREFUSED, a reset socket) is in its cause.
  const reason = (error as { cause?: { message?: string } })?.cause?.message ?? (error as Error)?.message ?? String(error);
  return new KrosConnectionError(`could not reach the KrosAI API: ${reason}`, { cause: error });
}
