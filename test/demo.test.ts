import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/workspace.ts';

describe('npm run demo', () => {
  it('runs the six operations against a Prism it starts, then stops it', async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const env = { ...process.env, KROSAI_API_KEY: '', KROSAI_BASE_URL: '', KROSAI_ORGANIZATION_ID: '' };
      execFile('npm', ['run', '--silent', 'demo'], { cwd: ROOT, env }, (error, stdout) =>
        resolve({ code: error ? Number(error.code) : 0, stdout }),
      );
    });
    expect(code).toBe(0);
    for (const operation of ['create', 'list', 'get', 'update', 'test', 'delete']) {
      expect(stdout).toMatch(new RegExp(`^${operation} +→ `, 'm'));
    }
    const prismUrl = stdout.match(/on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    expect(prismUrl).toBeDefined();
    await expect(fetch(`${prismUrl}/webhooks`), 'Prism still answering after the demo').rejects.toThrow();
  }, 60_000);
});
