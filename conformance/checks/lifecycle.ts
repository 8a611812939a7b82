/**
 * @module checks/lifecycle
 * The grant lifecycle, model-based: random sequences of authorize, exchange,
 * refresh, delegate, revoke grant, revoke token, verify online and offline,
 * and audit log run against the server and against a model of what must be
 * valid; a failure shrinks to the shortest sequence that still fails.
 */
import fc from 'fast-check';
import type { Check } from '../engine/check.js';
import { lifecycleCommands, scriptedStory } from '../model/commands.js';
import { seededModel, type LifecycleModel, type LifecycleReal } from '../model/model.js';

export const lifecycleChecks: Check[] = [
  {
    id: 'lifecycle.model',
    area: 'lifecycle',
    clause: 'SPEC §5 grant flow, §7 revocation, §7.4 refresh rotation, §8.2 audit chain, §9 delegation and cascade',
    level: 'MUST',
    title:
      'any sequence of lifecycle operations leaves exactly the tokens the model says valid, and every answer is the one the model predicts',
    property: { requests: 30, authorize: 2, token: 6 },
    async run(ctx) {
      const { session } = ctx;
      const dev = session.devA;
      const real: LifecycleReal = {
        session,
        dev,
        root: await session.agent(dev, 'model'),
        subs: [await session.agent(dev, 'sub'), await session.agent(dev, 'sub2')],
      };
      await ctx.property<[Iterable<fc.AsyncCommand<LifecycleModel, LifecycleReal, boolean>>]>(
        [ctx.commands(lifecycleCommands, { maxCommands: 20, size: 'medium' })],
        async (commands) => {
          // Every run starts from one fresh grant, so any command applies from the first step.
          await fc.asyncModelRun(async () => ({ model: await seededModel(real), real }), commands);
        },
        { examples: [[scriptedStory()]] },
      );
    },
  },
];
