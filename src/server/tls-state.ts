/**
 * A session's FTPS state (RFC 4217): whether the control connection is
 * TLS, PBSZ/PROT, and what the server's `requireTls` policy makes of them.
 * Kept apart from Session so the state machine stays readable.
 */
import type { Server } from "node:net";
import type { TLSSocket } from "node:tls";
import type { DataTlsPolicy } from "./data-channel.js";
import type { ResolvedServerOptions } from "./options.js";
import { createTlsSessionCache } from "./tls-session-cache.js";

export type ProtectionLevel = "C" | "P";

export class SessionTlsState {
  /** The control connection's TLS socket: after AUTH TLS, or from the first byte with implicit FTPS. */
  control: TLSSocket | undefined;
  /** The session started with implicit FTPS. */
  readonly implicit: boolean;
  /** PBSZ was accepted (RFC 4217: it must come before PROT). */
  pbsz = false;
  /** Data channel protection: C clear, P private (TLS). */
  prot: ProtectionLevel = "C";
  private readonly options: ResolvedServerOptions;
  private cache: Server | undefined;

  constructor(options: ResolvedServerOptions, implicitControl?: TLSSocket, sessionCache?: Server) {
    this.options = options;
    this.cache = sessionCache;
    this.implicit = implicitControl !== undefined;
    if (implicitControl) this.secured(implicitControl, "P");
  }

  /** The server has a certificate: AUTH TLS can succeed. */
  get available(): boolean {
    return this.options.secureContext !== undefined;
  }

  /** This session's TLS session-ID cache (tls-session-cache.ts), shared by its control and data connections. */
  get sessionCache(): Server {
    this.cache ??= createTlsSessionCache();
    return this.cache;
  }

  get isSecure(): boolean {
    return this.control !== undefined;
  }

  /**
   * The control connection became TLS. Implicit FTPS (and AUTH SSL/TLS-P,
   * by old convention) assume PBSZ 0 + PROT P, as Microsoft's [MS-FTPS] does;
   * AUTH TLS starts with PROT C (RFC 4217).
   */
  secured(control: TLSSocket, prot: ProtectionLevel): void {
    this.control = control;
    this.pbsz = prot === "P";
    this.prot = prot;
  }

  /** `requireTls` "control"/"all": USER and PASS must wait for AUTH TLS. */
  get loginRefused(): boolean {
    const policy = this.options.requireTls;
    return !this.isSecure && (policy === "control" || policy === "all");
  }

  /** `requireTls` "data"/"all": transfers need PROT P. */
  get clearDataRefused(): boolean {
    const policy = this.options.requireTls;
    return policy === "data" || policy === "all";
  }

  /** How a data connection established now must be protected (undefined: clear). */
  dataPolicy(): DataTlsPolicy | undefined {
    const secureContext = this.options.secureContext;
    if (this.prot !== "P" || !this.isSecure || !secureContext) return undefined;
    return {
      secureContext,
      // The client may connect, then wait for 150 before its ClientHello: the data timeout applies.
      timeoutMs: this.options.timeouts.data,
      requireSessionReuse: this.options.requireTlsSessionReuse,
      sessionServer: this.sessionCache,
    };
  }

  /** One line for STAT. */
  describe(): string {
    if (!this.control) return this.available ? "Control connection: clear (AUTH TLS available)" : "Control connection: clear";
    return `Control connection: ${this.control.getProtocol() ?? "TLS"}${this.implicit ? " (implicit)" : ""}; data: PROT ${this.prot}`;
  }
}
