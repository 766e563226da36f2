import { Injectable } from '@nestjs/common';
import {
  OmtError,
  apiKeyRoleSchema,
  emailSchema,
  parseOrThrow,
  passwordSchema,
  userRoleSchema,
  type ApiKeyRole,
  type UserRole,
} from '@omt/contracts';
import { z } from 'zod';
import { CredentialsRepository, type ApiKeyRecord, type UserRecord } from './credentials.repository';
import { hashPassword } from './password';
import { newSecret, sha256 } from './secrets';

const newUserSchema = z.object({ email: emailSchema, role: userRoleSchema, password: passwordSchema });
const newKeySchema = z.object({ name: z.string().trim().min(1).max(100), role: apiKeyRoleSchema });

/** Creating people and machine credentials: the admin CLI, the first admin, the tests. */
@Injectable()
export class CredentialsService {
  constructor(private readonly credentials: CredentialsRepository) {}

  async createUser(input: { email: string; role: UserRole; password: string }): Promise<UserRecord> {
    const { email, role, password } = parseOrThrow(newUserSchema, input, 'user');
    if (await this.credentials.findUserByEmail(email)) {
      throw new OmtError('CONFLICT', `A user with the email ${email} exists already.`, [{ path: 'email', message: 'taken' }]);
    }
    return this.credentials.createUser(email, role, await hashPassword(password));
  }

  async setPassword(email: string, password: string): Promise<void> {
    const user = await this.credentials.findUserByEmail(email);
    if (!user) throw new OmtError('NOT_FOUND', `No user has the email ${email}.`);
    await this.credentials.setPassword(user.id, await hashPassword(parseOrThrow(passwordSchema, password, 'password')));
  }

  listUsers(): Promise<UserRecord[]> {
    return this.credentials.listUsers();
  }

  /** The key itself is returned once, here; only its sha256 is stored. */
  async createApiKey(input: { name: string; role: ApiKeyRole }): Promise<{ key: string; record: ApiKeyRecord }> {
    const { name, role } = parseOrThrow(newKeySchema, input, 'API key');
    const key = newSecret('apiKey');
    return { key, record: await this.credentials.createApiKey(name, role, sha256(key)) };
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.credentials.listApiKeys();
  }

  async revokeApiKey(id: string): Promise<void> {
    const uuid = parseOrThrow(z.uuid(), id, 'key id');
    if (!(await this.credentials.revokeApiKey(uuid))) throw new OmtError('NOT_FOUND', `No active API key has the id ${id}.`);
  }

  /**
   * The first admin comes from OMT_ADMIN_EMAIL / OMT_ADMIN_PASSWORD, and only
   * while no admin exists: changing the variables later changes nobody's password.
   */
  async ensureFirstAdmin(admin: { email: string; password: string } | null): Promise<UserRecord | null> {
    if (!admin || (await this.credentials.countAdmins()) > 0) return null;
    return this.createUser({ ...admin, role: 'admin' });
  }
}
