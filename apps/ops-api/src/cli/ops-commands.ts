import { randomBytes } from 'node:crypto';
import type { ApiKeyRole, UserRole } from '@omt/contracts';
import type { CredentialsService } from '../auth/credentials.service';

/** Every command answers data (for `--json`) and the human view of the same result. */
export interface CommandResult {
  data: unknown;
  human: string;
}

export async function createKey(credentials: CredentialsService, options: { role: ApiKeyRole; name: string }): Promise<CommandResult> {
  const { key, record } = await credentials.createApiKey(options);
  return {
    data: { id: record.id, name: record.name, role: record.role, key },
    human: [
      `Created ${record.role} key "${record.name}" (id ${record.id}).`,
      '',
      `  ${key}`,
      '',
      'This is the only time the key is shown; store it in the sales system now.',
    ].join('\n'),
  };
}

export async function listKeys(credentials: CredentialsService): Promise<CommandResult> {
  const keys = await credentials.listApiKeys();
  const data = keys.map((k) => ({ id: k.id, name: k.name, role: k.role, createdAt: k.createdAt.toISOString(), revoked: k.revoked }));
  const human = data.length
    ? data.map((k) => `${k.id}  ${k.role.padEnd(6)} ${k.revoked ? 'revoked' : 'active '}  ${k.name}`).join('\n')
    : 'No API keys yet.';
  return { data, human };
}

export async function revokeKey(credentials: CredentialsService, id: string): Promise<CommandResult> {
  await credentials.revokeApiKey(id);
  return { data: { id, revoked: true }, human: `Revoked key ${id}.` };
}

/** Without `--password` a random one is made and shown once. */
export async function createUser(
  credentials: CredentialsService,
  options: { email: string; role: UserRole; password?: string },
): Promise<CommandResult> {
  const generated = options.password ? undefined : randomBytes(18).toString('base64url');
  const user = await credentials.createUser({ email: options.email, role: options.role, password: options.password ?? generated! });
  return {
    data: { id: user.id, email: user.email, role: user.role, ...(generated ? { password: generated } : {}) },
    human: generated
      ? `Created ${user.role} ${user.email}. Password (shown once): ${generated}`
      : `Created ${user.role} ${user.email}.`,
  };
}

export async function listUsers(credentials: CredentialsService): Promise<CommandResult> {
  const users = await credentials.listUsers();
  const data = users.map((u) => ({ id: u.id, email: u.email, role: u.role, disabled: u.disabled }));
  return { data, human: data.length ? data.map((u) => `${u.role.padEnd(5)} ${u.email}${u.disabled ? ' (disabled)' : ''}`).join('\n') : 'No users yet.' };
}

export async function setPassword(credentials: CredentialsService, options: { email: string; password?: string }): Promise<CommandResult> {
  const generated = options.password ? undefined : randomBytes(18).toString('base64url');
  await credentials.setPassword(options.email, options.password ?? generated!);
  return {
    data: { email: options.email, ...(generated ? { password: generated } : {}) },
    human: `Set the password of ${options.email}${generated ? ` to (shown once): ${generated}` : ''}; its sessions have ended.`,
  };
}
