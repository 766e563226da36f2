import { tableNameOfSegment, tablePathSegment } from './upload';

describe('table names in URL paths', () => {
  const names = ['contact', '.', '..', '~.', '~~..', '...', 'a/../b', "O'Brien \"x\"", 'tabell æøå 表', '~', '%2E', ' '];

  it.each(names)('round-trips %j through a URL as one path segment', (name) => {
    const url = new URL(`http://api.test/api/agent/tables/${tablePathSegment(name)}/batches/0`);
    const segments = url.pathname.split('/');
    expect(segments).toHaveLength(7);
    expect(tableNameOfSegment(decodeURIComponent(segments[4]!))).toBe(name);
  });

  it('leaves ordinary names as plain URL encoding', () => {
    expect(tablePathSegment('a b/c')).toBe(encodeURIComponent('a b/c'));
  });
});
