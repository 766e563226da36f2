import { OmtError } from '@omt/contracts';

/**
 * Driver errors that mean "the onsite database cannot be reached or refused
 * the connection", by the codes Node, pg and tedious (mssql) use. The agent's
 * own API client raises coded errors itself, so a raw error of this kind that
 * reaches the command line comes from the onsite database.
 */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'nothing listens at that address and port',
  ENOTFOUND: 'the host name is unknown',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ECONNRESET: 'the connection was reset',
  ESOCKET: 'the connection failed',
  ETIMEOUT: 'the connection timed out',
  ELOGIN: 'the database refused the login',
  '28P01': 'the database refused the password',
  '28000': 'the database refused the login',
  '3D000': 'the database does not exist',
};

/** Turns a known connection failure into SOURCE_UNREACHABLE with what to check; anything else is returned unchanged. */
export function asSourceError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !(code in UNREACHABLE)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new OmtError(
    'SOURCE_UNREACHABLE',
    `Cannot use the onsite database: ${UNREACHABLE[code]} (${detail}). Check the server, port, database name and credentials in --source.`,
  );
}
