// Bundle size per function, built as the stack builds it (esbuild, ESM, minified, everything bundled),
// and the Lambda memory size each function is given.
import { build } from 'esbuild';
import { FUNCTIONS } from '../lib/definitions';
import type { Figure, Section } from './report';

export async function benchBundles(): Promise<Section> {
  const bundleKb: Record<string, Figure> = {};
  const memoryMb: Record<string, Figure> = {};
  for (const fn of FUNCTIONS) {
    const out = await build({
      entryPoints: [fn.entry],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      mainFields: ['module', 'main'],
      write: false,
      logLevel: 'silent',
    });
    const bytes = out.outputFiles.reduce((a, f) => a + f.contents.length, 0);
    bundleKb[fn.id] = {
      value: bytes / 1024,
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
