/**
 * Access control commands: USER, PASS, ACCT, REIN, QUIT, HOST (the FTPS
 * commands AUTH, PBSZ, PROT live in security.ts).
 */
import { setTimeout as delay } from "node:timers/promises";
import { resolveVirtualPath } from "../../protocol/paths.js";
import type { AuthenticateResult } from "../types.js";
import type { Session } from "../session.js";
import { refusedLogin } from "./security.js";
import type { CommandSpec } from "./table.js";

async function pass(session: Session, password: string): Promise<void> {
  if (refusedLogin(session)) return;
  if (session.loggedIn) return session.reply(503, "Already logged in");
  const username = session.username;
  if (username === undefined) return session.reply(503, "Login with USER first");
  // Per address, over all its connections and, with a shared store, every
  // node of the fleet (login-throttle.ts, shared-state.ts): banned, or wait for this attempt's slot.
  const { sharedState, limits } = session.options;
  const admission = await sharedState.admitLogin(session.remoteAddress, limits);
  if (admission.banned) {
    session.host.emit("loginFailed", { session, username, attempts: session.failedLogins });
    return session.channel.end(421, "Too many failed logins from your address: try again later");
  }
  if (admission.waitMs > 0) await delay(admission.waitMs);
  let result: AuthenticateResult | null | undefined;
  try {
    result = await session.options.authenticate({ username, password, remoteAddress: session.remoteAddress, session: session.view });
  } catch (error) {
    session.host.reportError(error, session);
    result = null;
  }
  if (!result || typeof result.fileSystem !== "object" || result.fileSystem === null) {
    session.failedLogins += 1;
    await sharedState.loginFailed(session.remoteAddress, limits);
    session.username = undefined;
    session.host.emit("loginFailed", { session, username, attempts: session.failedLogins });
    // The same reply, after the same delay, whether the user exists or not.
    const wait = session.options.limits.failedLoginDelayMs;
    if (wait > 0) await delay(wait);
    session.reply(530, "Login incorrect");
    if (session.failedLogins >= session.options.limits.maxLoginAttempts) {
      session.channel.end(421, "Too many failed login attempts: closing control connection");
    }
    return;
  }
  session.fileSystem = result.fileSystem;
  session.readOnly = result.readOnly === true;
  session.cwd = result.cwd ? resolveVirtualPath("/", result.cwd) : "/";
  session.loggedIn = true;
  session.reply(230, "User logged in, proceed");
  session.host.emit("login", { session, username });
}

export const LOGIN_COMMANDS: readonly CommandSpec[] = [
  {
    verb: "USER",
    needsLogin: false,
    arg: "required",
    syntax: "USER <sp> username",
    handler(session, arg) {
      if (refusedLogin(session)) return;
      // A new USER ends any current login (RFC 959 §4.1.1).
      if (session.loggedIn) session.resetLogin();
      session.username = arg;
      session.reply(331, "User name okay, need password");
    },
  },
  { verb: "PASS", needsLogin: false, arg: "optional", syntax: "PASS <sp> password", handler: pass },
  {
    verb: "ACCT",
    needsLogin: false,
    arg: "required",
    syntax: "ACCT <sp> account-information",
    handler: (session) => session.reply(202, "ACCT not needed on this server"),
  },
  {
    verb: "REIN",
    needsLogin: false,
    arg: "none",
    syntax: "REIN (reinitialize the session)",
    handler(session) {
      // RFC 4217 wants REIN to drop TLS too; going back to a clear control
      // connection is what CCC would do, and that is not offered. Reconnect instead.
      if (session.tls.isSecure) return session.reply(502, "REIN is not available on a TLS session; reconnect instead");
      session.reinitialize();
      session.reply(220, "Service ready for new user");
    },
  },
  {
    verb: "QUIT",
    needsLogin: false,
    arg: "optional",
    syntax: "QUIT (close the session)",
    handler(session) {
      const transfer = session.transfer;
      if (transfer) {
        // The transfer finishes (226), then the goodbye.
        session.quitting = true;
        transfer.after.push(() => session.channel.end(221, "Goodbye"));
        return;
      }
      session.channel.end(221, "Goodbye");
    },
  },
  {
    verb: "HOST",
    needsLogin: false,
    arg: "required",
    syntax: "HOST <sp> hostname",
    feat: "HOST",
    handler(session) {
      if (session.loggedIn) return session.reply(503, "HOST must come before login");
      session.reply(220, "Host accepted");
    },
  },
];
