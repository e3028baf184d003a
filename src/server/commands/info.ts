/**
 * Informational commands: FEAT and HELP (both generated from the command
 * table), NOOP, SYST, and STAT (server status, transfer status during a
 * transfer, or a listing of a path over the control connection).
 */
import { formatFeatLines } from "../../protocol/features.js";
import type { Session } from "../session.js";
import { describeCodecs } from "../transfer-codecs.js";
import { unixListing, stripListFlags } from "./listing.js";
import type { CommandSpec } from "./table.js";

function feat(session: Session): void {
  const lines = new Set<string>();
  for (const spec of new Set(session.commands.values())) {
    if (spec.feat === undefined) continue;
    const line = typeof spec.feat === "string" ? spec.feat : spec.feat(session);
    if (line !== undefined) lines.add(line);
  }
  session.reply(211, formatFeatLines(lines));
}

function help(session: Session, arg: string): void {
  const verb = arg.trim().toUpperCase();
  if (verb !== "") {
    const spec = session.commands.get(verb);
    if (!spec) return session.reply(502, `Unknown command ${verb.slice(0, 32)}`);
    return session.reply(214, `Syntax: ${spec.syntax}`);
  }
  const verbs = [...session.commands.entries()]
    .filter(([, spec]) => !spec.unimplemented)
    .map(([name]) => name)
    .sort();
  const rows: string[] = [];
  for (let i = 0; i < verbs.length; i += 8) rows.push(` ${verbs.slice(i, i + 8).map((v) => v.padEnd(5)).join(" ")}`);
  session.reply(214, ["The following commands are recognized:", ...rows, "Help OK"]);
}

async function stat(session: Session, arg: string): Promise<void> {
  const transfer = session.transfer;
  if (transfer) {
    const s = transfer.socket as { bytesRead?: number; bytesWritten?: number } | undefined;
    const bytes = transfer.verb === "RETR" || transfer.verb === "LIST" || transfer.verb === "NLST" || transfer.verb === "MLSD"
      ? (s?.bytesWritten ?? 0)
      : (s?.bytesRead ?? 0);
    return session.reply(213, [`Status: ${transfer.verb} ${transfer.path} in progress`, `${bytes} bytes transferred`, "End of status"]);
  }
  if (arg.trim() === "") {
    return session.reply(211, [
      "ftpwire FTP server status:",
      `Connected from ${session.remoteAddress}`,
      session.loggedIn ? `Logged in as ${session.username ?? ""}` : "Not logged in",
      describeCodecs(session),
      session.tls.describe(),
      "No data connection",
      "End of status",
    ]);
  }
  if (!session.loggedIn) return session.reply(530, "Please login with USER and PASS");
  const path = session.resolve(stripListFlags(arg));
  const lines = await unixListing(session, path);
  session.reply(213, [`Status of ${path}:`, ...lines, "End of status"]);
}

export const INFO_COMMANDS: readonly CommandSpec[] = [
  { verb: "FEAT", needsLogin: false, arg: "none", syntax: "FEAT (list extensions)", handler: feat },
  { verb: "HELP", needsLogin: false, arg: "optional", syntax: "HELP [<sp> command]", handler: help },
  { verb: "NOOP", needsLogin: false, arg: "none", syntax: "NOOP", handler: (session) => session.reply(200, "NOOP ok") },
  {
    verb: "SYST",
    needsLogin: false,
    arg: "none",
    syntax: "SYST (system type)",
    handler: (session) => session.reply(215, session.options.systemType),
  },
  { verb: "STAT", needsLogin: false, arg: "optional", syntax: "STAT [<sp> pathname]", handler: stat },
];
