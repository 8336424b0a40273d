// Worker entry: registers tsx so the TypeScript worker runs without a build step, then loads it.
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker.ts');
