import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The source module of each package entry, for the tests that read the sources themselves (TSDoc,
 * the edge bundle): the one list to change when they move. vitest.config.ts maps the imports.
 */
export const ENTRY_SOURCES = {
  '.': 'src/index.ts',
  './webhooks': 'src/webhooks/index.ts',
  './webhooks/fastify': 'src/webhooks/adapters/fastify.ts',
  './webhooks/lambda': 'src/webhooks/adapters/lambda.ts',
  './testing': 'src/testing/index.ts',
};
/**
 * A scratch project (under `prefix` in the temp directory) with the packed package installed, as
 * `npm install @krosai/cockpit` would: the package and its dependencies, nothing of this repository.
 * It packs the dist/ the test run built.
 */
export async function installPacked(prefix: string): Promise<string> {
  const run = promisify(execFile);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  const [{ filename }] = JSON.parse(stdout);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, filename)], { cwd: dir });
  return dir;
}

/** KrosAI's reference page the spec was assembled from, copied here so that no test reads outside the repository. */
export const REFERENCE_PAGE = join(ROOT, 'test/fixtures/webhooks-api-reference.md');

export interface Workspace {
  dir: string;
  /** Runs an npm script of the project in the copy, as a maintainer would. */
  run(script: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/** A scratch copy of the sources and the spec scripts, sharing node_modules: a maintainer's checkout. */
export async function copyWorkspace(): Promise<Workspace> {
  removeOnExit();
  const dir = await mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
  live.add(dir);
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
    remove: async () => {
      await rm(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}

// The copies are named after the process that made them, so that an interrupted run cleans up on its
// way out, and whatever a killed one (SIGKILL) left is removed by the next, without touching the
// copies of a run still going on beside it.
const PREFIX = 'kros-workspace-';
const live = new Set<string>();
let hooked = false;

function removeOnExit() {
  if (hooked) return;
  hooked = true;
  removeLeftovers();
  process.once('exit', removeLive);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeLive();
      process.kill(process.pid, signal);
    });
  }
}

function removeLive() {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function removeLeftovers() {
  for (const name of readdirSync(tmpdir())) {
    const pid = /^kros-workspace-(\d+)-[^-]+$/.exec(name)?.[1];
    if (pid && !isRunning(Number(pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
