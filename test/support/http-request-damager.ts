const HEAD_END = Buffer.from('\r\n\r\n');

/** Which requests to damage: the next `left` whose request line matches. Shared by every connection of a proxy. */
export interface DamageOrder {
  requestLine: RegExp;
  left: number;
}

/**
 * Reads the HTTP/1.1 requests of one connection as they pass (head, then
 * `content-length` bytes of body, keep-alive included) and flips a byte in
 * the middle of the body of the requests `order()` picks, as a faulty line
 * or middlebox would. A chunked body or an upgraded connection (WebSocket)
 * is passed on without looking further.
 */
export class HttpRequestDamager {
  private head = Buffer.alloc(0);
  /** Body bytes of the current request still to pass; null while reading a head; Infinity once not HTTP/1.1 framing. */
  private bodyLeft: number | null = null;
  /** Where in the current body the byte to damage is (counted down), or null. */
  private damageAt: number | null = null;

  constructor(
    private readonly order: () => DamageOrder | null,
    private readonly onDamaged: () => void,
  ) {}

  /** The bytes to send on for `chunk`, in order; a head split over chunks is held until it is whole. */
  pass(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    while (chunk.length > 0) {
      if (this.bodyLeft === Infinity) {
        out.push(chunk);
        break;
      }
      if (this.bodyLeft === null) {
        this.head = Buffer.concat([this.head, chunk]);
        const end = this.head.indexOf(HEAD_END);
        if (end === -1) break;
        const body = this.head.subarray(end + HEAD_END.length);
        const text = this.head.subarray(0, end).toString('latin1');
        out.push(this.head.subarray(0, end + HEAD_END.length));
        this.head = Buffer.alloc(0);
        this.startBody(text);
        chunk = body;
        continue;
      }
      const take = Math.min(chunk.length, this.bodyLeft);
      let piece = chunk.subarray(0, take);
      if (this.damageAt !== null && this.damageAt < take) {
        piece = Buffer.from(piece);
        piece[this.damageAt] = piece[this.damageAt]! ^ 0xff;
        this.damageAt = null;
        this.onDamaged();
      } else if (this.damageAt !== null) this.damageAt -= take;
      out.push(piece);
      this.bodyLeft -= take;
      if (this.bodyLeft === 0) this.bodyLeft = null;
      chunk = chunk.subarray(take);
    }
    return out;
  }

  private startBody(head: string): void {
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const unframed = /\r\ntransfer-encoding:\s*chunked/i.test(head) || /\r\nupgrade:/i.test(head);
    this.bodyLeft = unframed ? Infinity : Number(length?.[1] ?? 0);
    const requestLine = head.slice(0, head.indexOf('\r\n'));
    const order = this.order();
    if (
      order &&
      order.left > 0 &&
      this.bodyLeft > 0 &&
      this.bodyLeft !== Infinity &&
      order.requestLine.test(requestLine)
    ) {
      order.left--;
      this.damageAt = Math.floor(this.bodyLeft / 2);
    }
    if (this.bodyLeft === 0) this.bodyLeft = null;
  }
}
