import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PageAsset {
  body: Buffer;
  contentType: string;
}

const ASSETS: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/wizard.css': { file: 'wizard.css', contentType: 'text/css; charset=utf-8' },
  '/wizard.js': { file: 'wizard.js', contentType: 'text/javascript; charset=utf-8' },
};

/**
 * The single-file agent (scripts/package-agent.mjs) embeds the page's files
 * by name here at build time; in the workspace build it stays undefined.
 */
declare const OMT_EMBEDDED_PAGE: Record<string, string> | undefined;
const EMBEDDED_PAGE = typeof OMT_EMBEDDED_PAGE === 'object' ? OMT_EMBEDDED_PAGE : undefined;

/**
 * The page is three static files (no build step). tsc does not copy them to
 * dist, so a built agent reads them from the sources beside it.
 */
export const PAGE_DIR = [join(__dirname, 'page'), join(__dirname, '..', '..', 'src', 'wizard', 'page')].find((dir) =>
  existsSync(join(dir, 'index.html')),
);

export async function pageAsset(pathname: string): Promise<PageAsset | null> {
  const asset = ASSETS[pathname];
  if (!asset) return null;
  const embedded = EMBEDDED_PAGE?.[asset.file];
  if (embedded !== undefined) return { body: Buffer.from(embedded, 'utf8'), contentType: asset.contentType };
  if (!PAGE_DIR) return null;
  return { body: await readFile(join(PAGE_DIR, asset.file)), contentType: asset.contentType };
}
