import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
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
  /** Cuts the connection that carries the client's byte number `bytes` from now on (once). */
  cutAfter(bytes: number): void;
  close(): Promise<void>;
}

/**
 * A real TCP proxy in front of the API: it counts every byte a client sends
 * (what resuming must keep low), can cut a connection mid-request, as a
 * dropped network would, and can be a slow line.
 */
export async function startCountingProxy(
  target: string,
  options: { bytesPerSecond?: number } = {},
): Promise<CountingProxy> {
  const { hostname, port } = new URL(target);
  let upstreamBytes = 0;
  let connections = 0;
  let cuts = 0;
  let remaining: number | null = null;
  const sockets = new Set<net.Socket>();
  const byConnection: { firstPath: string; bytes: number }[] = [];
  const server = net.createServer((client) => {
    connections++;
    const counted = { firstPath: '', bytes: 0 };
    byConnection.push(counted);
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      upstreamBytes += chunk.length;
      // `METHOD /path HTTP/1.1`: the first request line arrives in the connection's first chunk.
      if (counted.bytes === 0) counted.firstPath = /^[A-Z]+ (\S+)/.exec(chunk.toString('latin1', 0, 2048))?.[1] ?? '';
      counted.bytes += chunk.length;
      upstream.write(chunk);
      if (options.bytesPerSecond) {
        // A slow line: the client waits as long as its chunk would take to travel.
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
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
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
    cutAfter(bytes) {
      remaining = bytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
