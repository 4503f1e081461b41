/**
 * Which runtime this is, and the `User-Agent: @krosai/cockpit/<version> <runtime>/<version>` it
 * sends. None in browsers, where a custom one would force a CORS preflight the API may not allow.
 */

/** Written in from package.json by the build and the tests; sources run by tsx have none. */
declare const __SDK_VERSION__: string | undefined;
/** This package's version, as package.json had it at build time; `source` when run from the sources. */
export const SDK_VERSION = typeof __SDK_VERSION__ === 'string' ? __SDK_VERSION__ : 'source';

interface Runtimes {
  Bun?: { version?: string };
  Deno?: { version?: { deno?: string } };
  EdgeRuntime?: unknown;
  navigator?: { userAgent?: string };
  process?: { versions?: { node?: string } };
  document?: unknown;
  importScripts?: unknown;
}

/** A page or a browser worker (only browsers' workers have `importScripts`): whoever loads it can read what it holds. */
export const IN_BROWSER = (({ document, importScripts }: Runtimes) => document !== undefined || typeof importScripts === 'function')(
  globalThis as Runtimes,
);

function runtime({ Bun, Deno, EdgeRuntime, navigator, process }: Runtimes): string | undefined {
  if (IN_BROWSER) return undefined;
  if (Bun?.version) return `bun/${Bun.version}`;
  if (Deno?.version?.deno) return `deno/${Deno.version.deno}`;
  if (navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (typeof EdgeRuntime === 'string') return 'edge-runtime';
  if (process?.versions?.node) return `node/${process.versions.node}`;
  return 'unknown';
}

const name = runtime(globalThis as Runtimes);

export const USER_AGENT: string | undefined = name && `@krosai/cockpit/${SDK_VERSION} ${name}`;
