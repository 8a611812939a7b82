/**
 * Runs the benches, each in its own Node process, one after another:
 * `npm run bench` runs them all, `npm run bench -- verify import` the ones
 * named. Each bench prints its own baseline, ratios and load average.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The benches by name: one line each, so adding one is a one-line change. */
const benches: Record<string, string> = {
  client: 'client.bench.ts',
  verify: 'verify.bench.ts',
  import: 'import.bench.ts',
  jwks: 'jwks.bench.ts',
  server: 'server.bench.ts',
  hostile: 'hostile.bench.ts',
  events: 'events.bench.ts',
};

const dir = fileURLToPath(new URL('.', import.meta.url));
const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`no bench named ${unknown.join(', ')}; the benches are: ${Object.keys(benches).join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const name of names.length === 0 ? Object.keys(benches) : names) {
  console.log(`\n=== ${name} (${benches[name]}) ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${benches[name]}`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
