// No flakiness, CI-sized: the reference server and every variant over 3 of
// the 20 seeds (the deep sweep, variants.deep.test.ts, runs all 20).
import { VARIANT_SEEDS, variantSweep } from './sweeps/variants.js';

variantSweep(VARIANT_SEEDS.slice(0, 3));
