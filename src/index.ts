// The public API of ftpwire, and nothing else.
export * from "./errors.js";
export type { Reply, Command, CommandLine, HostPort, FileInfo, FileType } from "./protocol/types.js";
