import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import LongFilesFirst from './test/support/long-files-first.js';

/**
 * `npm test`: every `test/**\/*.test.ts` but the long sweeps, which are named
 * `*.deep.test.ts` and run with `npm run test:deep` (vitest.deep.config.ts).
 * Files run in parallel processes: at least two even on a two-core machine
 * (vitest's default would be one there), since most files spend much of their
 * time waiting on sockets and timers. The known long files start first, so
 * none of them runs alone at the end. The ten slowest files are printed last.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/**/*.deep.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ['default', './test/support/slowest-files.ts'],
    sequence: { sequencer: LongFilesFirst },
  },
});
