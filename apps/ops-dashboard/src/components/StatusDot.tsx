import type { Tone } from '../health/health-format';

/** Colour is never the only signal: the dot always sits beside a word. */
export function StatusDot({ tone }: { tone: Tone }) {
  return <span className={`status-dot status-dot--${tone}`} aria-hidden="true" />;
}
