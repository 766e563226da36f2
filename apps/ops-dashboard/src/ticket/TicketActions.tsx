import type { EnrollmentCodeIssued, TicketView } from '@omt/contracts';
import { FINAL_STATES } from '@omt/contracts';
import { useState, type FormEvent } from 'react';
import { describeError, opsApi } from '../api/ops-api';
import { formatTime } from '../format/format';
import { Panel } from '../components/Panel';

type Pending = 'cancel' | 'reset' | null;

/** Cancel, reset (test migrations only) and a new enrollment code; the destructive two ask first, with a reason. */
export function TicketActions({ ticket, onChanged }: { ticket: TicketView; onChanged: () => void }) {
  const [confirming, setConfirming] = useState<Pending>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState<EnrollmentCodeIssued | null>(null);
  const open = !FINAL_STATES.includes(ticket.state);

  const run = async (action: () => Promise<EnrollmentCodeIssued | TicketView>) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await action();
      if ('enrollmentCode' in answer) setCode(answer);
      setConfirming(null);
      setReason('');
      onChanged();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    const why = reason.trim() || undefined;
    if (confirming === 'cancel') void run(() => opsApi.cancel(ticket.id, why));
    if (confirming === 'reset') void run(() => opsApi.reset(ticket.id, why));
  };

  return (
    <Panel title="Actions">
      <div className="panel__body actions">
        {error && (
          <p className="alert alert--down" role="alert">
            {error}
          </p>
        )}
        {code && <CodeReveal issued={code} onDone={() => setCode(null)} />}
        {confirming === null ? (
          <div className="actions__buttons">
            <button
              type="button"
              className="button"
              disabled={busy || !open}
              onClick={() => void run(() => opsApi.newEnrollmentCode(ticket.id))}
            >
              New enrollment code
            </button>
            {ticket.kind === 'test' && (
              <button
                type="button"
                className="button button--warn"
                disabled={busy}
                onClick={() => setConfirming('reset')}
              >
                Reset test migration…
              </button>
            )}
            <button
              type="button"
              className="button button--danger"
              disabled={busy || !open}
              onClick={() => setConfirming('cancel')}
            >
              Cancel migration…
            </button>
          </div>
        ) : (
          <form
            onSubmit={confirm}
            className="actions__confirm"
            aria-label={confirming === 'cancel' ? 'Confirm cancel' : 'Confirm reset'}
          >
            <p className="small">
              {confirming === 'cancel'
                ? 'The agent is told to stop; the ticket cannot be resumed.'
                : "The tenant's data is wiped, the agent's token revoked, and a new enrollment code issued."}
            </p>
            <label className="field">
              <span className="field__label">Reason (for the audit trail)</span>
              <input type="text" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
            </label>
            <div className="actions__buttons">
              <button
                type="submit"
                className={confirming === 'cancel' ? 'button button--danger' : 'button button--warn'}
                disabled={busy}
              >
                {confirming === 'cancel' ? 'Cancel the migration' : 'Reset the migration'}
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => setConfirming(null)}>
                Keep it
              </button>
            </div>
          </form>
        )}
      </div>
    </Panel>
  );
}

/** The code is shown once: the API keeps only its hash. */
function CodeReveal({ issued, onDone }: { issued: EnrollmentCodeIssued; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.enrollmentCode);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="code-reveal" role="region" aria-label="New enrollment code">
      <p className="small">
        Give this code to the migrator now: it is shown only once. Valid until{' '}
        {formatTime(issued.enrollmentCodeExpiresAt)}.
      </p>
      <output className="code-reveal__code mono" aria-label="Enrollment code">
        {issued.enrollmentCode}
      </output>
      <div className="actions__buttons">
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
        <span role="status" className="small">
          {copied === true
            ? 'Copied.'
            : copied === false
              ? 'Copying is not allowed here; select the code instead.'
              : ''}
        </span>
      </div>
    </div>
  );
}
