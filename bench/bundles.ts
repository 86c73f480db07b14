// Bundle size per function, built as the stack builds it (esbuild, ESM, minified, everything bundled),
// and the Lambda memory size each function is given.
import { basename } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS } from '../lib/definitions';
import type { Figure, Section } from './report';

export async function benchBundles(): Promise<Section> {
  const bundleKb: Record<string, Figure> = {};
  const memoryMb: Record<string, Figure> = {};
  // One build of every entry point: each output is the complete bundle of its function (no code
  // splitting, the same bytes as a build of that entry alone), and the modules they share are parsed once.
  const out = await build({
    entryPoints: Object.fromEntries(FUNCTIONS.map((fn) => [fn.id, fn.entry])),
    outdir: 'out',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  for (const fn of FUNCTIONS) {
    const file = out.outputFiles.find((f) => basename(f.path) === `${fn.id}.js`);
    if (file === undefined) throw new Error(`esbuild wrote no bundle for ${fn.id}`);
    bundleKb[fn.id] = {
      value: file.contents.length / 1024,
      unit: 'KiB',
      how: `esbuild bundle of ${fn.entry} (minified ESM, AWS SDK included)`,
    };
    memoryMb[fn.id] = {
      value: fn.memoryMb,
      unit: 'MB',
      how: 'Lambda memory size set by the stack (lib/definitions.ts)',
    };
  }
  return { bundleKb, memoryMb };
}
