/**
 * Directory navigation and file-system commands that need no data
 * connection: PWD CWD CDUP MKD RMD DELE RNFR RNTO SMNT SIZE MDTM MFMT.
 */
import { formatMdtm, parseMdtm } from "../../protocol/time.js";
import { quotePath, virtualDirname } from "../../protocol/paths.js";
import type { Session } from "../session.js";
import type { CommandSpec } from "./table.js";

async function changeDirectory(session: Session, target: string): Promise<void> {
  const info = await session.fs.stat(target);
  if (info.type !== "directory") return session.reply(550, "Not a directory");
  session.cwd = target;
  session.reply(250, `Directory changed to ${target}`);
}

export const NAVIGATION_COMMANDS: readonly CommandSpec[] = [
  {
    verb: "PWD",
    aliases: ["XPWD"],
    needsLogin: true,
    arg: "none",
    syntax: "PWD (print working directory)",
    handler: (session) => session.reply(257, `${quotePath(session.cwd)} is the current directory`),
  },
  {
    verb: "CWD",
    aliases: ["XCWD"],
    needsLogin: true,
    arg: "required",
    syntax: "CWD <sp> pathname",
    feat: "TVFS",
    handler: (session, arg) => changeDirectory(session, session.resolve(arg)),
  },
  {
    verb: "CDUP",
    aliases: ["XCUP"],
    needsLogin: true,
    arg: "none",
    syntax: "CDUP (change to parent directory)",
    handler: (session) => changeDirectory(session, virtualDirname(session.cwd)),
  },
  {
    verb: "SMNT",
    needsLogin: true,
    arg: "required",
    syntax: "SMNT <sp> pathname (not implemented)",
    unimplemented: true,
    handler: (session) => session.reply(502, "SMNT not implemented"),
  },
  {
    verb: "MKD",
    aliases: ["XMKD"],
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "MKD <sp> pathname",
    async handler(session, arg) {
      const path = session.resolve(arg);
      if (path === "/") return session.reply(550, "File exists");
      await session.fs.mkdir(path);
      session.reply(257, `${quotePath(path)} directory created`);
      session.host.emit("mkdir", { session, path });
    },
  },
  {
    verb: "RMD",
    aliases: ["XRMD"],
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "RMD <sp> pathname",
    async handler(session, arg) {
      const path = session.resolve(arg);
      if (path === "/") return session.reply(550, "Cannot remove the root directory");
      const info = await session.fs.stat(path);
      if (info.type !== "directory") return session.reply(550, "Not a directory");
      await session.fs.rmdir(path);
      if (session.cwd === path || session.cwd.startsWith(`${path}/`)) session.cwd = virtualDirname(path);
      session.reply(250, "Directory removed");
      session.host.emit("delete", { session, path, directory: true });
    },
  },
  {
    verb: "DELE",
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "DELE <sp> pathname",
    async handler(session, arg) {
      const path = session.resolve(arg);
      const info = await session.fs.stat(path);
      if (info.type === "directory") return session.reply(550, "Is a directory (use RMD)");
      await session.fs.unlink(path);
      session.reply(250, "File deleted");
      session.host.emit("delete", { session, path, directory: false });
    },
  },
  {
    verb: "RNFR",
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "RNFR <sp> pathname",
    async handler(session, arg) {
      const path = session.resolve(arg);
      if (path === "/") return session.reply(550, "Cannot rename the root directory");
      await session.fs.stat(path);
      session.renameFrom = path;
      session.reply(350, "Ready for RNTO");
    },
  },
  {
    verb: "RNTO",
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "RNTO <sp> pathname",
    async handler(session, arg) {
      const from = session.renameFrom;
      session.renameFrom = undefined;
      if (from === undefined) return session.reply(503, "RNFR required first");
      const to = session.resolve(arg);
      if (to === "/" || to === from || to.startsWith(`${from}/`)) return session.reply(553, "Cannot rename to that name");
      await session.fs.rename(from, to);
      session.reply(250, "Rename successful");
      session.host.emit("rename", { session, from, to });
    },
  },
  {
    verb: "SIZE",
    needsLogin: true,
    arg: "required",
    syntax: "SIZE <sp> pathname",
    feat: "SIZE",
    async handler(session, arg) {
      const info = await session.fs.stat(session.resolve(arg));
      if (info.type !== "file") return session.reply(550, "Not a plain file");
      // The stored size, in both TYPEs: computing the ASCII size would mean reading the file.
      session.reply(213, String(info.size ?? 0));
    },
  },
  {
    verb: "MDTM",
    needsLogin: true,
    arg: "required",
    syntax: "MDTM <sp> pathname",
    feat: "MDTM",
    async handler(session, arg) {
      const info = await session.fs.stat(session.resolve(arg));
      if (info.type !== "file") return session.reply(550, "Not a plain file");
      const date = info.modifiedAt;
      if (!date || Number.isNaN(date.getTime())) return session.reply(550, "Modification time unknown");
      session.reply(213, formatMdtm(date));
    },
  },
  {
    verb: "MFMT",
    needsLogin: true,
    arg: "required",
    writes: true,
    syntax: "MFMT <sp> YYYYMMDDHHMMSS <sp> pathname",
    feat: "MFMT",
    async handler(session, arg) {
      const match = /^(\d{14}(?:\.\d{1,3})?) (.+)$/.exec(arg);
      if (!match) return session.reply(501, "Syntax: MFMT YYYYMMDDHHMMSS path");
      let date: Date;
      try {
        date = parseMdtm(match[1] ?? "");
      } catch {
        return session.reply(501, "Invalid time value");
      }
      const fs = session.fs;
      if (!fs.setModifiedTime) return session.reply(502, "MFMT not supported by this storage");
      const path = session.resolve(match[2] ?? "");
      await fs.setModifiedTime(path, date);
      session.reply(213, `Modify=${formatMdtm(date)}; ${path}`);
    },
  },
];
