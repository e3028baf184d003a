/**
 * Transfer parameter commands: TYPE STRU MODE REST ALLO OPTS, and the data
 * connection setup PASV EPSV PORT EPRT (with RFC 2577 bounce protection).
 */
import { isIPv6 } from "node:net";
import { FtpInvalidArgumentError } from "../../errors.js";
import { formatEpsvReplyText, formatMlstOptsReply, formatPasvReplyText, parseMlstOptions } from "../../protocol/features.js";
import { parseEprtArg, parsePortArg, unmapIPv4 } from "../../protocol/host-port.js";
import { SERVER_MLST_FACTS } from "./listing.js";
import type { Session } from "../session.js";
import { handleMode, handleModeOptions, handleStructure } from "../transfer-codecs.js";
import type { CommandSpec } from "./table.js";

/** Compares two IP addresses in their canonical text forms. */
function sameAddress(a: string, b: string): boolean {
  const x = unmapIPv4(a);
  const y = unmapIPv4(b);
  if (x === y) return true;
  if (!isIPv6(x) || !isIPv6(y)) return false;
  try {
    return new URL(`http://[${x}]/`).hostname === new URL(`http://[${y}]/`).hostname;
  } catch {
    return false;
  }
}

/** RFC 2577: only the control peer, only unprivileged ports — unless the operator allows FXP. */
function refuseActiveTarget(session: Session, host: string, port: number): boolean {
  if (session.options.allowFxp) return false;
  if (!sameAddress(host, session.remoteAddress)) {
    session.reply(501, "Data connections only to the client's own address");
    return true;
  }
  if (port < 1024) {
    session.reply(501, "Data connections to privileged ports are refused");
    return true;
  }
  return false;
}

function refusedByEpsvAll(session: Session): boolean {
  if (!session.epsvAll) return false;
  session.reply(503, "Only EPSV is allowed after EPSV ALL");
  return true;
}

function publicAddress(session: Session): string {
  const configured = session.options.publicAddress;
  if (typeof configured === "function") return configured(session.view);
  return configured ?? session.localAddress;
}

export const PARAMETER_COMMANDS: readonly CommandSpec[] = [
  {
    verb: "TYPE",
    needsLogin: true,
    arg: "required",
    syntax: "TYPE <sp> A | I | L 8",
    handler(session, arg) {
      const words = arg.trim().toUpperCase().split(/\s+/);
      const [kind, option] = words;
      if (words.length > 2) return session.reply(501, "Syntax: TYPE A | I | L 8");
      if (kind === "A" && (option === undefined || option === "N")) {
        session.type = "A";
        return session.reply(200, "Type set to A");
      }
      if ((kind === "I" && option === undefined) || (kind === "L" && option === "8")) {
        session.type = "I";
        return session.reply(200, kind === "I" ? "Type set to I" : "Type set to L 8");
      }
      if (kind === "A" || kind === "E" || kind === "I" || kind === "L") {
        return session.reply(504, "Type not supported for that parameter");
      }
      session.reply(501, "Unknown type");
    },
  },
  {
    verb: "STRU",
    needsLogin: true,
    arg: "required",
    syntax: "STRU <sp> F | R",
    handler: handleStructure,
  },
  {
    verb: "MODE",
    needsLogin: true,
    arg: "required",
    syntax: "MODE <sp> S | B | C | Z",
    feat: "MODE Z",
    handler: handleMode,
  },
  {
    verb: "REST",
    needsLogin: true,
    arg: "required",
    syntax: "REST <sp> byte-offset",
    feat: "REST STREAM",
    handler(session, arg) {
      const text = arg.trim();
      const offset = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(offset)) return session.reply(501, "REST needs a non-negative integer");
      session.restOffset = offset;
      session.reply(350, `Restarting at ${offset}; send STOR, RETR or APPE to resume`);
    },
  },
  {
    verb: "ALLO",
    needsLogin: true,
    arg: "optional",
    syntax: "ALLO <sp> size (not needed)",
    handler: (session) => session.reply(202, "ALLO not needed on this server"),
  },
  {
    verb: "OPTS",
    needsLogin: false,
    arg: "required",
    syntax: "OPTS <sp> UTF8 ON | MLST facts | MODE Z LEVEL n",
    feat: "UTF8",
    handler(session, arg) {
      const [name = "", ...rest] = arg.trim().split(/\s+/);
      const option = name.toUpperCase();
      const value = rest.join(" ");
      if (option === "UTF8" || option === "UTF-8") {
        const v = value.toUpperCase();
        if (v === "ON" || v === "") return session.reply(200, "UTF8 mode on");
        if (v === "OFF") return session.reply(200, "UTF8 mode off; paths are still sent as UTF-8");
        return session.reply(501, "OPTS UTF8 ON | OFF");
      }
      if (option === "MODE") return handleModeOptions(session, value);
      if (option === "MLST") {
        session.mlstFacts = parseMlstOptions(value, SERVER_MLST_FACTS);
        return session.reply(200, formatMlstOptsReply(session.mlstFacts));
      }
      session.reply(501, "Unknown option");
    },
  },
  {
    verb: "PASV",
    needsLogin: true,
    arg: "none",
    syntax: "PASV (enter passive mode)",
    async handler(session) {
      if (refusedByEpsvAll(session)) return;
      const announce = unmapIPv4(publicAddress(session));
      if (announce.includes(":") || announce === "0.0.0.0") {
        return session.reply(425, "PASV needs IPv4; use EPSV");
      }
      let port: number;
      try {
        port = (await session.dataChannel.listen()).port;
      } catch (error) {
        session.host.reportError(error, session);
        return session.reply(425, "Can't open passive connection");
      }
      session.reply(227, formatPasvReplyText({ host: announce, port }));
    },
  },
  {
    verb: "EPSV",
    needsLogin: true,
    arg: "optional",
    syntax: "EPSV [<sp> 1 | 2 | ALL]",
    feat: "EPSV",
    async handler(session, arg) {
      const a = arg.trim().toUpperCase();
      if (a === "ALL") {
        session.epsvAll = true;
        return session.reply(200, "EPSV ALL accepted");
      }
      const family = isIPv6(session.localAddress) ? "2" : "1";
      if (a !== "" && !/^\d+$/.test(a)) return session.reply(501, "Syntax: EPSV [1 | 2 | ALL]");
      if (a !== "" && a !== family) return session.reply(522, `Network protocol not supported, use (${family})`);
      let port: number;
      try {
        port = (await session.dataChannel.listen()).port;
      } catch (error) {
        session.host.reportError(error, session);
        return session.reply(425, "Can't open passive connection");
      }
      session.reply(229, formatEpsvReplyText(port));
    },
  },
  {
    verb: "PORT",
    needsLogin: true,
    arg: "required",
    syntax: "PORT <sp> h1,h2,h3,h4,p1,p2",
    handler(session, arg) {
      if (refusedByEpsvAll(session)) return;
      let target;
      try {
        target = parsePortArg(arg);
      } catch (error) {
        if (error instanceof FtpInvalidArgumentError) return session.reply(501, "Syntax: PORT h1,h2,h3,h4,p1,p2");
        throw error;
      }
      if (refuseActiveTarget(session, target.host, target.port)) return;
      session.dataChannel.connectTo(target.host, target.port);
      session.reply(200, "PORT command successful");
    },
  },
  {
    verb: "EPRT",
    needsLogin: true,
    arg: "required",
    syntax: "EPRT <sp> |af|address|port|",
    feat: "EPRT",
    handler(session, arg) {
      if (refusedByEpsvAll(session)) return;
      let target;
      try {
        target = parseEprtArg(arg);
      } catch (error) {
        if (error instanceof FtpInvalidArgumentError) return session.reply(501, "Syntax: EPRT |af|address|port|");
        throw error;
      }
      if (target === "unsupported-family") return session.reply(522, "Network protocol not supported, use (1,2)");
      if (refuseActiveTarget(session, target.host, target.port)) return;
      session.dataChannel.connectTo(target.host, target.port);
      session.reply(200, "EPRT command successful");
    },
  },
];
