import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { OmtError, leaseIdSchema, type TicketLease } from '@omt/contracts';
import type { AgentApiClient } from './agent-api-client';
import { safeJson, writePrivateFile } from './enrollment-store';

/** What the agent remembers of its lease, so that after being killed it may take its own lease back at once. */
const rememberedLeaseSchema = z.object({ leaseId: leaseIdSchema, host: z.string(), pid: z.number().int() });
type RememberedLease = z.infer<typeof rememberedLeaseSchema>;

/** A lease held by this process: renewed in the background until released. */
export interface HeldLease {
  readonly lease: TicketLease;
  /** Stops renewing and gives the ticket free (a lease that cannot be released lapses by itself). */
  release(): Promise<void>;
}

export interface HoldLeaseOptions {
  api: AgentApiClient;
  ticketId: string;
  stateDir: string;
  /** Told when a renewal was refused: another agent took the ticket after this one's lease lapsed. */
  onLost?: (error: OmtError) => void;
}

/**
 * Takes the ticket's lease for this process, so that a second agent on the
 * same ticket is refused, and renews it every third of its lifetime. The
 * lease id is remembered in the state folder: an agent that was killed
 * (SIGKILL, a power cut) and runs again on the same machine takes its own
 * lease back without waiting for it to lapse, but only when the process
 * that held it is gone.
 */
export async function holdTicketLease(options: HoldLeaseOptions): Promise<HeldLease> {
  const { api, ticketId } = options;
  const file = join(resolve(options.stateDir), `lease-${ticketId}.json`);
  const host = hostname();
  const remembered = await readRemembered(file);
  const own = remembered && remembered.host === host && remembered.pid !== process.pid && !processAlive(remembered.pid);
  let lease: TicketLease;
  try {
    lease = await api.takeLease({ ...(own ? { leaseId: remembered.leaseId } : {}), host, pid: process.pid });
  } catch (error) {
    if (error instanceof OmtError && error.code === 'TICKET_LEASED') throw leasedBy(error);
    throw error;
  }
  api.useLease(lease.leaseId);
  await writePrivateFile(
    file,
    JSON.stringify({ leaseId: lease.leaseId, host, pid: process.pid } satisfies RememberedLease) + '\n',
  );

  let renewing: Promise<void> | null = null;
  let ended = false;
  const renew = async () => {
    try {
      lease = await api.takeLease({ leaseId: lease.leaseId, host, pid: process.pid });
    } catch (error) {
      if (!(error instanceof OmtError)) return;
      // The ticket ended (its access is gone, and with it the lease) or another agent holds it now: stop renewing.
      if (error.code === 'AGENT_ACCESS_ENDED' || error.code === 'TICKET_LEASED') {
        clearInterval(timer);
        if (error.code === 'TICKET_LEASED') options.onLost?.(leasedBy(error));
      }
      // Anything else (the API briefly away): the next renewal tries again, well before the lease lapses.
    }
  };
  const timer = setInterval(
    () => {
      renewing ??= renew().finally(() => (renewing = null));
    },
    Math.max(200, (lease.leaseSeconds * 1000) / 3),
  );
  timer.unref();

  return {
    get lease() {
      return lease;
    },
    release: async () => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      await renewing;
      api.useLease(null);
      await api.releaseLease(lease.leaseId).catch(() => undefined);
      await rm(file, { force: true });
    },
  };
}

/** The API's refusal, in the agent's words: who holds the ticket, since when, and when its lease lapses. */
function leasedBy(error: OmtError): OmtError {
  const detail = Object.fromEntries(error.details.map((d) => [d.path, d.message]));
  if (!detail.host || !detail.pid) return error;
  return new OmtError(
    'TICKET_LEASED',
    `Another omt agent is working on this ticket: process ${detail.pid} on ${detail.host}, since ${detail.since}. ` +
      `Only one agent may work on a ticket at a time. Stop that one first; if it was killed, its lease lapses at ${detail.lapsesAt}: run again after that.`,
    error.details,
  );
}

async function readRemembered(file: string): Promise<RememberedLease | null> {
  try {
    const parsed = rememberedLeaseSchema.safeParse(safeJson(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // never held, or unreadable: take the lease as a newcomer
  }
}

/** Whether a process with this id runs on this machine (EPERM: it runs, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
