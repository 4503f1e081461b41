/** What a client tells about its attempts: the caller's hooks. */
import { KrosValidationError } from './errors.js';
import { printable, redactorFor } from './redact.js';
import { readOptions } from './validate.js';

/** Where the SDK reports retries (`info`) and problems worth a look (`warn`); `console` fits. */
export interface Logger {
  /** One line per retry: what failed, which retry, and the wait. */
  info?(message: string): void;
  /** A problem worth a look, such as a requested wait too long to honour, or a hook that threw. */
  warn?(message: string): void;
}

/** Which call and which attempt. Never a credential, a signing secret, a path value or a query. */
export interface AttemptEvent {
  /** The spec's operation, such as `createWebhook`; for a `kros.raw` call, its path template. */
  operationId: string;
  method: string;
  /** The path template, such as `/webhooks/{id}`. */
  urlTemplate: string;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
}

/** An attempt that got an HTTP response, whatever its status. */
export interface ResponseEvent extends AttemptEvent {
  status: number;
  /** From before the attempt to the end of its body. */
  durationMs: number;
  /** The `x-request-id` response header. */
  requestId: string | undefined;
}

/** An attempt that threw: no response, a timeout, an abort, a redirect or a body the SDK refused. */
export interface AttemptErrorEvent extends AttemptEvent {
  /** What the attempt threw: a `KrosError`, or what middleware threw. */
  error: unknown;
  durationMs: number;
}

/** A retry about to wait; `attempt` is the attempt to come, `status` or `error` what the last one got. */
export interface RetryEvent extends AttemptEvent {
  delayMs: number;
  status?: number;
  error?: unknown;
}

/**
 * Functions called on every attempt of every call, with a plain object each. A hook that throws
 * (or rejects) does not affect the call; the first such failure is logged as a warning.
 *
 * @example
 * ```ts
 * createKrosClient({
 *   hooks: {
 *     response: ({ operationId, status, durationMs }) => metrics.timing(`kros.${operationId}`, durationMs, { status }),
 *     retry: ({ operationId, attempt, delayMs }) => console.log(`${operationId}: attempt ${attempt} in ${delayMs} ms`),
 *   },
 * });
 * ```
 */
export interface KrosHooks {
  /** Before each attempt is sent. */
  request?(event: AttemptEvent): void;
  /** After each attempt that got an HTTP response. */
  response?(event: ResponseEvent): void;
  /** Before the wait ahead of each retry. */
  retry?(event: RetryEvent): void;
  /** After each attempt that threw. */
  error?(event: AttemptErrorEvent): void;
}

const HOOKS = ['request', 'response', 'retry', 'error'] as const;

/** The caller's hooks, checked: a misspelt one would never be called. */
export function checkedHooks(value: KrosHooks | undefined): KrosHooks | undefined {
  const hooks = readOptions(value, 'hooks');
  for (const [name, hook] of Object.entries(hooks)) {
    if (!HOOKS.includes(name as never)) throw new KrosValidationError(`hooks: unknown ${name}; known: ${HOOKS.join(', ')}`);
    if (hook !== undefined && typeof hook !== 'function') throw new KrosValidationError(`hooks.${name} must be a function`);
  }
  return value;
}

/** The caller's hooks as hooks that never throw; undefined without any, so a call does no work for them. */
export function observers(hooks: KrosHooks | undefined, logger: Logger): KrosHooks | undefined {
  if (!hooks) return undefined;
  let reported = false;
  const observer: KrosHooks = {};
  for (const name of HOOKS) {
    const hook = hooks[name] as ((event: AttemptEvent) => unknown) | undefined;
    if (!hook) continue;
    observer[name] = (event: AttemptEvent) => {
      // An async function: a hook's throw and its promise's rejection land in the same catch.
      (async () => hook(event))().catch((error) => {
        if (reported) return;
        reported = true;
        let reason = '';
        try {
          reason = `: ${printable(redactorFor([])(String(error)))}`;
        } catch {}
        logger.warn?.(`[@krosai/cockpit] the ${name} hook threw${reason}; the call goes on, and later throws are not logged`);
      });
    };
  }
  return Object.keys(observer).length ? observer : undefined;
}
