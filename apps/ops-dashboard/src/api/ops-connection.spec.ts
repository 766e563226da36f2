import {
  describeOpsConnection,
  initialOpsConnection,
  nextOpsConnection,
  type OpsConnection,
  type OpsConnectionEvent,
} from './ops-connection';

function run(events: OpsConnectionEvent[]): OpsConnection {
  return events.reduce(nextOpsConnection, initialOpsConnection);
}

describe('nextOpsConnection', () => {
  it('goes live on connect', () => {
    expect(run([{ type: 'connect' }])).toEqual({ status: 'connected' });
    expect(describeOpsConnection(run([{ type: 'connect' }]))).toBe('Live');
  });

  it('reconnects after a lost transport and counts attempts, keeping the last error', () => {
    const state = run([
      { type: 'connect' },
      { type: 'disconnect', reason: 'transport close', active: true },
      { type: 'reconnect_attempt', attempt: 1 },
      { type: 'connect_error', message: 'xhr poll error', active: true },
      { type: 'reconnect_attempt', attempt: 2 },
    ]);
    expect(state).toEqual({ status: 'reconnecting', attempt: 2, lastError: 'xhr poll error' });
    expect(describeOpsConnection(state)).toBe('Reconnecting (attempt 2): xhr poll error');
    expect(nextOpsConnection(state, { type: 'connect' })).toEqual({ status: 'connected' });
  });

  it('treats a failed first attempt as reconnecting, not as refused', () => {
    expect(run([{ type: 'connect_error', message: 'websocket error', active: true }])).toEqual({
      status: 'reconnecting',
      attempt: 0,
      lastError: 'websocket error',
    });
  });

  it('reports a refusal by the server, which socket.io does not retry', () => {
    const state = run([{ type: 'connect_error', message: 'UNAUTHENTICATED', active: false }]);
    expect(state).toEqual({ status: 'refused', reason: 'UNAUTHENTICATED' });
  });

  it('says who closed the connection when nobody will retry', () => {
    const state = run([{ type: 'connect' }, { type: 'disconnect', reason: 'io server disconnect', active: false }]);
    expect(state).toEqual({ status: 'disconnected', reason: 'closed by the API' });
  });
});
