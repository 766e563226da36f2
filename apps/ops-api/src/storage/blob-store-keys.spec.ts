import {
  InvalidBlobKey,
  batchBlobKey,
  isTicketBlobPrefix,
  isUploadOf,
  newUploadId,
  parseBlobKey,
  parseUploadId,
  ticketBlobPrefixes,
  uploadBlobKey,
} from './blob-store-keys';

const ticket = '0b6f7c1e-2d3a-4f5b-8c9d-0e1f2a3b4c5d';
const other = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9';
const hex32 = 'a'.repeat(32);
const own = `${ticket}.${hex32}`;
const theirs = `${other}.${'b'.repeat(32)}`;

describe('upload ids', () => {
  it('are made of the ticket id and 32 random hex digits, and parse back to their ticket', () => {
    const id = newUploadId(ticket);
    expect(id).toMatch(new RegExp(`^${ticket}\\.[0-9a-f]{32}$`));
    expect(parseUploadId(id)).toEqual({ ticketId: ticket, uploadId: id });
    expect(newUploadId(ticket)).not.toBe(id);
    expect(isUploadOf(id, ticket)).toBe(true);
    expect(isUploadOf(id, other)).toBe(false);
  });

  it.each([
    ['traversal to another upload', `${ticket}./../${theirs}`],
    ['encoded-then-decoded backslash', `${ticket}.\\..\\${theirs}`],
    ['dot segment', `${ticket}./${hex32}`],
    ['parent', '..'],
    ['empty', ''],
    ['short random part', `${ticket}.${'a'.repeat(31)}`],
    ['long random part', `${ticket}.${'a'.repeat(33)}`],
    ['upper case hex', `${ticket}.${'A'.repeat(32)}`],
    ['upper case ticket', `${ticket.toUpperCase()}.${hex32}`],
    ['trailing slash', `${own}/`],
    ['trailing newline', `${own}\n`],
    ['NUL', `${own}\u0000`],
    ['info file', `${own}.json`],
    ['blob key instead of id', `tus/${own}`],
    ['no separator', `${ticket}${hex32}`],
    ['other separator', `${ticket}-${hex32}`],
    ['ticket only', ticket],
  ])('refuses %s', (_what, id) => {
    expect(parseUploadId(id)).toBeNull();
    expect(isUploadOf(id, ticket)).toBe(false);
    expect(() => uploadBlobKey(id)).toThrow(InvalidBlobKey);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, {}, [own]]) expect(parseUploadId(value)).toBeNull();
  });

  it('refuses to name an upload after something that is not a ticket id', () => {
    expect(() => newUploadId('../x')).toThrow(InvalidBlobKey);
  });
});

describe('blob keys', () => {
  it('parse the two forms the API builds, and nothing else', () => {
    expect(parseBlobKey(uploadBlobKey(own))).toEqual({ kind: 'upload', ticketId: ticket, uploadId: own });
    const batch = batchBlobKey(ticket, '0123456789abcdef', 42);
    expect(batch).toMatch(new RegExp(`^tickets/${ticket}/tables/0123456789abcdef/42-[0-9a-f]{12}\\.gz$`));
    expect(parseBlobKey(batch)).toEqual({
      kind: 'batch',
      ticketId: ticket,
      tableKey: '0123456789abcdef',
      sequence: 42,
    });
    expect(parseBlobKey(batchBlobKey(ticket, '0123456789abcdef', 0))).toMatchObject({ sequence: 0 });
  });

  it.each([
    `tus/${ticket}./../${theirs}`,
    `tus/../tus/${own}`,
    `tus/${own}.json`,
    `tus//${own}`,
    `/tus/${own}`,
    `tus\\${own}`,
    `tickets/${ticket}/tables/0123456789abcdef/01-aaaaaaaaaaaa.gz`,
    `tickets/${ticket}/tables/0123456789abcdef/-1-aaaaaaaaaaaa.gz`,
    `tickets/${ticket}/tables/0123456789abcdef/1-aaaaaaaaaaaa.gz.part`,
    `tickets/${ticket}/tables/0123456789ABCDEF/1-aaaaaaaaaaaa.gz`,
    `tickets/${ticket}/tables/../../${other}/tables/0123456789abcdef/1-aaaaaaaaaaaa.gz`,
    `tickets/${ticket}/tables/person/1`,
    'tickets/t1/tables/0123456789abcdef/1-aaaaaaaaaaaa.gz',
    '../etc/passwd',
    '',
  ])('refuses %j', (key) => {
    expect(parseBlobKey(key)).toBeNull();
  });

  it('refuses to build a batch key from a table name or a bad sequence', () => {
    expect(() => batchBlobKey(ticket, '../person', 1)).toThrow(InvalidBlobKey);
    expect(() => batchBlobKey(ticket, '0123456789abcdef', -1)).toThrow(InvalidBlobKey);
    expect(() => batchBlobKey(ticket, '0123456789abcdef', 1.5)).toThrow(InvalidBlobKey);
    expect(() => batchBlobKey('t1', '0123456789abcdef', 1)).toThrow(InvalidBlobKey);
  });
});

describe('ticket prefixes', () => {
  it("cover the ticket's batches and uploads, and are the only prefixes accepted", () => {
    const prefixes = ticketBlobPrefixes(ticket);
    expect(prefixes).toEqual([`tickets/${ticket}/`, `tus/${ticket}.`]);
    for (const prefix of prefixes) expect(isTicketBlobPrefix(prefix)).toBe(true);
    expect(uploadBlobKey(own).startsWith(prefixes[1]!)).toBe(true);
    expect(uploadBlobKey(theirs).startsWith(prefixes[1]!)).toBe(false);
    for (const prefix of [
      '',
      'tickets/',
      'tus/',
      `tus/${ticket}`,
      `tickets/${ticket}`,
      'tickets/../',
      `tus/${ticket}.a`,
    ])
      expect(isTicketBlobPrefix(prefix)).toBe(false);
    expect(() => ticketBlobPrefixes('')).toThrow(InvalidBlobKey);
  });
});
