import { describeError } from '../api/ops-api';

export function ErrorNote({ error, what }: { error: unknown; what: string }) {
  return (
    <div className="alert alert--down" role="alert">
      <strong>{what}</strong> {describeError(error)}
    </div>
  );
}
