import net, { type AddressInfo } from 'node:net';

export interface DamagingProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of at the target. */
  url: string;
  /** Requests whose body the proxy damaged so far. */
  readonly damaged: number;
  /** Flips one byte in the body of each of the next `count` requests whose request line matches `requestLine`. */
  damageNext(requestLine: RegExp, count: number): void;
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * A real TCP proxy in front of the API that reads the HTTP/1.1 requests
 * passing through (head, then `content-length` bytes of body, keep-alive
 * included) and flips a byte in the middle of the body of chosen requests,
 * as a faulty line or middlebox would. Everything else, answers included,
 * passes untouched. A chunked body is passed on without looking further.
 */
export async function startDamagingProxy(target: string): Promise<DamagingProxy> {
  const { hostname, port } = new URL(target);
  let armed: { requestLine: RegExp; left: number } | null = null;
  let damaged = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let head = Buffer.alloc(0);
    /** Body bytes of the current request still to pass; null while reading a head; Infinity once chunked. */
    let bodyLeft: number | null = null;
    /** Where in the current body the byte to damage is (counted down), or null. */
    let damageAt: number | null = null;

    const forward = (chunk: Buffer): void => {
      while (chunk.length > 0) {
        if (bodyLeft === null) {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf(HEAD_END);
          if (end === -1) return;
          const body = head.subarray(end + HEAD_END.length);
          const text = head.subarray(0, end).toString('latin1');
          upstream.write(head.subarray(0, end + HEAD_END.length));
          head = Buffer.alloc(0);
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
          bodyLeft = /\r\ntransfer-encoding:\s*chunked/i.test(text) ? Infinity : Number(length?.[1] ?? 0);
          const requestLine = text.slice(0, text.indexOf('\r\n'));
          if (armed && armed.left > 0 && bodyLeft > 0 && bodyLeft !== Infinity && armed.requestLine.test(requestLine)) {
            armed.left--;
            damageAt = Math.floor(bodyLeft / 2);
          }
          if (bodyLeft === 0) bodyLeft = null;
          chunk = body;
          continue;
        }
        const take = Math.min(chunk.length, bodyLeft);
        const piece = Buffer.from(chunk.subarray(0, take));
        if (damageAt !== null && damageAt < take) {
          piece[damageAt] = piece[damageAt]! ^ 0xff;
          damageAt = null;
          damaged++;
        } else if (damageAt !== null) damageAt -= take;
        upstream.write(piece);
        bodyLeft -= take;
        if (bodyLeft === 0) bodyLeft = null;
        chunk = chunk.subarray(take);
      }
    };

    client.on('data', forward);
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
    get damaged() {
      return damaged;
    },
    damageNext(requestLine, count) {
      armed = { requestLine, left: count };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
