import { SENTRY_PREFERENCE_SECTION } from '../catalog/crm-catalog';
import { failed, listNames, passed, plural, type CheckDefinition } from './check-kit';

/** The oldest release that can be migrated. */
export const MINIMUM_VERSION: readonly [number, number] = [7, 1];

/** `7.1.4507.a` → [7, 1]; null when the text carries no version. */
export function parseRelease(text: string | null): [number, number] | null {
  const m = /(\d+)\.(\d+)/.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export const versionCheck: CheckDefinition = {
  id: 'version-supported',
  severity: 'block',
  title: 'SuperOffice version is 7.1 or later',
  run({ catalog }) {
    // company.version is the database version; ProductVersion rows of SUPEROFFICE are the fallback.
    const candidates = [
      catalog.companyVersion,
      ...catalog.productVersions.filter((p) => p.ownerName.toUpperCase() === 'SUPEROFFICE').map((p) => p.version),
    ];
    const text = candidates.find((c) => parseRelease(c) !== null) ?? null;
    const release = parseRelease(text);
    const minimum = MINIMUM_VERSION.join('.');
    if (!release) {
      return failed(this, 'The database version cannot be read (company.version and ProductVersion are empty).', ['company'], `Check that this is a SuperOffice database; upgrade it to ${minimum} or later.`);
    }
    const ok = release[0] > MINIMUM_VERSION[0] || (release[0] === MINIMUM_VERSION[0] && release[1] >= MINIMUM_VERSION[1]);
    if (ok) return passed(this, `The database is version ${text}.`);
    return failed(this, `The database is version ${text}; migration needs ${minimum} or later.`, ['company'], `Upgrade the onsite installation to SuperOffice ${minimum} or later, then run the checks again.`);
  },
};

export const travelCheck: CheckDefinition = {
  id: 'users-on-travel',
  severity: 'block',
  title: 'No user is out on Travel',
  run({ catalog }) {
    if (catalog.travellers.length === 0) return passed(this, 'No user is out on Travel.');
    const logins = catalog.travellers.map((id) => catalog.users.find((u) => u.associateId === id)?.login ?? `associate ${id}`);
    return failed(
      this,
      `${listNames(logins.map((l) => `'${l}'`))} ${logins.length === 1 ? 'is' : 'are'} out on Travel; their changes are not in the central database yet.`,
      logins,
      'Have each traveller go home (synchronise) in the Travel client, so the traveller table is empty.',
    );
  },
};

export const satelliteCheck: CheckDefinition = {
  id: 'active-satellites',
  severity: 'block',
  title: 'No satellite is active',
  run({ catalog }) {
    const areas = new Map(catalog.areas.map((a) => [a.id, a]));
    const active = catalog.satellites.filter((s) => !s.deleted && !(areas.get(s.areaId)?.deleted ?? false));
    if (active.length === 0) return passed(this, 'No active satellite.');
    const names = active.map((s) => `'${s.name}' (area ${areas.get(s.areaId)?.name ?? s.areaId})`);
    return failed(
      this,
      `${plural(active.length, 'satellite is', 'satellites are')} active: ${listNames(names)}.`,
      active.map((s) => s.name),
      'Synchronise and then retire every satellite (and its area) in SuperOffice Maintenance before migrating.',
    );
  },
};

export const sentryCheck: CheckDefinition = {
  id: 'sentry-preferences',
  severity: 'block',
  title: 'No old security plug-in preferences (SentryAddonNames)',
  run({ catalog }) {
    const rows = catalog.sentryPreferences;
    if (rows.length === 0) return passed(this, `No ${SENTRY_PREFERENCE_SECTION} preferences.`);
    const owners = [...new Set(rows.map((r) => (r.associateId === 0 ? 'system' : catalog.users.find((u) => u.associateId === r.associateId)?.login ?? `associate ${r.associateId}`)))];
    return failed(
      this,
      `UserPreference holds ${plural(rows.length, 'row')} in section ${SENTRY_PREFERENCE_SECTION} (${listNames(rows.map((r) => r.key))}) for ${listNames(owners)}.`,
      ['UserPreference', ...owners],
      `Delete them: DELETE FROM <prefix>.UserPreference WHERE prefsection = '${SENTRY_PREFERENCE_SECTION}'.`,
    );
  },
};
