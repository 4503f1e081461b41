import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type PrismStatus, startPrism } from '../../scripts/prism.ts';

/**
 * The Prism mock for the whole run. Tests run in other processes: Prism's status (its exit and its
 * stderr) goes to a file they read when a test that needs Prism starts or fails.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'kros-prism-'));
  const statusFile = join(dir, 'status.json');
  let done = false;
  const write = (status: PrismStatus) => done || writeFileSync(statusFile, JSON.stringify(status));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  write({ exit: undefined, stderr: '' });
  const prism = await startPrism(write);
  project.provide('prismUrl', prism.url);
  project.provide('prismStatusFile', statusFile);
  return async () => {
    done = true;
    await prism.stop();
    remove();
  };
}
