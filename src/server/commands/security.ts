/**
 * FTPS commands (RFC 2228 / RFC 4217): AUTH, PBSZ, PROT, CCC, and the
 * `requireTls` policy checks the other commands call.
 *
 * AUTH TLS upgrades the control connection in place. The command channel
 * holds every line parsed after AUTH (the session calls `hold()` as soon
 * as the line is parsed) and drops them when the socket is replaced, so
 * plaintext injected behind "AUTH TLS\r\n" can never run as a protected
 * command (the STARTTLS injection of CVE-2011-0411).
 */
import type { Socket } from "node:net";
import createDebug from "debug";
import { acceptTls } from "../../tls/secure-socket.js";
import type { Session } from "../session.js";
import type { ProtectionLevel } from "../tls-state.js";
import type { CommandSpec } from "./table.js";

const debug = createDebug("ftpwire:server");

/** Mechanisms accepted by AUTH, and the PROT level each starts with. */
const MECHANISMS: ReadonlyMap<string, ProtectionLevel> = new Map([
  ["TLS", "C"],
  ["TLS-C", "C"],
  ["SSL", "P"],
  ["TLS-P", "P"],
]);

/** `requireTls` "control"/"all": USER/PASS before AUTH TLS → 530 (true when refused). */
export function refusedLogin(session: Session): boolean {
  if (!session.tls.loginRefused) return false;
  session.reply(530, "This server requires AUTH TLS before login");
  return true;
}

/** `requireTls` "data"/"all": a transfer without PROT P → 521 (RFC 4217); true when refused. */
export function refusedClearData(session: Session): boolean {
  if (!session.tls.clearDataRefused || session.tls.prot === "P") return false;
  session.reply(521, "Data connection cannot be opened with this PROT setting (PROT P required)");
  return true;
}

async function auth(session: Session, arg: string): Promise<void> {
  const mechanism = arg.trim().toUpperCase();
  const secureContext = session.options.secureContext;
  if (!secureContext) return session.reply(502, "AUTH not available: TLS is not configured on this server");
  if (session.tls.isSecure) return session.reply(503, "The control connection is already protected by TLS");
  const prot = MECHANISMS.get(mechanism);
  if (prot === undefined) return session.reply(504, "Unsupported security mechanism; use AUTH TLS");
  // Already held when the line was parsed; again here in case beforeCommand rewrote another verb into AUTH.
  session.channel.hold();
  session.reply(234, `AUTH ${mechanism} successful, start the TLS handshake`);
  // The 234 must leave in the clear before TLS owns the socket.
  await session.channel.flush();
  let secure;
  try {
    secure = await acceptTls(session.channel.current as Socket, {
      secureContext,
      timeoutMs: session.options.timeouts.tlsHandshake,
      sessionServer: session.tls.sessionCache,
    });
  } catch (error) {
    // Nothing can be said on a socket whose handshake failed; only this session ends.
    debug("session %d: AUTH TLS handshake failed: %s", session.id, (error as Error).message);
    session.channel.destroy();
    return;
  }
  debug("session %d: control connection upgraded to %s", session.id, secure.getProtocol());
  session.channel.replaceSocket(secure);
  session.tls.secured(secure, prot);
  // A login made in the clear does not carry over: USER/PASS again, protected.
  if (session.loggedIn || session.username !== undefined) session.resetLogin();
}

export const SECURITY_COMMANDS: readonly CommandSpec[] = [
  {
    verb: "AUTH",
    needsLogin: false,
    arg: "required",
    syntax: "AUTH <sp> TLS",
    // Not on implicit FTPS, where the connection already is TLS.
    feat: (session) => (session.tls.available && !session.tls.implicit ? "AUTH TLS" : undefined),
    handler: auth,
  },
  {
    verb: "PBSZ",
    needsLogin: false,
    arg: "required",
    syntax: "PBSZ <sp> 0",
    feat: (session) => (session.tls.available ? "PBSZ" : undefined),
    handler(session, arg) {
      if (!session.tls.isSecure) return session.reply(503, "PBSZ needs AUTH TLS first");
      const size = arg.trim();
      if (!/^\d+$/.test(size)) return session.reply(501, "PBSZ needs a decimal buffer size (0)");
      session.tls.pbsz = true;
      // TLS does its own framing: any requested size is answered with 0 (RFC 4217).
      session.reply(200, "PBSZ=0");
    },
  },
  {
    verb: "PROT",
    needsLogin: false,
    arg: "required",
    syntax: "PROT <sp> C | P",
    feat: (session) => (session.tls.available ? "PROT" : undefined),
    handler(session, arg) {
      if (!session.tls.isSecure) return session.reply(503, "PROT needs AUTH TLS first");
      if (!session.tls.pbsz) return session.reply(503, "PROT needs PBSZ first");
      const level = arg.trim().toUpperCase();
      if (level === "P") {
        session.tls.prot = "P";
        return session.reply(200, "Protection level set to P");
      }
      if (level === "C") {
        if (session.tls.clearDataRefused) return session.reply(534, "Request denied for policy reasons: PROT P is required");
        session.tls.prot = "C";
        return session.reply(200, "Protection level set to C");
      }
      if (level === "S" || level === "E") return session.reply(536, "Protection level not supported by TLS; use C or P");
      session.reply(504, "Unknown protection level; use C or P");
    },
  },
  {
    verb: "CCC",
    needsLogin: false,
    arg: "none",
    syntax: "CCC (not supported)",
    unimplemented: true,
    // Dropping TLS on the control connection would re-open it to injection; not offered.
    handler: (session) => session.reply(502, "CCC not supported: the control connection stays protected"),
  },
];
