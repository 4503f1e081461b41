import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/workspace.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('npm run demo', () => {
  it('runs the quickstart against the stateful mock behind Prism, prints only what happened, and stops everything', async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const env = { ...process.env, KROSAI_API_KEY: '', KROSAI_BASE_URL: '', KROSAI_ORGANIZATION_ID: '', WEBHOOK_URL: '' };
      execFile('npm', ['run', '--silent', 'demo'], { cwd: ROOT, env }, (error, stdout) =>
        resolve({ code: error ? Number(error.code) : 0, stdout }),
      );
    });
    expect(code, stdout).toBe(0);
    const [, mockUrl, prismUrl, receiverUrl] =
      /mock on (http:\/\/127\.0\.0\.1:\d+), behind Prism's validating proxy on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*receiver on (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(
        stdout,
      ) ?? [];
    expect(receiverUrl, stdout).toBeDefined();
    const id = new RegExp(`^create +→ webhook (${UUID}) for call\\.completed, call\\.failed at ${receiverUrl}$`, 'm').exec(stdout)?.[1];
    expect(id, stdout).toBeDefined();
    for (const line of [
      /^ +signing secret: whse… \(store it to verify deliveries\)$/,
      new RegExp(`^list +→ 1 webhook\\(s\\): ${receiverUrl}$`),
      new RegExp(`^get +→ ${id}, active: true$`),
      new RegExp(`^update +→ ${id}, active: false$`),
      /^receiver → verified webhook\.test delivery evt_[0-9a-f]{32} with verifyWebhook, answered 204$/,
      /^test +→ success: true, endpoint status: 204, "the receiver answered 204"$/,
      new RegExp(`^delete +→ webhook ${id} deleted$`),
      /^Prism checked 6 calls, request and response, against the spec: no violations\.$/,
    ]) {
      expect(stdout).toMatch(new RegExp(line.source, 'm'));
    }
    for (const url of [mockUrl, prismUrl, receiverUrl]) {
      await expect(fetch(url as string), `${url} still answering after the demo`).rejects.toThrow();
    }
  }, 90_000);
});
