import { createContext, useContext } from 'react';
import type { OpsConnection } from './ops-connection';
import type { OpsSocket } from './useOpsSocket';

export interface Live {
  socket: OpsSocket | null;
  connection: OpsConnection;
  /**
   * Counts reconnections of the `/ops` socket: events sent while it was away
   * are lost, so views that depend on them reload when this changes.
   */
  epoch: number;
}

export const LiveContext = createContext<Live>({ socket: null, connection: { status: 'connecting' }, epoch: 0 });

export function useLive(): Live {
  return useContext(LiveContext);
}
