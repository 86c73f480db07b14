// The pure half of the dashboard's deployment (lambdas/web-deploy): which files the site bucket gets,
// with which Content-Type and Cache-Control, in which order, and which stale keys go. No SDK here, so
// it is tested without mocks.
import { unzipSync } from 'fflate';

/**
 * scripts/build-web.ts puts every esbuild output under assets/ with a content hash in its name (maps and
 * license files are named after their hashed file), so a name there never changes meaning: browsers and
 * CloudFront may keep it for a year. Everything else (index.html, config.js, favicon.svg) keeps its name
 * across builds and must be revalidated.
 */
export const HASHED_PREFIX = 'assets/';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cached, but revalidated on every use (a cheap 304 by ETag): a deploy shows on the next load. */
export const REVALIDATE = 'no-cache';
/**
 * Written last: it is what points at the new hashed assets, so a browser that loads it mid-deploy finds
 * every file it names already there.
 */
export const ENTRY_PAGE = 'index.html';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  svg: 'image/svg+xml',
  txt: 'text/plain; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  webmanifest: 'application/manifest+json',
};

/** S3 serves an object with the Content-Type it was stored with; the default would be binary/octet-stream. */
export function contentType(key: string): string {
  const dot = key.lastIndexOf('.');
  const ext = dot > key.lastIndexOf('/') ? key.slice(dot + 1).toLowerCase() : '';
  return TYPES[ext] ?? 'application/octet-stream';
}

export function cacheControl(key: string): string {
  return key.startsWith(HASHED_PREFIX) ? IMMUTABLE : REVALIDATE;
}

export interface SiteFile {
  key: string;
  body: Uint8Array;
  contentType: string;
  cacheControl: string;
}

/**
 * A zip entry's name as an object key: forward slashes, no leading `./` or `/`. Names that climb out
 * (`..`) or are empty are refused: the archive is ours, so such a name means it is not what we built.
 */
export function objectKey(name: string): string {
  const key = name.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
  if (key === '' || key.split('/').some((part) => part === '..' || part === '')) {
    throw new Error(`unexpected file name in the dashboard archive: ${JSON.stringify(name)}`);
  }
  return key;
}

function siteFile(key: string, body: Uint8Array): SiteFile {
  return { key, body, contentType: contentType(key), cacheControl: cacheControl(key) };
}

/**
 * The site: every file of the build archive (the CDK asset of the built dashboard, a zip) plus the
 * files the stack writes itself (`config.js` with the API's URL), which win over an archive file of the
 * same name. The entry page comes last (ENTRY_PAGE); the archive must hold one.
 */
export function siteFiles(archive: Uint8Array, extra: Record<string, string> = {}): SiteFile[] {
  const byKey = new Map<string, SiteFile>();
  for (const [name, body] of Object.entries(unzipSync(archive))) {
    if (name.endsWith('/')) continue; // a directory entry
    const key = objectKey(name);
    byKey.set(key, siteFile(key, body));
  }
  if (!byKey.has(ENTRY_PAGE)) throw new Error(`the dashboard archive has no ${ENTRY_PAGE}`);
  const encoder = new TextEncoder();
  for (const [name, text] of Object.entries(extra)) {
    const key = objectKey(name);
    byKey.set(key, siteFile(key, encoder.encode(text)));
  }
  const files = [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
  return [...files.filter((f) => f.key !== ENTRY_PAGE), ...files.filter((f) => f.key === ENTRY_PAGE)];
}

/** Keys in the bucket that the new site does not have: the previous builds' assets. */
export function staleKeys(existing: Iterable<string>, site: Iterable<string>): string[] {
  const keep = new Set(site);
  return [...existing].filter((key) => !keep.has(key));
}

/** Splits a list into runs of at most `size` (DeleteObjects takes 1,000 keys a call). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
