// Builds the dashboard: bundles web/src with the project's esbuild (code-split: the user page's graph
// and chart libraries load on demand), copies web/public, and writes web/dist/ (served by the local
// runtime at `/`, uploaded by the stack). Content-hashed asset names, so only index.html needs
// revalidating. `tsx scripts/build-web.ts [--out DIR]` runs it; other code imports buildWeb().
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface WebBuild {
  outDir: string;
  /** Every emitted file but source maps, relative to outDir, with its size in bytes. */
  files: { path: string; bytes: number }[];
  /** JS + CSS loaded by the first page (overview / leaderboards), in bytes. */
  initialBytes: number;
  /** JS + CSS of everything, in bytes (source maps excluded). */
  totalBytes: number;
}

export interface BuildWebOptions {
  outDir?: string;
  minify?: boolean;
  /** Print a one-line summary. Default: false. */
  log?: boolean;
}

export async function buildWeb(opts: BuildWebOptions = {}): Promise<WebBuild> {
  const outDir = resolve(opts.outDir ?? join(ROOT, 'web/dist'));
  const assetsDir = join(outDir, 'assets');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(assetsDir, { recursive: true });

  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { app: 'web/src/main.ts', styles: 'web/src/styles.css' },
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: opts.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });

  const entryOut = (entry: string): string => {
    for (const [file, meta] of Object.entries(result.metafile.outputs)) {
      if (meta.entryPoint === entry && !file.endsWith('.map')) return file;
    }
    throw new Error(`esbuild produced no output for ${entry}`);
  };
  const rel = (file: string) => relative(outDir, resolve(ROOT, file)).split('\\').join('/');
  const app = entryOut('web/src/main.ts');
  const styles = entryOut('web/src/styles.css');

  await cp(join(ROOT, 'web/public'), outDir, { recursive: true });
  const indexPath = join(outDir, 'index.html');
  const html = (await readFile(indexPath, 'utf8'))
    .replace('%APP%', rel(app))
    .replace('%STYLES%', rel(styles));
  await writeFile(indexPath, html);

  const files = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, meta]) => ({ path: rel(file), bytes: meta.bytes }));
  const appMeta = result.metafile.outputs[app];
  const initial = new Set<string>([
    app,
    styles,
    ...appMeta.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path),
  ]);
  const initialBytes = [...initial].reduce((n, f) => n + (result.metafile.outputs[f]?.bytes ?? 0), 0);
  const totalBytes = files.filter((f) => /\.(js|css)$/.test(f.path)).reduce((n, f) => n + f.bytes, 0);
  const build: WebBuild = { outDir, files, initialBytes, totalBytes };
  if (opts.log) {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `web: ${relative(process.cwd(), outDir) || '.'} — first page ${kb(initialBytes)}, all ${kb(totalBytes)}`,
    );
  }
  return build;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = Date.now();
  // --out DIR: the stack's asset bundling builds into CDK's staging folder (lib/constructs/web-dashboard.ts).
  const { out } = parseArgs({ options: { out: { type: 'string' } } }).values;
  buildWeb({ log: true, outDir: out }).then(
    () => console.log(`web: built in ${Date.now() - started} ms`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
