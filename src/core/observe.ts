/** What a client tells about its attempts: the caller's hooks, the debug log, and the log levels. */
import { KrosError, KrosValidationError } from './errors.js';
import { printable, redactorFor } from './redact.js';
import { readOptions } from './validate.js';

/** Where the SDK writes its lines (`console` fits); none holds a secret, a header or a query. */
export interface Logger {
  /** One line per attempt, at `logLevel: 'debug'`. */
  debug?(message: string): void;
  /** One line per retry: what failed, which retry, and the wait. */
  info?(message: string): void;
  /** A problem worth a look, such as a requested wait too long to honour, or a hook that threw. */
  warn?(message: string): void;
}

/** The least severe lines written; the SDK writes none at `error`, so `error` silences warnings too. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

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

/** `logger` as `level` lets through: the methods below it are left out. */
export function leveled(logger: Logger, level: LogLevel): Logger {
  const at = (name: 'debug' | 'info' | 'warn') =>
    LEVELS.indexOf(name) >= LEVELS.indexOf(level) ? (message: string) => logger[name]?.(message) : undefined;
  return { debug: at('debug'), info: at('info'), warn: at('warn') };
}

/** The `logLevel` option, else `KROSAI_LOG`, checked; `info` with the caller's logger, `warn` with the console. */
export function logLevelOf(option: unknown, env: string | undefined, ownLogger: boolean): LogLevel {
  const level = option ?? env?.toLowerCase() ?? (ownLogger ? 'info' : 'warn');
  if (LEVELS.includes(level as LogLevel)) return level as LogLevel;
  throw new KrosValidationError(`logLevel (or KROSAI_LOG) must be one of ${LEVELS.join(', ')}`);
}

/** The caller's hooks, checked: a misspelt one would never be called. */
export function checkedHooks(value: KrosHooks | undefined): KrosHooks | undefined {
  const hooks = readOptions(value, 'hooks');
  for (const [name, hook] of Object.entries(hooks)) {
    if (!HOOKS.includes(name as never)) throw new KrosValidationError(`hooks: unknown ${name}; known: ${HOOKS.join(', ')}`);
    if (hook !== undefined && typeof hook !== 'function') throw new KrosValidationError(`hooks.${name} must be a function`);
  }
  return value;
}

/**
 * The caller's hooks and, at `debug`, the one line per attempt, as one set of hooks that never
 * throws; undefined when there is nothing to call, so a call without them does no work for them.
 */
export function observers(hooks: KrosHooks | undefined, logger: Logger): KrosHooks | undefined {
  const { debug } = logger;
  const sources: KrosHooks[] = [hooks ?? {}];
  if (debug) {
    const line = ({ method, urlTemplate, attempt, durationMs }: AttemptErrorEvent | ResponseEvent, outcome: unknown, more = '') =>
      debug(`[@krosai/cockpit] ${method} ${urlTemplate} attempt ${attempt}: ${outcome} in ${Math.round(durationMs)} ms${more}`);
    sources.push({
      response: (event) => line(event, event.status, event.requestId && `, request id ${printable(event.requestId)}`),
      error: (event) => line(event, event.error instanceof KrosError ? event.error.name : 'an error'),
    });
  }
  let reported = false;
  const observer: KrosHooks = {};
  for (const name of HOOKS) {
    const each = sources.flatMap((source) => source[name] ?? []) as Array<(event: AttemptEvent) => unknown>;
    if (!each.length) continue;
    observer[name] = (event: AttemptEvent) => {
      for (const hook of each) {
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
      }
    };
  }
  return Object.keys(observer).length ? observer : undefined;
}
