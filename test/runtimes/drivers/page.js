// Driver for the browser page: the test reads the steps from globalThis.smokeResult.
import config from './config.js';
import { smoke } from './smoke.js';

globalThis.smokeResult = smoke(config);
