import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkspace, type Workspace } from './helpers/workspace.ts';

describe('npm run spec:update with an input it cannot use', { timeout: 60_000 }, () => {
  let workspace: Workspace;
  beforeAll(async () => {
    workspace = await copyWorkspace();
  });
  afterAll(() => workspace.remove());

  it('says there is no such file, rather than that it is not a valid document', async () => {
    const result = await workspace.run('spec:update', 'missing.yaml');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('spec:update: there is no file missing.yaml, nothing changed');
  });
});
