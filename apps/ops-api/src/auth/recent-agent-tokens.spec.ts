import type { Principal } from './principal';
import { AGENT_TOKEN_REUSE_MS, RecentAgentTokens } from './recent-agent-tokens';

const agent: Principal = { kind: 'agent', role: 'agent', ticketId: 't1', tokenId: 'a1' };

it('answers a remembered principal until AGENT_TOKEN_REUSE_MS after its check, then forgets it', () => {
  let now = 1_000;
  const recent = new RecentAgentTokens(() => now);
  expect(recent.get('hash')).toBeNull();
  recent.remember('hash', agent);
  now += AGENT_TOKEN_REUSE_MS - 1;
  expect(recent.get('hash')).toBe(agent);
  now += 1;
  expect(recent.get('hash')).toBeNull();
  expect(recent.get('other')).toBeNull();
});
