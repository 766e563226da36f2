import type { HealthResponse } from '@omt/contracts';

export type Tone = 'ok' | 'warn' | 'down' | 'unknown';

/** Sub-millisecond latencies are common on loopback; keep one decimal there. */
export function formatLatency(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  return `${Math.round(ms)} ms`;
}

export const DEPENDENCY_LABELS: Record<keyof HealthResponse['dependencies'], string> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
};

export interface HealthSummary {
  tone: Tone;
  headline: string;
}

/** One line for the panel header: what is wrong, by name, not just "degraded". */
export function summarizeHealth(health: HealthResponse): HealthSummary {
  const down = (Object.keys(DEPENDENCY_LABELS) as Array<keyof typeof DEPENDENCY_LABELS>)
    .filter((name) => health.dependencies[name].status === 'down')
    .map((name) => DEPENDENCY_LABELS[name]);
  if (health.status === 'ok' && down.length === 0) return { tone: 'ok', headline: 'All systems operational' };
  if (down.length === 0) return { tone: 'warn', headline: 'Degraded' };
  return { tone: 'down', headline: `Degraded: ${joinNames(down)} ${down.length === 1 ? 'is' : 'are'} down` };
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
