/**
 * Directory listings: LIST NLST MLSD over the data connection, MLST over
 * the control connection, and the STAT <path> form (info.ts uses it).
 * LIST/NLST/STAT accept `ls`-style flags (-a, -l, -la, …) and ignore them.
 */
import { formatMlstFeature } from "../../protocol/features.js";
import { Readable } from "node:stream";
import { formatMlsdLine, mlsdLineFormatter } from "../../protocol/listing/mlsd-format.js";
import { formatUnixLine } from "../../protocol/listing/unix.js";
import { virtualBasename, virtualDirname } from "../../protocol/paths.js";
import type { FileInfo } from "../../protocol/types.js";
import type { Session } from "../session.js";
import { refusedClearData } from "./security.js";
import type { CommandSpec } from "./table.js";

/** The MLST facts this server can fill in (FEAT announces them; OPTS MLST chooses among them). */
export const SERVER_MLST_FACTS: readonly string[] = ["type", "size", "modify", "perm", "unix.mode"];

/** Drops leading `ls` flags: "-la /dir" → "/dir", "-a" → "". */
export function stripListFlags(arg: string): string {
  let rest = arg;
  for (let i = 0; i < 8; i++) {
    const match = /^\s*-[A-Za-z1]+(?:\s+|$)/.exec(rest);
    if (!match) break;
    rest = rest.slice(match[0].length);
  }
  return rest.trim() === "" ? "" : rest;
}

/** The MLSD `perm` fact for entries of a type, as this session may use them (RFC 3659 §7.5.5). */
function permissionsFor(session: Session, type: FileInfo["type"]): string {
  return type === "directory" ? (session.readOnly ? "el" : "cdeflmp") : session.readOnly ? "r" : "adfrw";
}

/** The entry with its `perm` fact (for MLST; MLSD passes it to the formatter per entry). */
function withPermissions(session: Session, info: FileInfo): FileInfo {
  return { ...info, permissions: permissionsFor(session, info.type) };
}

/** Lines of the entries, skipping names a listing cannot carry (CR/LF inside). */
function lines(entries: readonly FileInfo[], format: (info: FileInfo) => string): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    try {
      out.push(format(entry));
    } catch {
      // A name with CR or LF would forge listing lines; leave it out.
    }
  }
  return out;
}

/** About how many characters of listing go into one Buffer (one socket write). */
const LISTING_BATCH_CHARS = 64 * 1024;

/**
 * The listing as CRLF-terminated lines in Buffers of about 64 KiB, formatted
 * as the data socket asks for them: the client can parse the first batch while
 * later ones are formatted, and no copy of the whole listing is held at once.
 * Names a listing cannot carry (CR/LF inside) are left out.
 */
function* listingBatches(entries: readonly FileInfo[], format: (info: FileInfo) => string): Generator<Buffer> {
  let batch = "";
  for (const entry of entries) {
    let line: string;
    try {
      line = format(entry);
    } catch {
      continue; // A name with CR or LF would forge listing lines; leave it out.
    }
    batch += `${line}\r\n`;
    if (batch.length >= LISTING_BATCH_CHARS) {
      yield Buffer.from(batch, "utf8");
      batch = "";
    }
  }
  if (batch.length > 0) yield Buffer.from(batch, "utf8");
}

function nlstName(entry: FileInfo): string {
  if (/[\r\n]/.test(entry.name)) throw new Error("unlistable name");
  return entry.name;
}

/** `*.txt` → /^.*\.txt$/ (only `*` and `?` are special; everything else is literal). */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${body}$`, "s");
}

/**
 * A directory's entries, or the one entry of a file. A last component with
 * `*` or `?` that names nothing is a pattern over its directory (what `mget`
 * sends). Rejects for a missing path.
 */
async function entriesOf(session: Session, path: string): Promise<{ info: FileInfo; entries: FileInfo[] }> {
  let info: FileInfo;
  try {
    info = await session.fs.stat(path);
  } catch (error) {
    const name = virtualBasename(path);
    if ((error as { code?: unknown }).code !== "ENOENT" || !/[*?]/.test(name)) throw error;
    const dir = virtualDirname(path);
    const pattern = globToRegExp(name);
    const entries = (await session.fs.list(dir)).filter((entry) => pattern.test(entry.name));
    if (entries.length === 0) throw error;
    return { info: await session.fs.stat(dir), entries };
  }
  if (info.type !== "directory") return { info, entries: [{ ...info, name: virtualBasename(path) }] };
  return { info, entries: await session.fs.list(path) };
}

/** `ls -l` lines of a path (for LIST and STAT). */
export async function unixListing(session: Session, path: string): Promise<string[]> {
  const { entries } = await entriesOf(session, path);
  const now = new Date();
  return lines(entries, (entry) => formatUnixLine(entry, now));
}

type ListKind = "LIST" | "NLST" | "MLSD";

function listing(kind: ListKind) {
  return (session: Session, arg: string): void => {
    const path = session.resolve(kind === "MLSD" ? arg : stripListFlags(arg));
    if (refusedClearData(session)) return;
    if (!session.dataChannel.prepared) return session.reply(425, "Use PORT, PASV, EPRT or EPSV first");
    session.startTransfer(kind, path, async (transfer) => {
      let entries: FileInfo[];
      let format: (info: FileInfo) => string;
      try {
        const found = await entriesOf(session, path);
        entries = found.entries;
        if (kind === "MLSD") {
          if (found.info.type !== "directory") return session.reply(501, "MLSD needs a directory (use MLST for a file)");
          // Not `{ ...entry, permissions }` per entry: over a 100,000-entry MLSD that copy cost
          // several times the formatting itself.
          const line = mlsdLineFormatter(session.mlstFacts);
          format = (entry) => line(entry, permissionsFor(session, entry.type));
        } else if (kind === "NLST") {
          format = nlstName;
        } else {
          const now = new Date();
          format = (entry) => formatUnixLine(entry, now);
        }
      } catch (error) {
        return session.replyStorageError(error);
      }
      await session.sendData(transfer, Readable.from(listingBatches(entries, format)), "Opening data connection for directory listing");
    });
  };
}

export const LISTING_COMMANDS: readonly CommandSpec[] = [
  { verb: "LIST", needsLogin: true, arg: "optional", syntax: "LIST [<sp> pathname]", handler: listing("LIST") },
  { verb: "NLST", needsLogin: true, arg: "optional", syntax: "NLST [<sp> pathname]", handler: listing("NLST") },
  { verb: "MLSD", needsLogin: true, arg: "optional", syntax: "MLSD [<sp> pathname]", handler: listing("MLSD") },
  {
    verb: "MLST",
    needsLogin: true,
    arg: "optional",
    syntax: "MLST [<sp> pathname]",
    feat: (session) => `MLST ${formatMlstFeature(SERVER_MLST_FACTS, session.mlstFacts)}`,
    async handler(session, arg) {
      const path = session.resolve(arg);
      const info = await session.fs.stat(path);
      const line = formatMlsdLine({ ...withPermissions(session, info), path }, session.mlstFacts);
      // RFC 3659 §7.2: the entry line starts with one space.
      session.reply(250, [`Listing ${path}`, ` ${line}`, "End"]);
    },
  },
];
