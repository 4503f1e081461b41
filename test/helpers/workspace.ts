import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REFERENCE_PAGE = join(ROOT, '../shared/reference/webhooks-api-reference.md');

export interface Workspace {
  dir: string;
  /** Runs an npm script of the project in the copy, as a maintainer would. */
  run(script: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/** A scratch copy of the sources and the spec scripts, sharing node_modules: a maintainer's checkout. */
export async function copyWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'kros-workspace-'));
  for (const path of ['package.json', 'tsconfig.json', 'openapi', 'scripts', 'src', '.changeset']) {
    await cp(join(ROOT, path), join(dir, path), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return {
    dir,
    run: (script, ...args) =>
      new Promise((resolve) => {
        execFile('npm', ['run', '--silent', script, '--', ...args], { cwd: dir }, (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        });
      }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
