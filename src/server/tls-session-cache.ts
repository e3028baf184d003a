/**
 * A TLS session-ID cache for one FTP session. Node's TLS server side
 * resumes TLS 1.3 and ticket-based TLS 1.2 sessions by itself, but a TLS 1.2
 * client that resumes by session ID (curl disables tickets) needs the server
 * to keep the session: that is what `newSession`/`resumeSession` on the
 * socket's `server` are for. One cache per FTP session means a data
 * connection can resume only sessions of its own control connection (and
 * its earlier data connections) — the binding vsftpd gets from its
 * process-per-session model.
 */
import { Server } from "node:net";

/** Sessions kept per FTP session (the control connection's, and each data connection may add one). */
const MAX_SESSIONS = 8;

export function createTlsSessionCache(): Server {
  // Never listens: it only carries the session events of this FTP session's TLS sockets.
  const server = new Server();
  const sessions = new Map<string, Buffer>();
  server.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
    sessions.set(id.toString("hex"), data);
    // Oldest first out (Map keeps insertion order).
    for (const key of sessions.keys()) {
      if (sessions.size <= MAX_SESSIONS) break;
      sessions.delete(key);
    }
    done();
  });
  server.on("resumeSession", (id: Buffer, callback: (error: Error | null, data: Buffer | null) => void) => {
    callback(null, sessions.get(id.toString("hex")) ?? null);
  });
  return server;
}
