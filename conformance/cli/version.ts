/**
 * @module version
 * The package version the CLIs print with `--version` (bundled into the
 * published CLI by tsup, so it needs no package.json at run time).
 */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
