// Worker entry: the engine worker compiled into .build/ when that tree matches the sources, else the TypeScript
// worker through tsx — the same choice bin/glance.js makes (bin/compiled-tree.js).
import { importSource } from '../../bin/compiled-tree.js';

await importSource(new URL('./engine-worker.ts', import.meta.url));
