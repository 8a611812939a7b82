/**
 * @module main
 * The dev-server command (`npm run dev-server`, installed as
 * `grantex-dev-server`): runs cli.ts in a process with the dev-server's Node
 * flags (launch.ts), relaunching itself once when started without them.
 */
import { hasDevServerFlags, relaunch } from './launch.js';

if (hasDevServerFlags()) await import('./cli.js');
else process.exitCode = await relaunch();
