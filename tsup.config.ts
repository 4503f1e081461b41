import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

/** The Node build verifies webhooks with node:crypto: the Web Crypto HMAC module is swapped at build time. */
export const NODE_HMAC = fileURLToPath(new URL('./src/verify/hmac-node.ts', import.meta.url));
const nodeCrypto: Plugin = {
  name: 'node-crypto-hmac',
  setup(build) {
    build.onResolve({ filter: /^\.\/hmac\.js$/ }, () => ({ path: NODE_HMAC }));
  },
};

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
/** What the sources read from package.json at build time (src/core/user-agent.ts). */
export const BUILD_CONSTANTS = { __SDK_VERSION__: JSON.stringify(version) };

const entries: Options = {
  define: BUILD_CONSTANTS,
  entry: {
    index: 'src/index.ts',
    webhooks: 'src/webhooks/index.ts',
    'webhooks-fastify': 'src/webhooks/adapters/fastify.ts',
    'webhooks-lambda': 'src/webhooks/adapters/lambda.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  target: 'es2022',
  // Each entry one file, in ESM as in CommonJS. An app that imports two entries gets two copies of
  // the error classes; instanceof holds across them (core/errors.ts: Symbol.hasInstance).
  splitting: false,
  treeshake: true,
  clean: false,
};

export default defineConfig([
  { ...entries, outDir: 'dist/web', platform: 'neutral' },
  { ...entries, outDir: 'dist/node', platform: 'node', esbuildPlugins: [nodeCrypto] },
  { ...entries, outDir: 'dist', dts: { only: true } },
  // The `krosai-cockpit` command: Node only, ESM, self-contained.
  {
    entry: { cli: 'src/testing/cli.ts' },
    define: BUILD_CONSTANTS,
    format: ['esm'],
    target: 'es2022',
    outDir: 'dist/node',
    platform: 'node',
    esbuildPlugins: [nodeCrypto],
    clean: false,
  },
]);
