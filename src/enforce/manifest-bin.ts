/**
 * @module enforce/manifest-bin
 * Entry of the `grantex-manifest` command (bundled into dist/grantex-manifest.js).
 */
import { manifestMain } from './cli.js';

process.exitCode = await manifestMain(process.argv.slice(2));
