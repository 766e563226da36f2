import { Inject, Injectable } from '@nestjs/common';
import { MIGRATION_STATE_WORDS, OmtError, type LoginRequest } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CredentialsRepository, type EndedAgentAccess } from './credentials.repository';
import { burnPasswordCheck, verifyPassword } from './password';
import type { Principal } from './principal';
import { SECRET_PREFIXES, newSecret, sha256 } from './secrets';
import { RecentAgentTokens } from './recent-agent-tokens';

export interface OpenedSession {
  token: string;
  expiresAt: Date;
  principal: Principal;
}

const unauthenticated = (message: string) => new OmtError('UNAUTHENTICATED', message);

/**
 * AGENT_ACCESS_ENDED: the token was revoked because its ticket was completed
 * or cancelled. The agent tells its migrator why (and a completed ticket is
 * no failure), so the state and the reason travel as details.
 */
function accessEnded({ state, reason }: EndedAgentAccess): OmtError {
  const why =
    state === 'completed'
      ? 'The migration of this ticket is completed'
      : `Operations cancelled this migration${reason ? ` ("${reason}")` : ''}`;
  return new OmtError(
    'AGENT_ACCESS_ENDED',
    `${why}; this agent's access to the ticket has ended (it is ${MIGRATION_STATE_WORDS[state]}).`,
    [
      { path: 'state', message: state },
      { path: 'reason', message: reason ?? '' },
    ],
  );
}

/** Turns presented credentials into a principal; opens and closes dashboard sessions. */
@Injectable()
export class AuthService {
  private readonly recentAgents = new RecentAgentTokens();

  constructor(
    private readonly credentials: CredentialsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `Authorization: Bearer …`: an API key or an agent token, told apart by
   * their prefix. `reuseAgent`: an agent token checked within the last
   * AGENT_TOKEN_REUSE_MS is taken without asking the database again.
   */
  async authenticateBearer(token: string, { reuseAgent = false } = {}): Promise<Principal> {
    if (token.startsWith(SECRET_PREFIXES.apiKey)) {
      const key = await this.credentials.findActiveApiKey(sha256(token));
      if (key) return { kind: 'apiKey', role: key.role, keyId: key.id, name: key.name };
      throw unauthenticated('This API key is unknown or revoked.');
    }
    if (token.startsWith(SECRET_PREFIXES.agentToken)) {
      const tokenHash = sha256(token);
      const recent = reuseAgent ? this.recentAgents.get(tokenHash) : null;
      if (recent) return recent;
      const agent = await this.credentials.findActiveAgentToken(tokenHash);
      if (agent) {
        const principal: Principal = { kind: 'agent', role: 'agent', ticketId: agent.ticketId, tokenId: agent.id };
        this.recentAgents.remember(tokenHash, principal);
        return principal;
      }
      const ended = await this.credentials.findEndedAgentAccess(tokenHash);
      if (ended) throw accessEnded(ended);
      throw unauthenticated('This agent token is unknown or revoked; enroll the agent again with a new code.');
    }
    throw unauthenticated('The bearer token is neither an API key nor an agent token.');
  }

  /** The ticket's agent tokens were revoked: this process stops taking them on trust at once. */
  forgetAgentTokensOf(ticketId: string): void {
    this.recentAgents.forgetTicket(ticketId);
  }

  /** The dashboard's session cookie. */
  async authenticateSession(token: string): Promise<Principal> {
    const session = await this.credentials.findSession(sha256(token));
    if (!session || session.expiresAt.getTime() <= Date.now() || session.user.disabled) {
      throw unauthenticated('The session has ended; log in again.');
    }
    const { user } = session;
    return { kind: 'user', role: user.role, userId: user.id, email: user.email, sessionId: session.id };
  }

  /** Checks email and password; the same answer whether the email or the password was wrong. */
  async login(request: LoginRequest): Promise<OpenedSession> {
    const user = await this.credentials.findUserByEmail(request.email);
    const valid =
      user && !user.disabled
        ? await verifyPassword(request.password, user.passwordHash)
        : (await burnPasswordCheck(request.password), false);
    if (!user || !valid) throw new OmtError('LOGIN_FAILED', 'Email or password is wrong.');
    const token = newSecret('session');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3_600_000);
    const sessionId = await this.credentials.createSession(user.id, sha256(token), expiresAt);
    return {
      token,
      expiresAt,
      principal: { kind: 'user', role: user.role, userId: user.id, email: user.email, sessionId },
    };
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.kind === 'user') await this.credentials.deleteSession(principal.sessionId);
  }
}
