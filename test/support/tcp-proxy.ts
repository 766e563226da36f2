import net, { type AddressInfo } from 'node:net';
import { HttpRequestDamager, type DamageOrder } from './http-request-damager';

export interface TcpProxyOptions {
  /** A slow line: the client waits as long as each chunk it sends would take to travel at this rate. */
  bytesPerSecond?: number;
  /** Latency: every chunk, either way, arrives this much later (order kept). */
  delayMs?: number;
  /** Refuse from the start: every connection is closed as soon as it is accepted (see `refuse()`). */
  refuse?: boolean;
  /** Read the HTTP/1.1 requests passing through, so `damageNext()` can pick bodies (not for non-HTTP traffic). */
  http?: boolean;
}

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of at the target. */
  url: string;
  /** Bytes the clients sent through the proxy (requests and their bodies), all connections together. */
  readonly upstreamBytes: number;
  /**
   * Bytes the clients sent on connections whose first request's path starts
   * with `prefix`. A client that keeps separate connections for one kind of
   * request (tus-js-client's node:http agent for documents, beside fetch's
   * own pool for everything else) is measured on its own this way.
   */
  upstreamBytesTo(prefix: string): number;
  readonly connections: number;
  /** How many connections the proxy cut on purpose. */
  readonly cuts: number;
  /** Requests whose body the proxy damaged so far. */
  readonly damaged: number;
  /** Cuts the connection that carries the client's byte number `bytes` from now on (once). */
  cutAfter(bytes: number): void;
  /** Flips one byte in the body of each of the next `count` requests whose request line matches (needs `http`). */
  damageNext(requestLine: RegExp, count: number): void;
  /** While on, new connections are closed as soon as they are accepted, as a service that is down would. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

/**
 * A real TCP proxy in front of a server (the API), for a bad line between
 * it and a client: it counts every byte a client sends (what resuming must
 * keep low), can cut a connection mid-request as a dropped network would,
 * be a slow or late line, refuse connections, and damage request bodies.
 * Answers pass untouched.
 */
export async function startTcpProxy(target: string, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  let upstreamBytes = 0;
  let connections = 0;
  let cuts = 0;
  let damaged = 0;
  let remaining: number | null = null;
  let refusing = options.refuse ?? false;
  let damage: DamageOrder | null = null;
  const sockets = new Set<net.Socket>();
  const byConnection: { firstPath: string; bytes: number }[] = [];
  /** Writes now, or `delayMs` later: timers of one duration fire in the order they were set, so bytes keep theirs. */
  const send = (socket: net.Socket, chunk: Buffer) => {
    if (!options.delayMs) socket.write(chunk);
    else setTimeout(() => socket.destroyed || socket.write(chunk), options.delayMs);
  };

  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    connections++;
    const counted = { firstPath: '', bytes: 0 };
    byConnection.push(counted);
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const damager = options.http
      ? new HttpRequestDamager(
          () => damage,
          () => damaged++,
        )
      : null;
    client.on('data', (chunk: Buffer) => {
      upstreamBytes += chunk.length;
      // `METHOD /path HTTP/1.1`: the first request line arrives in the connection's first chunk.
      if (counted.bytes === 0) counted.firstPath = /^[A-Z]+ (\S+)/.exec(chunk.toString('latin1', 0, 2048))?.[1] ?? '';
      counted.bytes += chunk.length;
      if (damager) for (const piece of damager.pass(chunk)) send(upstream, piece);
      else send(upstream, chunk);
      if (options.bytesPerSecond) {
        client.pause();
        setTimeout(() => client.resume(), (chunk.length / options.bytesPerSecond) * 1000);
      }
      if (remaining !== null && (remaining -= chunk.length) <= 0) {
        remaining = null;
        cuts++;
        client.destroy();
        upstream.destroy();
      }
    });
    upstream.on('data', (chunk: Buffer) => send(client, chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get upstreamBytes() {
      return upstreamBytes;
    },
    upstreamBytesTo(prefix) {
      return byConnection.filter((c) => c.firstPath.startsWith(prefix)).reduce((n, c) => n + c.bytes, 0);
    },
    get connections() {
      return connections;
    },
    get cuts() {
      return cuts;
    },
    get damaged() {
      return damaged;
    },
    cutAfter(bytes) {
      remaining = bytes;
    },
    damageNext(requestLine, count) {
      if (!options.http) throw new Error('damageNext needs a proxy started with { http: true }');
      damage = { requestLine, left: count };
    },
    refuse(on) {
      refusing = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
