/**
 * The read-only face of a session that hooks and event listeners get
 * (`FtpSession`): live values through getters, `data` for the
 * application's own state, and `close()`. Not the Session itself, so user
 * code cannot reach into the control channel, the queue or the protocol
 * state, nor change `cwd` or `loggedIn` under the session's feet.
 */
import type { FtpSession } from "./types.js";

/** What the façade reads (the Session class satisfies it). */
export interface ViewedSession {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly username: string | undefined;
  readonly loggedIn: boolean;
  readonly cwd: string;
  readonly readOnly: boolean;
  readonly secure: boolean;
  readonly data: Record<string, unknown>;
  close(code?: number, text?: string): void;
}

export function createSessionView(session: ViewedSession): FtpSession {
  const view: FtpSession = {
    get id() {
      return session.id;
    },
    get remoteAddress() {
      return session.remoteAddress;
    },
    get remotePort() {
      return session.remotePort;
    },
    get localAddress() {
      return session.localAddress;
    },
    get username() {
      return session.username;
    },
    get loggedIn() {
      return session.loggedIn;
    },
    get cwd() {
      return session.cwd;
    },
    get readOnly() {
      return session.readOnly;
    },
    get secure() {
      return session.secure;
    },
    get data() {
      return session.data;
    },
    close: (code?: number, text?: string) => session.close(code, text),
  };
  return Object.freeze(view);
}
