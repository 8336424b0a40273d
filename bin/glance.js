#!/usr/bin/env node
// The `glance` command. The sources are TypeScript run through tsx, so `npx glance` works right after
// `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
// A command that failed has printed why; a library that left a handle open (e.g. discord.js reconnecting after a
// refused start) must not keep the process alive. The timer is unref'd: a process with nothing left exits at once.
if (process.exitCode) setTimeout(() => process.exit(), 2000).unref();
