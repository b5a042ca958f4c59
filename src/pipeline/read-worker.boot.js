// A worker thread starts without the parent's TypeScript loader, so it registers tsx itself
// before loading the TypeScript that does the work.
import { register } from 'tsx/esm/api';

register();
await import('./read-worker.ts');
