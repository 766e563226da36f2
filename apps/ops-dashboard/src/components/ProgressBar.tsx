import { formatPercent } from '../format/format';

/** A bar with its figures in words beside it; the bar itself is a `progressbar` for assistive technology. */
export function ProgressBar({
  label,
  done,
  total,
  text,
}: {
  label: string;
  done: number;
  total: number;
  text: string;
}) {
  const max = Math.max(total, done, 1);
  return (
    <div className="progress">
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={done}
        aria-valuetext={`${text} (${formatPercent(done, total)})`}
      >
        <div className="progress__fill" style={{ width: `${Math.min(100, (done / max) * 100)}%` }} />
      </div>
      <span className="progress__text">{text}</span>
    </div>
  );
}
