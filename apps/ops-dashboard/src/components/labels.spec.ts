import {
  AGENT_MODES,
  ERROR_CODES,
  JOB_NAMES,
  MIGRATION_STATES,
  QUEUES,
  TENANT_STATES,
  type ErrorCode,
} from '@omt/contracts';
import {
  AGENT_MODE_LABELS,
  ERROR_LABELS,
  JOB_LABELS,
  QUEUE_LABELS,
  STATE_LABELS,
  TENANT_STATE_LABELS,
  actionLabel,
  actorLabel,
  describeEvent,
  planLabel,
  shortId,
} from './labels';

/** Words a person reads: no snake_case, dotted or SHOUTED codes (API is a word). */
const WORDS = /^(?:API|[A-Za-z][a-z]*)(?:,? (?:API|[a-z]+))*$/;

describe('every code has words', () => {
  it.each([
    ['migration states', MIGRATION_STATES, STATE_LABELS],
    ['tenant states', TENANT_STATES, TENANT_STATE_LABELS],
    ['agent modes', AGENT_MODES, AGENT_MODE_LABELS],
    ['jobs', JOB_NAMES, JOB_LABELS],
    ['queues', Object.values(QUEUES), QUEUE_LABELS],
  ] as Array<[string, readonly string[], Record<string, string>]>)('%s', (_, codes, labels) => {
    for (const code of codes)
      expect({ code, label: labels[code] }).toEqual({ code, label: expect.stringMatching(WORDS) });
    // Two codes never read the same.
    expect(new Set(codes.map((c) => labels[c])).size).toBe(codes.length);
  });

  it('error codes, the client-side ones too', () => {
    const codes = [...(Object.keys(ERROR_CODES) as ErrorCode[]), 'API_UNREACHABLE', 'UNEXPECTED_RESPONSE'] as const;
    for (const code of codes) expect(ERROR_LABELS[code]).toMatch(WORDS);
    expect(ERROR_LABELS.STATE_TRANSITION_FORBIDDEN).toBe('Not possible in this state');
  });
});

describe('audit lines', () => {
  it('name the action in words, also one not listed yet', () => {
    expect(actionLabel('ticket.stateChanged')).toBe('state changed');
    expect(actionLabel('agent.enrolled')).toBe('agent enrolled');
    expect(actionLabel('tenant.quotaRaised')).toBe('tenant quota raised');
  });

  it('say who without ids', () => {
    expect(actorLabel('agent:c9476e7a-6e15-4861-a685-fc779413b494')).toBe('the agent');
    expect(actorLabel('ops:ola@example.com')).toBe('ola@example.com');
    expect(actorLabel('sales:crm-bridge')).toBe('sales key crm-bridge');
    expect(actorLabel('system')).toBe('system');
  });

  it('read as one phrase', () => {
    expect(
      describeEvent({
        action: 'ticket.stateChanged',
        actor: 'agent:c9476e7a-6e15-4861-a685-fc779413b494',
        reason: 'upload started',
      }),
    ).toBe('state changed by the agent (upload started)');
    expect(describeEvent({ action: 'ticket.created', actor: 'sales:crm', reason: null })).toBe(
      'ticket opened by sales key crm',
    );
  });
});

it('names a user plan by its module, and keeps an unknown module as it is', () => {
  expect(planLabel('ten-sales')).toBe('Sales Premium');
  expect(planLabel('sales-t1')).toBe('Sales Essentials');
  expect(planLabel('custom-plan-7')).toBe('custom-plan-7');
});

it('shortens long ids and hashes, and leaves short ones alone', () => {
  expect(shortId('batch-d978d7b5-e599-4604-8146-15688aba15c5-093e7d5fdbaacfa9-0')).toBe('batch-d978d7b5…');
  expect(shortId('a'.repeat(64))).toBe('aaaaaaaa…');
  expect(shortId('job-42')).toBe('job-42');
});
