// Type-level tests of the client's public API (events, options, results),
// through the package entry point. Checked by `tsc -p test/types` from
// test/types/types.test.ts; nothing here runs. A wrong expectation is an
// error, and each `@ts-expect-error` proves an assertion can fail.
import { expectTypeOf } from "expect-type";
import type { Readable, Writable, Duplex } from "node:stream";
import {
  CLIENT_DEFAULTS,
  Client,
  ClientPool,
  type ClientEvents,
  type ClientOptions,
  type CreateControlSocket,
  type DirTransferResult,
  type DownloadResult,
  type FileInfo,
  type FtpError,
  type ListOptions,
  type ProgressInfo,
  type ReadStreamOptions,
  type Reply,
  type ResolvedClientOptions,
  type TlsInfo,
  type TransferEvent,
  type UploadResult,
  type WriteStreamOptions,
} from "../../src/index.js";
import type * as Api from "../../src/index.js";

declare const client: Client;
declare const pool: ClientPool;

// ---- connecting and options
expectTypeOf(Client.connect).parameter(0).toEqualTypeOf<string | ClientOptions>();
expectTypeOf(Client.connect("ftp://h")).resolves.toEqualTypeOf<Client>();
expectTypeOf<ClientOptions["secure"]>().toEqualTypeOf<boolean | "explicit" | "implicit" | undefined>();
expectTypeOf<NonNullable<ClientOptions["timeouts"]>>().toEqualTypeOf<{ connect?: number; control?: number; data?: number; reply?: number }>();
expectTypeOf<ClientOptions>().toHaveProperty("usePassiveReplyAddress");
expectTypeOf<ClientOptions>().toHaveProperty("createSocket");
expectTypeOf<ClientOptions["createSocket"]>().toEqualTypeOf<CreateControlSocket | undefined>();
expectTypeOf<ReturnType<CreateControlSocket>>().toEqualTypeOf<Duplex | Promise<Duplex>>();
// The old name is gone from the type as well.
// @ts-expect-error allowSeparateTransferHost was renamed usePassiveReplyAddress
expectTypeOf<ClientOptions>().toHaveProperty("allowSeparateTransferHost");

// client.options carries no secret.
expectTypeOf(client.options).toEqualTypeOf<ResolvedClientOptions>();
// @ts-expect-error the password is not part of the resolved options
expectTypeOf<ResolvedClientOptions>().toHaveProperty("password");
// @ts-expect-error nor is the account
expectTypeOf<ResolvedClientOptions>().toHaveProperty("account");
expectTypeOf(client.options.timeouts).toEqualTypeOf<{ readonly connect: number; readonly control: number; readonly data: number; readonly reply: number }>();
expectTypeOf(client.options.limits.maxListEntries).toBeNumber();

// Defaults: frozen, literal, readonly.
expectTypeOf(CLIENT_DEFAULTS.timeouts.reply).toEqualTypeOf<60_000>();
expectTypeOf(CLIENT_DEFAULTS.limits.maxListEntries).toEqualTypeOf<200_000>();
// @ts-expect-error CLIENT_DEFAULTS is read-only
CLIENT_DEFAULTS.timeouts.reply = 1;

// ---- results
expectTypeOf(client.upload).returns.resolves.toEqualTypeOf<UploadResult>();
expectTypeOf<UploadResult>().toEqualTypeOf<{ readonly reply: Reply; readonly bytes: number; readonly resumes?: number | undefined }>();
expectTypeOf(client.download).returns.resolves.toEqualTypeOf<DownloadResult>();
// The pool resolves like the client.
expectTypeOf(pool.upload).returns.resolves.toEqualTypeOf<UploadResult>();
expectTypeOf(pool.download).returns.resolves.toEqualTypeOf<DownloadResult>();
expectTypeOf(client.uploadDir).returns.resolves.toEqualTypeOf<DirTransferResult>();
expectTypeOf(client.list).returns.resolves.toEqualTypeOf<FileInfo[]>();
expectTypeOf(client.listIter("/")).toEqualTypeOf<AsyncGenerator<FileInfo, void, undefined>>();
expectTypeOf<ListOptions["maxEntries"]>().toEqualTypeOf<number | undefined>();
expectTypeOf(client.createReadStream).parameter(1).toEqualTypeOf<ReadStreamOptions | undefined>();
expectTypeOf(client.createReadStream).returns.resolves.toEqualTypeOf<Readable>();
expectTypeOf(client.createWriteStream).parameter(1).toEqualTypeOf<WriteStreamOptions | undefined>();
expectTypeOf(client.createWriteStream).returns.resolves.toEqualTypeOf<Writable>();
expectTypeOf(client.tlsInfo()).toEqualTypeOf<TlsInfo | undefined>();
expectTypeOf(client.features()).toEqualTypeOf<ReadonlyMap<string, string>>();
expectTypeOf(client.send).returns.resolves.toEqualTypeOf<Reply>();
expectTypeOf(client[Symbol.asyncDispose]).returns.toEqualTypeOf<Promise<void>>();

// ---- events
expectTypeOf<Parameters<ClientEvents["progress"]>>().toEqualTypeOf<[info: ProgressInfo]>();
expectTypeOf<Parameters<ClientEvents["transfer"]>>().toEqualTypeOf<[event: TransferEvent]>();
expectTypeOf<Parameters<ClientEvents["close"]>>().toEqualTypeOf<[error: FtpError | undefined]>();
expectTypeOf<Parameters<ClientEvents["error"]>>().toEqualTypeOf<[error: FtpError]>();
client.on("reply", (reply) => expectTypeOf(reply).toEqualTypeOf<Reply>());
client.on("command", (line) => expectTypeOf(line).toBeString());
// @ts-expect-error no such event
client.on("data", () => {});
// @ts-expect-error a progress listener gets ProgressInfo, not a number
client.on("progress", (bytes: number) => bytes);

// ---- what the entry point no longer exports
// @ts-expect-error Command is internal (nothing public takes or returns it)
type _Command = Api.Command;
// @ts-expect-error HostPort is internal
type _HostPort = Api.HostPort;
// @ts-expect-error CommandLine is internal
type _CommandLine = Api.CommandLine;
