import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { OmtError } from '@omt/contracts';
import { DEFAULT_TABLE_PREFIX, type SourceLocation } from './source-url';

/**
 * What an installation's own configuration says: NetServer's
 * `SuperOffice.config` / `web.config` (`<Database>`, `<Explicit>`,
 * `<Documents>` sections of `<add key=… value=…/>`) or the Windows client's
 * `SuperOffice.ini` (`[SuperOffice] archivepath=`). Whatever is missing is
 * named, so the agent can ask for it.
 */
export interface DiscoveredInstallation {
  source: Partial<SourceLocation>;
  archivePath: string | null;
  /** Fields a source URL still needs. */
  missing: string[];
}

export async function readSuperOfficeConfig(path: string): Promise<DiscoveredInstallation> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new OmtError('CONFIG_INVALID', `Cannot read the SuperOffice configuration file ${path}.`);
  }
  return /\.ini$/i.test(basename(path)) ? parseSuperOfficeIni(text) : parseSuperOfficeXml(text);
}

export function parseSuperOfficeIni(text: string): DiscoveredInstallation {
  let section = '';
  let archivePath: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!.toLowerCase();
    const pair = /^([^=;#]+)=(.*)$/.exec(line);
    if (pair && section === 'superoffice' && pair[1]!.trim().toLowerCase() === 'archivepath') archivePath = pair[2]!.trim();
  }
  return { source: {}, archivePath, missing: ['host', 'database', 'user', 'password'] };
}

function sectionValues(xml: string, section: string): Map<string, string> {
  const values = new Map<string, string>();
  const block = new RegExp(`<${section}\\b[^>]*>([\\s\\S]*?)</${section}>`, 'i').exec(xml);
  if (!block) return values;
  for (const m of block[1]!.matchAll(/<add\s+key\s*=\s*"([^"]*)"\s+value\s*=\s*"([^"]*)"\s*\/?>/gi)) {
    values.set(m[1]!.toLowerCase(), decodeXml(m[2]!));
  }
  return values;
}

function decodeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function parseSuperOfficeXml(xml: string): DiscoveredInstallation {
  const db = sectionValues(xml, 'Database');
  const explicit = sectionValues(xml, 'Explicit');
  const documents = sectionValues(xml, 'Documents');
  const major = (db.get('databasemajor') ?? 'MSSQL').toUpperCase();
  const [host, port] = (db.get('server') ?? '').split(/[,:]/);
  const source: Partial<SourceLocation> = {
    dialect: major.startsWith('MSSQL') ? 'mssql' : major.startsWith('POSTGRE') ? 'postgres' : undefined,
    host: host?.trim() || undefined,
    port: port ? Number(port) : undefined,
    database: db.get('database') || undefined,
    schema: db.get('tableprefix') || DEFAULT_TABLE_PREFIX,
    user: explicit.get('dbuser') || undefined,
    password: explicit.get('dbpassword') || undefined,
    params: {},
  };
  for (const key of Object.keys(source) as (keyof SourceLocation)[]) if (source[key] === undefined) delete source[key];
  const missing = (['dialect', 'host', 'database', 'user', 'password'] as const).filter((k) => source[k] === undefined);
  return { source, archivePath: documents.get('archivepath') || null, missing };
}
