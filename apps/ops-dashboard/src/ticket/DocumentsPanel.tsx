import type { TicketDetail } from '@omt/contracts';
import { MISSING_REASONS } from '../components/labels';
import { formatBytes, formatCount } from '../format/format';
import { Panel } from '../components/Panel';

export function DocumentsPanel({ documents }: { documents: TicketDetail['documents'] }) {
  const { missing } = documents;
  return (
    <Panel
      title="Documents"
      meta={
        <>
          {formatCount(documents.received)} / {formatCount(documents.expected)} received ·{' '}
          {formatBytes(documents.receivedBytes)} / {formatBytes(documents.expectedBytes)}
        </>
      }
    >
      <div className="panel__body">
        <h3 className="subhead">Missing documents ({formatCount(missing.length)})</h3>
        {missing.length === 0 ? (
          <p className="muted">None reported.</p>
        ) : (
          <div className="table-scroll table-scroll--tall">
            <table className="table" aria-label="Missing documents">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Document
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col">Path in the archive</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {missing.map((doc) => (
                  <tr key={doc.documentId} data-document-id={doc.documentId}>
                    <td className="num mono">{doc.documentId}</td>
                    <td>{doc.name || <span className="muted">(blank)</span>}</td>
                    <td className="mono small">{doc.relativePath ?? <span className="muted">—</span>}</td>
                    <td>{MISSING_REASONS[doc.reason]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Panel>
  );
}
