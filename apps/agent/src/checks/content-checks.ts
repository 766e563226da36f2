import type { DocumentStatus } from '@omt/contracts';
import { failed, listNames, passed, plural, type CheckDefinition, type CheckInput } from './check-kit';

/**
 * SuperOffice names extra tables `y_…` and extra fields `x_…`; anything so
 * named is a customization the tenant must be told about.
 */
export const customizationsCheck: CheckDefinition = {
  id: 'customizations',
  severity: 'warn',
  title: 'Tables and fields are standard (no customizations)',
  run({ catalog }) {
    const tables = catalog.tables.filter((t) => /^y_/i.test(t.name)).map((t) => t.name);
    const fields = catalog.tables
      .filter((t) => !/^y_/i.test(t.name))
      .flatMap((t) => t.columns.filter((c) => /^x_/i.test(c.name)).map((c) => `${t.name}.${c.name}`));
    if (tables.length + fields.length === 0) return passed(this, 'No extra tables or fields.');
    const parts = [
      tables.length ? `extra ${tables.length === 1 ? 'table' : 'tables'} ${listNames(tables)}` : '',
      fields.length ? `extra ${fields.length === 1 ? 'field' : 'fields'} ${listNames(fields)}` : '',
    ].filter(Boolean);
    return failed(
      this,
      `The database has ${parts.join(' and ')}.`,
      [...tables, ...fields],
      'They are migrated as data; check that screens, workflows and integrations that use them are set up again online.',
    );
  },
};

export const mailboxCheck: CheckDefinition = {
  id: 'customer-service-mailboxes',
  severity: 'warn',
  title: 'No Customer Service mailbox needs a new address',
  run({ catalog }) {
    const active = catalog.mailboxes.filter((m) => !m.deleted).map((m) => m.address);
    if (active.length === 0) return passed(this, 'No active Customer Service mailbox.');
    return failed(
      this,
      `${plural(active.length, 'Customer Service mailbox', 'Customer Service mailboxes')} (${listNames(active)}) will get new addresses online.`,
      active,
      'Forward each mailbox to its new online address after the migration, and add an SPF record for the online mail servers to your domain.',
    );
  },
};

function documentsWith(input: CheckInput, statuses: DocumentStatus[]) {
  return (input.archive?.documents ?? []).filter((d) => statuses.includes(d.status));
}

const notScanned = 'The archive was not scanned (no archive folder given).';

export const missingFilesCheck: CheckDefinition = {
  id: 'documents-missing-files',
  severity: 'warn',
  title: 'Every document file is in the archive',
  run(input) {
    if (!input.archive) return failed(this, notScanned, [], 'Give the archive folder (--archive) so documents can be checked.');
    const docs = documentsWith(input, ['missing-file']);
    if (docs.length === 0) return passed(this, 'Every document file is in the archive.');
    return failed(
      this,
      `${plural(docs.length, 'document file is', 'document files are')} missing from ${input.archive.root}: ${listNames(docs.map((d) => `document ${d.documentId} (${d.relativePath})`), 5)}.`,
      docs.map((d) => `document ${d.documentId}`),
      'Put the files back in the archive; the upload continues without them and a restart of the agent later uploads what was missing (recovery mode).',
    );
  },
};

const REASONS: Partial<Record<DocumentStatus, string>> = {
  'blank-name': 'has no file name',
  'no-appointment': 'has no appointment',
  'owner-missing': "has an appointment whose owner does not exist",
};

export const unlinkedDocumentsCheck: CheckDefinition = {
  id: 'documents-unlinked',
  severity: 'warn',
  title: 'Every document can be migrated',
  run(input) {
    if (!input.archive) return failed(this, notScanned, [], 'Give the archive folder (--archive) so documents can be checked.');
    const docs = documentsWith(input, ['blank-name', 'no-appointment', 'owner-missing']);
    if (docs.length === 0) return passed(this, 'Every document row has a name, an appointment and an owner.');
    return failed(
      this,
      `${plural(docs.length, 'document')} cannot be migrated: ${listNames(docs.map((d) => `document ${d.documentId} ${REASONS[d.status]}`), 5)}.`,
      docs.map((d) => `document ${d.documentId}`),
      'Fix or delete these document rows in SuperOffice (give the document a name, or link it to an appointment of an existing user); otherwise they are left behind.',
    );
  },
};
