#!/usr/bin/env node
// Launcher of the `grantex-conformance` bin: loads the TypeScript CLI through
// tsx's ESM loader (no build step), runs it and exits with its code.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
