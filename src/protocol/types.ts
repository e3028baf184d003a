/**
 * Value types shared by every layer and both roles. Pure data, no behaviour.
 */

/** One complete FTP reply (single- or multi-line). */
export interface Reply {
  /** Three-digit reply code, e.g. 226. */
  readonly code: number;
  /**
   * The text of each line with the code prefix removed from the first and
   * last line (`"123-First"` → `"First"`, `"123 Last"` → `"Last"`). Lines
   * in between are kept as received (minus CRLF).
   */
  readonly lines: readonly string[];
  /** `lines` joined with "\n": the human-readable text. */
  readonly message: string;
}

/** One command line received by a server. */
export interface Command {
  /** Upper-cased verb, e.g. "RETR". */
  readonly verb: string;
  /**
   * The argument exactly as sent (after the single space that separates it
   * from the verb), or "" when there is none. Leading and trailing spaces
   * are kept: they can be part of a file name.
   */
  readonly arg: string;
  /** True when the line carried Telnet IP/Synch sequences (urgent ABOR). */
  readonly urgent: boolean;
}

/** What the command parser yields per line. */
export type CommandLine =
  | { readonly kind: "command"; readonly command: Command }
  | { readonly kind: "too-long"; readonly limit: number };

/** A host and port, as carried by PASV/PORT/EPSV/EPRT. */
export interface HostPort {
  /** IPv4 dotted quad or IPv6 text; "" when the reply names none (EPSV). */
  readonly host: string;
  readonly port: number;
  /** 4 or 6; EPSV replies carry no address, so it is the control peer's. */
  readonly family?: 4 | 6;
}

export type FileType = "file" | "directory" | "symlink" | "unknown";

/** One directory entry, whatever listing format it came from. */
export interface FileInfo {
  name: string;
  type: FileType;
  /** Size in bytes; undefined when the listing did not say. */
  size?: number;
  modifiedAt?: Date;
  /** The target of a symbolic link (`a -> b` in LIST, `OS.unix=slink:b`). */
  target?: string;
  /** Unix permission bits (e.g. 0o755) when known. */
  mode?: number;
  /** MLSD `perm` fact, e.g. "adfrw". */
  permissions?: string;
  owner?: string;
  group?: string;
  /** Link count from `ls -l`. */
  hardLinks?: number;
  /** MLSD `unique` fact. */
  unique?: string;
  /** Every MLSD fact as received, lower-cased names; absent when parsed with `facts: false`. */
  facts?: Record<string, string>;
  /** The listing line this entry was parsed from. */
  raw?: string;
}
