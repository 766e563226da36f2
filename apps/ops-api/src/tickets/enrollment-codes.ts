import type { AppConfig } from '../config/config';
import { newEnrollmentCode, normalizeEnrollmentCode, sha256 } from '../auth/secrets';
import type { TicketTransaction } from '../ticket-state/tickets.repository';

/** Revokes the ticket's unused codes and issues a new one, valid for the configured hours. */
export async function issueEnrollmentCode(
  tx: TicketTransaction,
  ticketId: string,
  config: Pick<AppConfig, 'enrollmentCodeTtlHours'>,
): Promise<{ code: string; expiresAt: Date }> {
  await tx.revokeEnrollmentCodes(ticketId);
  const code = newEnrollmentCode();
  const expiresAt = new Date(Date.now() + config.enrollmentCodeTtlHours * 3_600_000);
  await tx.createEnrollmentCode(ticketId, sha256(normalizeEnrollmentCode(code)), expiresAt);
  return { code, expiresAt };
}
