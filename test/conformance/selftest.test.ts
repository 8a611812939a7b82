// CI-sized self-test: the reference server (5 property runs per check), every
// variant, and a fixed third of the faults. selftest.deep.test.ts
// (`npm run test:deep`) catches every fault with the CLI's defaults.
import { FAULT_NAMES } from '../../conformance/reference/server.js';
import { selftestSweep } from './sweeps/selftest.js';

selftestSweep(
  FAULT_NAMES.filter((_, index) => index % 3 === 0),
  'each sampled fault',
  { cleanRuns: 5 },
);
