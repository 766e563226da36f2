/**
 * The `/ops` socket's connection state as a pure reducer over socket.io's
 * lifecycle events, so the rules (which disconnects retry, which don't) are
 * testable without a browser or a server.
 */
export type OpsConnection =
  | { status: 'connecting' }
  | { status: 'connected' }
  | { status: 'reconnecting'; attempt: number; lastError: string | null }
  /** The server turned us away (auth middleware); socket.io does not retry that on its own. */
  | { status: 'refused'; reason: string }
  | { status: 'disconnected'; reason: string };

export type OpsConnectionEvent =
  | { type: 'connect' }
  /** `active`: socket.io will reconnect by itself. */
  | { type: 'disconnect'; reason: string; active: boolean }
  | { type: 'connect_error'; message: string; active: boolean }
  | { type: 'reconnect_attempt'; attempt: number };

export const initialOpsConnection: OpsConnection = { status: 'connecting' };

export function nextOpsConnection(state: OpsConnection, event: OpsConnectionEvent): OpsConnection {
  switch (event.type) {
    case 'connect':
      return { status: 'connected' };
    case 'disconnect':
      if (event.active) return { status: 'reconnecting', attempt: 0, lastError: describeReason(event.reason) };
      return { status: 'disconnected', reason: describeReason(event.reason) };
    case 'connect_error':
      if (!event.active) return { status: 'refused', reason: event.message };
      return {
        status: 'reconnecting',
        attempt: state.status === 'reconnecting' ? state.attempt : 0,
        lastError: event.message,
      };
    case 'reconnect_attempt':
      return {
        status: 'reconnecting',
        attempt: event.attempt,
        lastError: state.status === 'reconnecting' ? state.lastError : null,
      };
  }
}

export function describeOpsConnection(state: OpsConnection): string {
  switch (state.status) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Live';
    case 'reconnecting': {
      const attempt = state.attempt > 0 ? ` (attempt ${state.attempt})` : '';
      return `Reconnecting${attempt}${state.lastError ? `: ${state.lastError}` : '…'}`;
    }
    case 'refused':
      return `Refused by the API: ${state.reason}`;
    case 'disconnected':
      return `Disconnected: ${state.reason}`;
  }
}

const REASONS: Record<string, string> = {
  'io server disconnect': 'closed by the API',
  'io client disconnect': 'closed by this page',
  'ping timeout': 'the API stopped answering',
  'transport close': 'connection lost',
  'transport error': 'connection error',
  'parse error': 'unreadable message from the API',
};

function describeReason(reason: string): string {
  return REASONS[reason] ?? reason;
}
