import type { Principal } from './principal';

/**
 * How long an agent token checked against the database is taken on trust
 * again, on the routes that ask for it (`@ReusesAgentAuth()`: the document
 * upload, two requests per document). A revoked token (new code, reset,
 * cancel, completion) is refused there at once by the process that revoked
 * it (it forgets the ticket's tokens), by other processes at most this long
 * after; everywhere else, at once. The ticket's state is still checked on every document request.
 */
export const AGENT_TOKEN_REUSE_MS = 2_000;

/** Tokens remembered at once; an agent has one, so this only bounds memory against many agents. */
const REMEMBERED_TOKENS = 1_000;

/** Agent principals by token hash, each until AGENT_TOKEN_REUSE_MS after its database check. */
export class RecentAgentTokens {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(tokenHash: string): Principal | null {
    const entry = this.entries.get(tokenHash);
    if (!entry) return null;
    if (entry.until > this.now()) return entry.principal;
    this.entries.delete(tokenHash);
    return null;
  }

  /** Its tokens were revoked: none of them is taken on trust any more. */
  forgetTicket(ticketId: string): void {
    for (const [hash, entry] of this.entries) {
      if (entry.principal.kind === 'agent' && entry.principal.ticketId === ticketId) this.entries.delete(hash);
    }
  }

  remember(tokenHash: string, principal: Principal): void {
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, { principal, until: this.now() + AGENT_TOKEN_REUSE_MS });
    if (this.entries.size > REMEMBERED_TOKENS) this.entries.delete(this.entries.keys().next().value!);
  }
}
