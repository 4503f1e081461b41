import type { TestProject } from 'vitest/node';
import { startPrism } from '../../scripts/prism.ts';

export default async function setup(project: TestProject) {
  const prism = await startPrism();
  project.provide('prismUrl', prism.url);
  return prism.stop;
}
