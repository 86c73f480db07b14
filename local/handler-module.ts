// Loading a function's handler module by its entry (lib/definitions.ts), as Lambda loads the bundle:
// shared by the runtime, the processor's thread and the API processes.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Imports `entry` (a path from the repository root) and returns its exported `handler`. */
export async function loadHandler<H>(entry: string): Promise<H> {
  const mod = (await import(pathToFileURL(join(REPO_ROOT, entry)).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`${entry} does not export a handler function`);
  return mod.handler as H;
}
