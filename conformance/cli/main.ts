/**
 * Entry of the `grantex-conformance` command. tsup bundles it, with the suite,
 * the reference server and their dependencies, into dist/grantex-conformance.js.
 */
import { rpMain } from '../rp/cli.js';
import { main } from './cli.js';
import { commandOf } from './invocation.js';

const argv = process.argv.slice(2);
process.exitCode =
  argv[0] === 'rp'
    ? await rpMain(argv.slice(1))
    : await main(argv, process.env, commandOf(process.env, process.argv[1], process.cwd()));
