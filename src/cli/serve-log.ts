/**
 * What `ftpwire serve` prints while it runs: one readable line per login and
 * per transfer (the default), one JSON object per event (`--json-log`), or
 * nothing but errors (`--quiet`). Passwords never appear: the server's
 * events do not carry them.
 */
import type { FtpServer, FtpSession, ServerTransferEvent } from "../index.js";

export type LogStyle = "text" | "json" | "quiet";

function who(session: FtpSession): string {
  return `${session.username ?? "?"}@${session.remoteAddress}`;
}

function transferLine(kind: string, e: ServerTransferEvent): string {
  return `${kind} ${e.path} ${e.bytes} B in ${e.durationMs} ms by ${who(e.session)}${e.aborted ? " (aborted)" : ""}`;
}

/** Wires the server's events to `write` (one line per call, newline included). */
export function attachServeLog(server: FtpServer, style: LogStyle, write: (line: string) => void, writeError: (line: string) => void): void {
  server.on("error", (error, session) => writeError(`error${session ? ` (${who(session)})` : ""}: ${error.message}\n`));
  if (style === "quiet") return;
  if (style === "text") {
    server.on("login", ({ session, username }) => write(`login ${username} from ${session.remoteAddress}\n`));
    server.on("loginFailed", ({ session, username }) => write(`login refused for ${username} from ${session.remoteAddress}\n`));
    server.on("upload", (e) => write(transferLine("upload", e) + "\n"));
    server.on("download", (e) => write(transferLine("download", e) + "\n"));
    return;
  }
  const json = (event: string, session: FtpSession, fields: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), event, session: session.id, user: session.username ?? null, address: session.remoteAddress, ...fields }) + "\n");
  server.on("login", ({ session }) => json("login", session, {}));
  server.on("loginFailed", ({ session, username, attempts }) => json("loginFailed", session, { user: username, attempts }));
  const transfer = (event: string) => (e: ServerTransferEvent) => json(event, e.session, { path: e.path, bytes: e.bytes, durationMs: e.durationMs, aborted: e.aborted });
  server.on("upload", transfer("upload"));
  server.on("download", transfer("download"));
  server.on("mkdir", ({ session, path }) => json("mkdir", session, { path }));
  server.on("delete", ({ session, path, directory }) => json("delete", session, { path, directory }));
  server.on("rename", ({ session, from, to }) => json("rename", session, { from, to }));
  server.on("disconnect", ({ session }) => json("disconnect", session, {}));
}
