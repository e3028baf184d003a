/**
 * Re-opening a lost control connection as the one before it was: the same
 * options (TLS mode, `tls` settings, data protection, HOST), the same login,
 * UTF-8 (openSession sends OPTS UTF8 ON again), then the remembered working
 * directory, TYPE and the passive/active strategy that had worked, so the
 * call that follows cannot tell the connection is new.
 */
import type { ReplyChannel } from "../control/client-channel.js";
import { openSession } from "./connect.js";
import type { ClientCredentials, ResolvedClientOptions } from "./options.js";
import type { ActiveStrategy, PassiveStrategy, Session, SessionObserver } from "./session.js";

/** What a session had learned or been told that a new one must repeat. */
export interface SessionMemory {
  /** Absolute working directory after the last successful CWD/CDUP (undefined: never changed, or unknown). */
  readonly cwd: string | undefined;
  readonly transferType: "I" | "A" | undefined;
  readonly passiveStrategy: PassiveStrategy | undefined;
  readonly activeStrategy: ActiveStrategy | undefined;
}

/** What to remember of `session` when it is lost (`cwd` is tracked by the Client, which sees every CWD). */
export function rememberSession(session: Session, cwd: string | undefined): SessionMemory {
  return {
    cwd,
    transferType: session.transferType,
    passiveStrategy: session.passiveStrategy,
    activeStrategy: session.activeStrategy,
  };
}

export interface ReopenHooks {
  onChannel(channel: ReplyChannel): void;
  signal: AbortSignal | undefined;
}

/** A fresh, logged-in session in the state `memory` describes. Rejects like openSession (the socket is closed then). */
export async function reopenSession(
  options: ResolvedClientOptions,
  credentials: ClientCredentials,
  observer: SessionObserver,
  hooks: ReopenHooks,
  memory: SessionMemory,
): Promise<Session> {
  const session = await openSession(options, credentials, observer, hooks);
  try {
    // After the `path` option's CWD (openSession): an absolute cwd overrides it, as the lost session's did.
    if (memory.cwd !== undefined) await session.command("CWD", memory.cwd);
    if (memory.transferType !== undefined) await session.setType(memory.transferType);
    // Strategies the old session settled on: no EPSV → PASV fallback round trip to learn it again.
    session.passiveStrategy = memory.passiveStrategy;
    session.activeStrategy = memory.activeStrategy;
    return session;
  } catch (error) {
    session.channel.close();
    throw error;
  }
}
