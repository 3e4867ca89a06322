// Limits on WebSocket connections, counted at the HTTP upgrade for both
// endpoints (/ws/trade and /ws/md): a global cap, so held sockets can never use
// up the process's file descriptors and lock every client out, and a cap per
// remote address, so one client cannot take the whole global allowance. A
// refused connection is upgraded and closed at once with a close code that
// says why (a bare TCP reset would look like a network fault).

/** WebSocket close codes of this server (4000-4999 are the application's; 1013 is the standard "try again later"). */
export const CloseCode = {
  /** /ws/trade: no Logon within SessionLimits.logonTimeoutMs */
  LOGON_TIMEOUT: 4001,
  /** /ws/md: pings went unanswered for SessionLimits.mdHeartbeatMs */
  HEARTBEAT_TIMEOUT: 4002,
  /** a consumer that stopped reading: stalled too long, or past its send budget */
  SLOW_CONSUMER: 4003,
  /** too many failed authentications from this address: blocked for a while */
  AUTH_BLOCKED: 4004,
  /** the address already holds SessionLimits.maxConnectionsPerIp connections */
  TOO_MANY_FROM_ADDRESS: 4029,
  /** the server already holds SessionLimits.maxConnections connections */
  SERVER_FULL: 1013,
} as const;

export interface Refusal {
  code: number;
  reason: string;
}

export class ConnectionGate {
  private total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly maxConnections: number, private readonly maxPerAddress: number) {}

  /** Counts the connection in, or says why it is refused (then it is not counted). */
  admit(address: string): Refusal | null {
    if (this.total >= this.maxConnections) {
      return { code: CloseCode.SERVER_FULL, reason: `server connection limit reached (${this.maxConnections})` };
    }
    const n = this.byAddress.get(address) ?? 0;
    if (n >= this.maxPerAddress) {
      return { code: CloseCode.TOO_MANY_FROM_ADDRESS, reason: `too many connections from this address (limit ${this.maxPerAddress})` };
    }
    this.total++;
    this.byAddress.set(address, n + 1);
    return null;
  }

  release(address: string): void {
    this.total--;
    const n = (this.byAddress.get(address) ?? 1) - 1;
    if (n > 0) this.byAddress.set(address, n);
    else this.byAddress.delete(address);
  }

  get open(): number {
    return this.total;
  }
}
