import { io, type Socket } from 'socket.io-client';
import {
  SOCKET_NAMESPACES,
  agentServerEvents,
  type AgentClientToServer,
  type AgentServerToClient,
} from '@omt/contracts';

/**
 * What a progress event carries, as the upload's progress reports it (its
 * snapshot has more): the wire's shape, so this line to the API need not
 * know the upload.
 */
export type ProgressEventSnapshot = Omit<Parameters<AgentClientToServer['ticket.progressed']>[0], 'ticketId' | 'at'>;

/** The API gets at most one progress event a second, whatever the batch rate. */
export const PROGRESS_EVENT_INTERVAL_MS = 1000;

export interface AgentEventsOptions {
  baseUrl: string;
  agentToken: string;
  ticketId: string;
  onStateChanged?: (event: Parameters<AgentServerToClient['ticket.stateChanged']>[0]) => void;
  onCommand?: (command: Parameters<AgentServerToClient['command.issued']>[0]) => void;
}

/**
 * The agent's live line to the API (`/agent` namespace): progress out,
 * state changes and ops commands in. Best effort: the upload never waits for
 * it, and a socket that cannot connect costs nothing but the live view.
 */
export class AgentEvents {
  private readonly socket: Socket<AgentServerToClient, AgentClientToServer>;
  private lastSent = 0;
  private pending: ProgressEventSnapshot | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AgentEventsOptions) {
    this.socket = io(`${options.baseUrl.replace(/\/+$/, '')}${SOCKET_NAMESPACES.agent}`, {
      auth: { token: options.agentToken },
      transports: ['websocket'],
      reconnectionDelayMax: 10_000,
    });
    // Validated like every payload that crosses a boundary; a malformed one is dropped.
    this.socket.on('ticket.stateChanged', (payload) => {
      const event = agentServerEvents['ticket.stateChanged'].safeParse(payload);
      if (event.success) options.onStateChanged?.(event.data);
    });
    this.socket.on('command.issued', (payload) => {
      const command = agentServerEvents['command.issued'].safeParse(payload);
      if (command.success) options.onCommand?.(command.data);
    });
  }

  /** Queues a progress snapshot; sent now if a second has passed since the last one, else at the end of that second. */
  progressed(snapshot: ProgressEventSnapshot): void {
    this.pending = snapshot;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + PROGRESS_EVENT_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  /** Sends what is queued at once (the end of a phase). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const snapshot = this.pending;
    if (!snapshot) return;
    this.pending = null;
    this.lastSent = Date.now();
    if (!this.socket.connected) return;
    this.socket.emit('ticket.progressed', {
      ticketId: this.options.ticketId,
      phase: snapshot.phase,
      tables: snapshot.tables,
      rows: snapshot.rows,
      bytes: snapshot.bytes,
      documents: snapshot.documents,
      at: new Date().toISOString(),
    });
  }

  close(): void {
    this.flush();
    this.socket.close();
  }
}
