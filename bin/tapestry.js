#!/usr/bin/env node
// The `tapestry` command. The sources are TypeScript, loaded through tsx, so there is no build
// step between editing a file and running it.
//
// The two largest dependencies are imported before tsx's loader is registered: its hooks answer
// every import in a thread of their own, and kysely alone is some 260 modules, which made the hooks
// the larger part of starting any command (about a second of a second and a half). Imported first,
// they are in node's module cache, and a source file's later `import … from 'kysely'` finds them there.
// They are plain JavaScript, so nothing is lost by loading them without tsx.
await Promise.all([import('kysely'), import('zod')]);
const { register } = await import('tsx/esm/api');

register();
const { run } = await import('../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
