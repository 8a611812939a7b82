import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:deep`: the long sweeps (many seeds, every fault), for a
 * scheduled job. Any file named `test/**\/*.deep.test.ts` belongs here;
 * `npm test` runs a CI-sized sample of the same sweeps.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/**/*.deep.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 60_000,
  },
});
