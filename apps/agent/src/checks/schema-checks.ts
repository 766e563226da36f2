import { failed, listNames, passed, plural, type CheckDefinition } from './check-kit';

/**
 * Every column of every table whose type omt cannot carry to the tenant,
 * found before anything is sent. The upload would otherwise stop at the
 * first such table, after the checks and the plan were stored.
 */
export const unsupportedColumnsCheck: CheckDefinition = {
  id: 'columns-unsupported',
  severity: 'block',
  title: 'Every column has a type omt can migrate',
  run({ catalog }) {
    const columns = catalog.tables.flatMap((t) =>
      t.columns.filter((c) => c.type === null).map((c) => `${t.name}.${c.name} (${c.nativeType})`),
    );
    if (columns.length === 0)
      return passed(this, `Every column of the ${plural(catalog.tables.length, 'table')} has a type omt can migrate.`);
    const tables = new Set(catalog.tables.filter((t) => t.columns.some((c) => c.type === null)).map((t) => t.name));
    return failed(
      this,
      `${plural(columns.length, 'column')} in ${plural(tables.size, 'table')} ${columns.length === 1 ? 'has a type' : 'have types'} omt cannot migrate: ${listNames(columns, Infinity)}.`,
      columns,
      'omt carries integers, floats, decimals with a fixed precision and scale, text, binary, booleans, dates, times, timestamps and uuids. ' +
        'Change each listed column onsite to one of those types, or drop it if the CRM does not need it (custom columns are the usual cause), then run the checks again.',
    );
  },
};
