#!/usr/bin/env node
// The `glance` command. The sources are TypeScript: this runs them as compiled by `npm run prepare` (npm ci runs it)
// into .build/ when that tree matches the sources on disk, else through tsx (bin/compiled-tree.js), so an edited
// source always runs as edited and `npx glance` works right after `npm ci`.
import { importSource } from './compiled-tree.js';

const { main } = await importSource(new URL('../cli/main.ts', import.meta.url));
await main(process.argv);
// A command that failed has printed why; a library that left a handle open (e.g. discord.js reconnecting after a
// refused start) must not keep the process alive. The timer is unref'd: a process with nothing left exits at once.
if (process.exitCode) setTimeout(() => process.exit(), 2000).unref();
