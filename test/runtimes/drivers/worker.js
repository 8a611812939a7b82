// Driver for workerd (`workerd test`): the test handler runs the smoke program
// and fails when a step does.
import config from './config.js';
import { smoke } from './smoke.js';

export default {
  async test() {
    const steps = await smoke(config);
    console.log(`SMOKE ${JSON.stringify(steps)}`);
    if (steps.some((s) => !s.ok)) throw new Error('smoke failed');
  },
};
