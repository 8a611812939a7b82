// No flakiness, in full (npm run test:deep): the reference server and every variant over 20 seeds.
import { VARIANT_SEEDS, variantSweep } from './sweeps/variants.js';

variantSweep(VARIANT_SEEDS);
