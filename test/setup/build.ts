import { execFileSync } from 'node:child_process';

/** The package tests, the browser test and the size check read dist/: build it once, first. */
export default function setup() {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
