/**
 * Where SO_ARC keeps a document: `<owner login>/<period>/<name>`. The period
 * is the registration year with `.1` for January–July and `.2` after, as the
 * public sample plug-in does (domain.md: the exact rule is not public).
 */
export function archivePeriod(registered: Date | string): string {
  const iso = typeof registered === 'string' ? registered : registered.toISOString();
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  return `${year}.${month <= 7 ? 1 : 2}`;
}

export function archiveRelativePath(ownerLogin: string, registered: Date | string, name: string): string {
  return `${ownerLogin}/${archivePeriod(registered)}/${name}`;
}
