/**
 * `npm run bench:instructions`: CPU instructions per call, from raw fetch to the facade, each
 * client alone in a fresh process under valgrind's callgrind. Two runs on an otherwise idle
 * machine agree within a few percent (bench/RESULTS.md), where wall and CPU time on this shared VM
 * wander by more than the differences that section 1 of `npm run bench` looks for. The count still
 * follows timing a little (how often the event loop wakes to find nothing), so run it alone: beside
 * other valgrind jobs, raw fetch read 15% higher. It counts instructions, not time: cache misses
 * and GC pauses weigh the same as any other instruction.
 *
 * Needs valgrind (Debian's `valgrind` package). `-- --smoke` runs each client briefly without it
 * (CI: the harness must run; it counts nothing).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { oneClientArgs, startServer } from './processes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const execFileAsync = promisify(execFile);
const SMOKE = process.argv.includes('--smoke');

/** Each adds one thing to the one before; see bench/clients.ts. */
const CLIENTS = [
  'raw fetch',
  'raw fetch with a timeout',
  'openapi-fetch',
  'openapi-fetch with AbortSignal.timeout',
  'kros.raw.GET',
  'facade (kros.webhooks.list)',
];
/** one-client.ts makes twice this many calls; the difference between the two runs is 2,000 calls. */
const FEW = 150;
const MANY = 1_150;

/** Instructions the whole process executed; V8 on one thread, so that background compiles and GC do not vary the count. */
async function instructions(name: string, url: string, calls: number): Promise<number> {
  const node = [process.execPath, '--single-threaded', ...oneClientArgs(name, url, calls)];
  const valgrind = ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file', '--trace-children=no'];
  const { stderr } = await execFileAsync('valgrind', [...valgrind, ...node], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const collected = /Collected : (\d+)/.exec(stderr)?.[1];
  if (!collected) throw new Error(`valgrind reported no count for ${name}:\n${stderr}`);
  return Number(collected);
}

async function perCall(name: string, url: string): Promise<number> {
  // Side by side, one per core: the machine has two.
  const [few, many] = await Promise.all([instructions(name, url, FEW), instructions(name, url, MANY)]);
  return (many - few) / (2 * (MANY - FEW));
}

const { url, child } = await startServer();
try {
  if (SMOKE) {
    for (const name of CLIENTS) await execFileAsync(process.execPath, oneClientArgs(name, url, 5), { cwd: ROOT });
    console.log(`instruction count harness: ${CLIENTS.length} clients ran (smoke pass: nothing counted)`);
  } else {
    console.log(`# Instructions per call, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
    console.log();
    console.log('| client | instructions per call | / openapi-fetch | / openapi-fetch with AbortSignal.timeout |');
    console.log('| --- | ---: | ---: | ---: |');
    const counts = new Map<string, number>();
    for (const name of CLIENTS) counts.set(name, await perCall(name, url));
    const openapiFetch = counts.get('openapi-fetch') as number;
    const withTimeout = counts.get('openapi-fetch with AbortSignal.timeout') as number;
    for (const [name, count] of counts) {
      console.log(
        `| ${name} | ${Math.round(count).toLocaleString('en')} | ${(count / openapiFetch).toFixed(3)}× | ${(count / withTimeout).toFixed(3)}× |`,
      );
    }
  }
} finally {
  child.kill();
}
