import { describeSource, parseSourceUrl, pgConnectionString } from './source-url';
import { parseSuperOfficeIni, parseSuperOfficeXml } from './superoffice-config';

describe('source URLs', () => {
  it('parses mssql and postgres URLs with the table prefix schema', () => {
    expect(parseSourceUrl('mssql://user:pa%3Ass@host:1433/db?schema=crm7')).toMatchObject({
      dialect: 'mssql', host: 'host', port: 1433, database: 'db', user: 'user', password: 'pa:ss', schema: 'crm7', params: {},
    });
    const pg = parseSourceUrl('postgres://user@host/db?schema=crm8&sslmode=disable');
    expect(pg).toMatchObject({ dialect: 'postgres', port: 5432, schema: 'crm8', params: { sslmode: 'disable' } });
    expect(pgConnectionString(pg)).toBe('postgres://user@host:5432/db?sslmode=disable');
    expect(parseSourceUrl('postgresql://h/db').schema).toBe('crm7');
    expect(describeSource(parseSourceUrl('mssql://sa:secret@h/db'))).toBe('mssql://sa@h:1433/db?schema=crm7');
  });

  it('refuses what it cannot use, with a code', () => {
    expect(() => parseSourceUrl('not a url')).toThrow(/not a URL/);
    expect(() => parseSourceUrl('mysql://h/db')).toThrow(/Unsupported source protocol/);
    expect(() => parseSourceUrl('mssql://h/')).toThrow(/names no database/);
  });
});

describe('SuperOffice configuration discovery', () => {
  it('reads the database and archive from SuperOffice.config', () => {
    const xml = `<?xml version="1.0"?><configuration><SuperOffice>
      <Data><Database>
        <add key="DatabaseMajor" value="MSSQL" /><add key="Server" value="sql01,14330" />
        <add key="Database" value="SuperOffice" /><add key="TablePrefix" value="crm7" />
      </Database><Explicit><add key="DBUser" value="crm7" /><add key="DBPassword" value="s&amp;cret" /></Explicit></Data>
      <Documents><add key="ArchivePath" value="\\\\fileserver\\SO_ARC" /></Documents>
    </SuperOffice></configuration>`;
    expect(parseSuperOfficeXml(xml)).toEqual({
      source: { dialect: 'mssql', host: 'sql01', port: 14330, database: 'SuperOffice', schema: 'crm7', user: 'crm7', password: 's&cret', params: {} },
      archivePath: '\\\\fileserver\\SO_ARC',
      missing: [],
    });
  });

  it('names what the configuration does not say', () => {
    const found = parseSuperOfficeXml('<Database><add key="Server" value="sql01"/></Database>');
    expect(found.missing).toEqual(['database', 'user', 'password']);
    expect(found.source.schema).toBe('crm7');
    expect(parseSuperOfficeIni('[SuperOffice]\r\nArchivePath=D:\\SO_ARC\r\n[Other]\r\narchivepath=nope')).toEqual({
      source: {},
      archivePath: 'D:\\SO_ARC',
      missing: ['host', 'database', 'user', 'password'],
    });
  });
});
