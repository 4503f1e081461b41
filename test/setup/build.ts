import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../helpers/workspace.ts';

/** What the build reads: a dist/ built from the same bytes is not rebuilt. */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsup.config.ts', 'tsconfig.json'];
const CACHE = join(ROOT, 'node_modules/.cache/kros-test-build');
const STAMP = join(CACHE, 'inputs.sha256');
const LOCK = join(CACHE, 'lock');

/**
 * The package tests, the browser test and the CLI tests read dist/: build it once, first. Two runs
 * side by side in one checkout share dist/, and a build empties it first: so one run builds, under a
 * lock, and the other finds dist/ already built from the same sources and leaves it alone.
 */
export default async function setup() {
  mkdirSync(CACHE, { recursive: true });
  await lock();
  try {
    // The stamp also covers dist/ itself: a build run by hand from other sources is not taken as this one.
    const inputs = hashOf(INPUTS.map((path) => join(ROOT, path)));
    const stamp = existsSync(STAMP) ? readFileSync(STAMP, 'utf8') : '';
    if (existsSync(join(ROOT, 'dist/node/index.js')) && stamp === `${inputs} ${hashOf([join(ROOT, 'dist')])}`) return;
    rmSync(STAMP, { force: true });
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(STAMP, `${inputs} ${hashOf([join(ROOT, 'dist')])}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** mkdir is atomic: whoever creates the directory holds the lock; a holder that died leaves its pid behind. */
async function lock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!isHeld()) rmSync(LOCK, { recursive: true, force: true });
    await sleep(200);
  }
}

/** Whether the lock's holder still runs; one that has yet to write its pid gets a minute. */
function isHeld(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    if (pid) {
      process.kill(pid, 0);
      return true;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ESRCH') return code === 'EPERM';
  }
  try {
    return Date.now() - statSync(LOCK).mtimeMs < 60_000;
  } catch {
    return false;
  }
}

function hashOf(paths: string[]): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
    } else {
      hash.update(path).update(readFileSync(path));
    }
  };
  for (const path of paths) add(path);
  return hash.digest('hex');
}
