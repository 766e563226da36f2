import {
  opsServerEvents,
  SOCKET_NAMESPACES,
  type OpsEventName,
  type OpsEventPayload,
  type OpsServerToClient,
} from '@omt/contracts';
import { useEffect, useEffectEvent, useReducer, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { initialOpsConnection, nextOpsConnection, type OpsConnection } from './ops-connection';

/** The `/ops` namespace, typed by the contracts' event map; the dashboard only listens. */
export type OpsSocket = Socket<OpsServerToClient>;

export interface OpsSocketState {
  socket: OpsSocket | null;
  connection: OpsConnection;
}

/**
 * Opens the `/ops` namespace on the page's own origin (the API serves the
 * dashboard; in development Vite proxies `/socket.io`). Call it once near the
 * root and hand `socket` to `useOpsEvent`: one connection per page.
 */
export function useOpsSocket(): OpsSocketState {
  const [socket, setSocket] = useState<OpsSocket | null>(null);
  const [connection, dispatch] = useReducer(nextOpsConnection, initialOpsConnection);

  useEffect(() => {
    const next: OpsSocket = io(SOCKET_NAMESPACES.ops, { withCredentials: true });
    next.on('connect', () => dispatch({ type: 'connect' }));
    next.on('disconnect', (reason) => dispatch({ type: 'disconnect', reason, active: next.active }));
    next.on('connect_error', (error) =>
      dispatch({ type: 'connect_error', message: error.message, active: next.active }),
    );
    next.io.on('reconnect_attempt', (attempt) => dispatch({ type: 'reconnect_attempt', attempt }));
    setSocket(next);
    return () => {
      next.io.off('reconnect_attempt');
      next.off();
      next.disconnect();
      setSocket(null);
    };
  }, []);

  return { socket, connection };
}

/**
 * Listens to one `/ops` event. Payloads are validated with the same contract
 * schema the API emits with; one that does not match is reported and dropped
 * rather than rendered half-understood.
 */
export function useOpsEvent<E extends OpsEventName>(
  socket: OpsSocket | null,
  event: E,
  handler: (payload: OpsEventPayload<E>) => void,
): void {
  const onEvent = useEffectEvent(handler);

  useEffect(() => {
    if (!socket) return;
    const schema = opsServerEvents[event];
    const listener = (payload: unknown): void => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) onEvent(parsed.data as OpsEventPayload<E>);
      else console.error(`Dropped a '${event}' event that does not match the contract`, parsed.error.issues);
    };
    // The typed map cannot name a listener generic in E; the schema above is what types the payload.
    const untyped = socket as unknown as Socket;
    const name: string = event;
    untyped.on(name, listener);
    return () => {
      untyped.off(name, listener);
    };
  }, [socket, event]);
}
