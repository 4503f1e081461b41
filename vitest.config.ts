import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BUILD_CONSTANTS, NODE_HMAC } from './tsup.config.ts';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));
/**
 * Safety nets, not measurements: no test asserts on elapsed time, and a test that hangs where the code
 * should have stopped fails here. Generous, because two runs may share two busy cores.
 */
const TIMEOUTS = { testTimeout: 30_000, hookTimeout: 60_000 };
const PACKAGE_ALIASES = [
  { find: /^@krosai\/cockpit\/webhooks$/, replacement: src('webhooks/index.ts') },
  { find: /^@krosai\/cockpit\/webhooks\/fastify$/, replacement: src('webhooks/adapters/fastify.ts') },
  { find: /^@krosai\/cockpit\/webhooks\/lambda$/, replacement: src('webhooks/adapters/lambda.ts') },
  { find: /^@krosai\/cockpit\/testing$/, replacement: src('testing/index.ts') },
  { find: /^@krosai\/cockpit$/, replacement: src('index.ts') },
];

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    projects: [
      {
        define: BUILD_CONSTANTS,
        resolve: { alias: PACKAGE_ALIASES },
        test: {
          name: 'web-crypto',
          ...TIMEOUTS,
          // examples/**/*.test.ts: the README's testing examples, run as written.
          include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
          globalSetup: ['test/setup/build.ts', 'test/setup/prism.ts'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
          provide: { hmac: 'Web Crypto' },
        },
      },
      {
        // The verifier again, with the HMAC module the package's Node build uses.
        define: BUILD_CONSTANTS,
        resolve: { alias: [{ find: /^\.\/hmac\.js$/, replacement: NODE_HMAC }, ...PACKAGE_ALIASES] },
        test: { name: 'node-crypto', ...TIMEOUTS, include: ['test/signature.test.ts'], provide: { hmac: 'node:crypto' } },
      },
    ],
  },
});
