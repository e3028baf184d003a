// The public API of ftpwire, and nothing else.
export * from "./errors.js";
// Reply, FileInfo and FileType are what the client returns; the command and
// host-port codecs stay internal (nothing public takes or returns them).
export type { Reply, FileInfo, FileType } from "./protocol/types.js";
export {
  REPLY_TEXTS,
  replyText,
  replyKind,
  replyGroup,
  isPreliminary,
  isCompletion,
  isIntermediate,
  isTransient,
  isPermanent,
  isProtected,
  isFailure,
  isUnknownCommand,
  isCommandNotSupported,
  isNetworkProtocolNotSupported,
  needsTls,
  isServiceClosing,
} from "./protocol/reply-codes.js";
export type { ReplyKind, ReplyGroup } from "./protocol/reply-codes.js";
// Client role.
export { Client } from "./client/client.js";
export type { ClientEvents, OperationOptions, SendOptions } from "./client/client.js";
export type { ForeignTransferOptions } from "./client/foreign-transfer.js";
export type { HashAlgorithm, HashOptions, HashResult } from "./client/hash.js";
export { ClientPool } from "./client/client-pool.js";
export type { ClientPoolOptions } from "./client/client-pool.js";
export { fxp } from "./client/fxp.js";
export type { FxpOptions, FxpResult, FxpProgress, FxpMode, FxpArrangement } from "./client/fxp.js";
export { CLIENT_DEFAULTS, parseFtpUrl } from "./client/options.js";
export type {
  ClientOptions,
  ClientTimeouts,
  ClientLimits,
  ClientDefaults,
  ActiveModeOptions,
  ResolvedClientOptions,
  CreateControlSocket,
  SocketTarget,
} from "./client/options.js";
export type {
  UploadOptions,
  DownloadOptions,
  UploadResult,
  DownloadResult,
  ReadStreamOptions,
  WriteStreamOptions,
  UploadSource,
  DownloadDestination,
  TransferType,
} from "./client/file-transfers.js";
export type { ListOptions } from "./client/listing.js";
export type { DirOptions } from "./client/dir-ops.js";
export type { DirTransferOptions, DirTransferResult } from "./client/dir-transfers.js";
export type { ProgressInfo, TransferEvent } from "./client/session.js";
export type { ClientTlsOptions } from "./client/options.js";
export { isRetryable, RETRY_DEFAULTS } from "./client/retry-policy.js";
export type { RetryOptions, ResolvedRetryOptions, RetryContext } from "./client/retry-policy.js";
export type { RetryEvent } from "./client/retry-loop.js";
export type { ReconnectEvent } from "./client/reconnect.js";
export type { SyncOptions, SyncReport, SyncProgress, SyncFailure, SyncEntry, SyncCompare } from "./client/sync.js";
export type { TlsInfo } from "./client/ftps.js";
// Server role.
export { createServer, FtpServer } from "./server/ftp-server.js";
export type { ListenOptions } from "./server/ftp-server.js";
export type {
  FtpServerOptions,
  FtpServerLimits,
  FtpServerTimeouts,
  PassiveOptions,
  ResolvedServerOptions,
  ServerSecureMode,
} from "./server/options.js";
export { SERVER_DEFAULTS } from "./server/defaults.js";
export type { ProxyProtocolOptions } from "./server/proxy-handshake.js";
export { MemorySharedState } from "./server/shared-state.js";
export type { SharedState, ReleaseConnection, LoginAdmission, LoginThrottleLimits } from "./server/shared-state.js";
export { RedisSharedState } from "./fleet/redis-shared-state.js";
export type { RedisSharedStateOptions } from "./fleet/redis-shared-state.js";
export type {
  FtpSession,
  FtpServerEvents,
  AuthenticateContext,
  AuthenticateResult,
  BeforeCommandContext,
  BeforeCommandResult,
  SiteContext,
  SiteHandler,
  SiteResult,
  ServerTransferEvent,
} from "./server/types.js";
// Storage for the server role.
export { FileSystemError, SEND_TO_SOCKET } from "./storage/file-system.js";
export type { SendsToSocket } from "./storage/file-system.js";
export type { FileSystem, FileSystemLock, FileSystemReadOptions, FileSystemWriteOptions, FileSystemErrorCode } from "./storage/file-system.js";
export { LocalFileSystem } from "./storage/local-file-system.js";
export type { LocalFileSystemOptions } from "./storage/local-file-system.js";
export { MemoryFileSystem } from "./storage/memory-file-system.js";
// Directory listings (MLSD, Unix `ls -l`, DOS/IIS) and MDTM time values, for programs that parse or write listings themselves.
export { parseListing, ListingParser, parseMlsdLine, parseUnixLine, parseDosLine, detectListingFormat, formatMlsdLine, formatUnixLine, MLSD_FACTS } from "./protocol/listing/index.js";
export type { ListingParserOptions, ParseListingOptions, ListingFormat } from "./protocol/listing/index.js";
export { parseMdtm, formatMdtm } from "./protocol/time.js";
export type { RequireTlsPolicy } from "./server/options.js";
