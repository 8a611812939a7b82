// The deep self-test (`npm run test:deep`): every fault, the CLI's defaults.
import { FAULT_NAMES } from '../../conformance/reference/server.js';
import { selftestSweep } from './sweeps/selftest.js';

selftestSweep(FAULT_NAMES, 'every fault');
