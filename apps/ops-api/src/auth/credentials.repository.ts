import { Injectable } from '@nestjs/common';
import type { ApiKeyRole, MigrationState, UserRole } from '@omt/contracts';
import { PrismaService } from '../prisma/prisma.service';

export interface UserRecord {
  id: string;
  email: string;
  role: UserRole;
  passwordHash: string;
  disabled: boolean;
}

export interface SessionRecord {
  id: string;
  expiresAt: Date;
  user: UserRecord;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: ApiKeyRole;
  createdAt: Date;
  revoked: boolean;
}

export interface AgentTokenRecord {
  id: string;
  ticketId: string;
}

/** A revoked agent token whose ticket ended (completed or cancelled), and why it ended. */
export interface EndedAgentAccess {
  state: Extract<MigrationState, 'completed' | 'cancelled'>;
  reason: string | null;
}

type UserRow = { id: string; email: string; role: string; passwordHash: string; disabledAt: Date | null };

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    role: row.role as UserRole,
    passwordHash: row.passwordHash,
    disabled: row.disabledAt !== null,
  };
}

/** Users, sessions, API keys and agent tokens. Secrets arrive here already hashed. */
@Injectable()
export class CredentialsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const row = await this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
    return row ? toUser(row) : null;
  }

  async createUser(email: string, role: UserRole, passwordHash: string): Promise<UserRecord> {
    return toUser(await this.prisma.user.create({ data: { email: email.toLowerCase(), role, passwordHash } }));
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id: userId }, data: { passwordHash } }),
      // A new password ends every session opened with the old one.
      this.prisma.session.deleteMany({ where: { userId } }),
    ]);
  }

  async countAdmins(): Promise<number> {
    return this.prisma.user.count({ where: { role: 'admin', disabledAt: null } });
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.prisma.user.findMany({ orderBy: { email: 'asc' } })).map(toUser);
  }

  async createSession(userId: string, tokenHash: string, expiresAt: Date): Promise<string> {
    return (await this.prisma.session.create({ data: { userId, tokenHash, expiresAt } })).id;
  }

  async findSession(tokenHash: string): Promise<SessionRecord | null> {
    const row = await this.prisma.session.findUnique({ where: { tokenHash }, include: { user: true } });
    return row ? { id: row.id, expiresAt: row.expiresAt, user: toUser(row.user) } : null;
  }

  async deleteSession(id: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { id } });
  }

  async createApiKey(name: string, role: ApiKeyRole, keyHash: string): Promise<ApiKeyRecord> {
    const row = await this.prisma.apiKey.create({ data: { name, role, keyHash } });
    return { id: row.id, name: row.name, role: row.role as ApiKeyRole, createdAt: row.createdAt, revoked: false };
  }

  async findActiveApiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.prisma.apiKey.findFirst({ where: { keyHash, revokedAt: null } });
    return row
      ? { id: row.id, name: row.name, role: row.role as ApiKeyRole, createdAt: row.createdAt, revoked: false }
      : null;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      role: row.role as ApiKeyRole,
      createdAt: row.createdAt,
      revoked: row.revokedAt !== null,
    }));
  }

  /** Returns false when no active key has this id. */
  async revokeApiKey(id: string): Promise<boolean> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count > 0;
  }

  async findActiveAgentToken(tokenHash: string): Promise<AgentTokenRecord | null> {
    const row = await this.prisma.agentToken.findFirst({ where: { tokenHash, revokedAt: null } });
    return row ? { id: row.id, ticketId: row.ticketId } : null;
  }

  /** Null unless the token exists, is revoked, and its ticket is completed or cancelled. */
  async findEndedAgentAccess(tokenHash: string): Promise<EndedAgentAccess | null> {
    const row = await this.prisma.agentToken.findFirst({
      where: { tokenHash, revokedAt: { not: null } },
      select: { ticket: { select: { id: true, state: true } } },
    });
    const state = row?.ticket.state;
    if (!row || (state !== 'completed' && state !== 'cancelled')) return null;
    const change = await this.prisma.auditEvent.findFirst({
      where: { ticketId: row.ticket.id, action: 'ticket.stateChanged', toState: state },
      orderBy: { at: 'desc' },
      select: { reason: true },
    });
    return { state, reason: change?.reason ?? null };
  }
}
