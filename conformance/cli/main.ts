/**
 * Entry of the `grantex-conformance` command. tsup bundles it, with the suite,
 * the reference server and their dependencies, into dist/grantex-conformance.js.
 */
import { main } from './cli.js';
import { commandOf } from './invocation.js';

process.exitCode = await main(
  process.argv.slice(2),
  process.env,
  commandOf(process.env, process.argv[1], process.cwd()),
);
