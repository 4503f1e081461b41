import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

/** The Node build verifies webhooks with node:crypto: the Web Crypto HMAC module is swapped at build time. */
export const NODE_HMAC = fileURLToPath(new URL('./src/signature/hmac-node.ts', import.meta.url));
const nodeCrypto: Plugin = {
  name: 'node-crypto-hmac',
  setup(build) {
    build.onResolve({ filter: /^\.\/hmac\.js$/ }, () => ({ path: NODE_HMAC }));
  },
};

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
/** What the sources read from package.json at build time (src/user-agent.ts). */
export const BUILD_CONSTANTS = { __SDK_VERSION__: JSON.stringify(version) };

const entries: Options = {
  define: BUILD_CONSTANTS,
  // The testing kit shares this build's graph (one KrosError class) but none of its code reaches the other entries.
  entry: { index: 'src/index.ts', webhooks: 'src/webhook-signatures.ts', testing: 'src/testing.ts' },
  format: ['esm', 'cjs'],
  target: 'es2022',
  // Each entry one file, with no shared chunks to load: a cold import takes about 1 ms less
  // (bench/RESULTS.md). An app that imports two entries gets two copies of the error classes;
  // instanceof still holds across them (errors.ts: Symbol.hasInstance).
  splitting: false,
  // openapi-fetch's runtime is bundled in: a cold import then resolves and reads one package, not
  // two, about 3 ms less on Node 20 (bench/RESULTS.md). It stays a pinned dependency for the
  // types of `kros.raw`; its licence ships in THIRD_PARTY_NOTICES.md.
  noExternal: ['openapi-fetch'],
  treeshake: true,
  clean: false,
};

export default defineConfig([
  { ...entries, outDir: 'dist/web', platform: 'neutral' },
  { ...entries, outDir: 'dist/node', platform: 'node', esbuildPlugins: [nodeCrypto] },
  { ...entries, outDir: 'dist', dts: { only: true } },
  // The `krosai-cockpit` command: Node only, ESM, self-contained.
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    target: 'es2022',
    outDir: 'dist/node',
    platform: 'node',
    esbuildPlugins: [nodeCrypto],
    clean: false,
  },
]);
