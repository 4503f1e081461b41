/**
 * One client of bench/clients.ts alone in this fresh process: `calls` calls to warm up, then
 * `calls` timed ones. Prints `{ "p50": ms, "cpu": ms }` per call (median wall time; this process's
 * CPU time over the timed calls, divided by their number). bench/instructions.ts runs it under
 * valgrind instead.
 *
 * Usage: node --import tsx bench/one-client.ts <client name> <server url> <calls>
 */
import { perCallClients, steppingClients } from './clients.ts';

const [name = '', url = '', calls = '0'] = process.argv.slice(2);
const call = perCallClients(url)[name] ?? steppingClients(url)[name];
if (!call) throw new Error(`no client named ${name}`);
const count = Number(calls);
for (let i = 0; i < count; i++) await call();
const times: number[] = [];
const before = process.cpuUsage();
for (let i = 0; i < count; i++) {
  const start = performance.now();
  await call();
  times.push(performance.now() - start);
}
const { user, system } = process.cpuUsage(before);
times.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ p50: times[Math.floor(count / 2)], cpu: (user + system) / 1000 / count }));
