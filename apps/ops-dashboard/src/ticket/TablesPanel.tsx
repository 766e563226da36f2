import type { TableProgress } from '@omt/contracts';
import { ProgressBar } from '../components/ProgressBar';
import { StatusDot } from '../components/StatusDot';
import { formatCount } from '../format/format';
import { Panel } from '../components/Panel';

export function TablesPanel({ tables }: { tables: TableProgress[] }) {
  const done = tables.filter((t) => t.complete && t.batchesImported >= t.batchesReceived).length;
  return (
    <Panel title="Tables" meta={<>{tables.length === 0 ? 'none announced yet' : `${done} of ${tables.length} done`}</>}>
      {tables.length === 0 ? (
        <p className="panel__empty">The agent has not started the upload.</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-label="Tables">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Rows imported</th>
                <th scope="col" className="num">
                  Received
                </th>
                <th scope="col" className="num">
                  Batches
                </th>
                <th scope="col">Verified</th>
                <th scope="col">Structure</th>
              </tr>
            </thead>
            <tbody>
              {tables.map((table) => (
                <tr key={table.name} data-table={table.name}>
                  <th scope="row" className="mono">
                    {table.name}
                    <StoredNames table={table} />
                  </th>
                  <td>
                    <ProgressBar
                      label={`Rows of ${table.name}`}
                      done={table.rowsImported}
                      total={table.expectedRows}
                      text={`${formatCount(table.rowsImported)} / ${formatCount(table.expectedRows)}`}
                    />
                  </td>
                  <td className="num">{formatCount(table.rowsReceived)}</td>
                  <td className="num">
                    {formatCount(table.batchesImported)} / {formatCount(table.batchesReceived)}
                    {!table.complete && <div className="small muted">still arriving</div>}
                  </td>
                  <td>
                    {table.verified === null ? (
                      <span className="muted">not yet</span>
                    ) : (
                      <span title={table.verificationMessage ?? undefined}>
                        <StatusDot tone={table.verified ? 'ok' : 'down'} /> {table.verified ? 'equal' : 'different'}
                        {!table.verified && table.verificationMessage && (
                          <div className="small text-down">{table.verificationMessage}</div>
                        )}
                      </span>
                    )}
                  </td>
                  <td>
                    <StructureVerdict table={table} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

/**
 * The tenant's structure (columns, keys, indexes, defaults, identity) against
 * the source's declaration, beside the content verdict; warnings are what
 * the source declares that the tenant could not be given, shown whatever the verdict.
 */
function StructureVerdict({ table }: { table: TableProgress }) {
  const counts = `${table.indexes} ${table.indexes === 1 ? 'index' : 'indexes'}, ${table.constraints} ${table.constraints === 1 ? 'constraint' : 'constraints'}`;
  return (
    <div data-structure={table.structureVerified === null ? 'pending' : table.structureVerified ? 'equal' : 'different'}>
      {table.structureVerified === null ? (
        <span className="muted">not yet</span>
      ) : (
        <span title={table.structureMessage ?? undefined}>
          <StatusDot tone={table.structureVerified ? 'ok' : 'down'} /> {table.structureVerified ? 'equal' : 'different'}
        </span>
      )}
      <div className="small muted">{counts}</div>
      {table.structureVerified === false && table.structureMessage && (
        <div className="small text-down">{table.structureMessage}</div>
      )}
      {table.structureWarnings.length > 0 && (
        <ul className="small text-warn" aria-label={`Structure warnings of ${table.name}`}>
          {table.structureWarnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Names PostgreSQL cannot hold (past 63 bytes) are stored shortened with a hash: ops must find the table under that name. */
function StoredNames({ table }: { table: TableProgress }) {
  if (table.tenantName === table.name && table.renamedColumns.length === 0) return null;
  return (
    <>
      {table.tenantName !== table.name && (
        <div className="small muted" data-stored-as={table.tenantName}>
          stored as {table.tenantName}
        </div>
      )}
      {table.renamedColumns.length > 0 && (
        <ul className="small muted" aria-label={`Renamed columns of ${table.name}`}>
          {table.renamedColumns.map((c) => (
            <li key={c.source}>
              column {c.source} stored as {c.tenant}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
