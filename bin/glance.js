#!/usr/bin/env node
// The `glance` command. The sources are TypeScript run through tsx, so `npx glance` works right after
// `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
