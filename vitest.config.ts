import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@krosai\/cockpit\/webhooks$/, replacement: fileURLToPath(new URL('./src/webhook-signatures.ts', import.meta.url)) },
      { find: /^@krosai\/cockpit$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts', 'test/setup/prism.ts'],
    setupFiles: ['test/setup/spec-violations.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
