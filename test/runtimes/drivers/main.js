// Driver for Node, Deno and Bun: runs the smoke program and prints its steps on one line.
import config from './config.js';
import { smoke } from './smoke.js';

console.log(`SMOKE ${JSON.stringify(await smoke(config))}`);
