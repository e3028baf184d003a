/**
 * SITE: built-in CHMOD and HELP, plus the application's own subcommands
 * from `options.site`.
 */
import type { Session } from "../session.js";
import type { CommandSpec } from "./table.js";

async function site(session: Session, arg: string): Promise<void> {
  const text = arg.trim();
  const space = text.indexOf(" ");
  const name = (space === -1 ? text : text.slice(0, space)).toUpperCase();
  const rest = space === -1 ? "" : text.slice(space + 1).trim();
  if (name === "HELP") {
    const names = ["CHMOD", "HELP", ...session.options.site.keys()].sort();
    return session.reply(214, ["SITE commands:", ...names.map((n) => ` ${n}`), "End"]);
  }
  if (name === "CHMOD") {
    const match = /^([0-7]{3,4})\s+(.+)$/.exec(rest);
    if (!match) return session.reply(501, "Syntax: SITE CHMOD <octal mode> <path>");
    if (session.readOnly) return session.reply(550, "Permission denied (read-only session)");
    const fs = session.fs;
    if (!fs.chmod) return session.reply(502, "SITE CHMOD not supported by this storage");
    await fs.chmod(session.resolve(match[2] ?? ""), Number.parseInt(match[1] ?? "0", 8));
    return session.reply(200, "SITE CHMOD command successful");
  }
  const handler = session.options.site.get(name);
  if (!handler) return session.reply(500, `Unknown SITE command ${name.slice(0, 32)}`);
  let result;
  try {
    result = await handler({ session: session.view, name, arg: rest });
  } catch (error) {
    session.host.reportError(error, session);
    return session.reply(451, "SITE command failed");
  }
  if (result) session.reply(result.code, result.text);
  else session.reply(200, `SITE ${name} OK`);
}

export const SITE_COMMANDS: readonly CommandSpec[] = [
  { verb: "SITE", needsLogin: true, arg: "required", syntax: "SITE <sp> CHMOD | HELP | …", handler: site },
];
