// A program written against the installed package, type-checked by
// test/package/strict-consumer.test.ts under the strictest settings a user
// may have (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess,
// skipLibCheck: false) and several module resolutions. It is compiled as ESM
// (.ts in a "type": "module" project) and as CommonJS (copied to .cts), so it
// has no top-level await. Not part of the repo's own typecheck (it imports
// "ftpwire", which only the installed tarball provides).
import { Readable, Writable } from "node:stream";
import {
  Client,
  ClientPool,
  createServer,
  FtpError,
  FtpReplyError,
  FtpTimeoutError,
  FileSystemError,
  MemoryFileSystem,
  CLIENT_DEFAULTS,
  SERVER_DEFAULTS,
  isPermanent,
  parseListing,
} from "ftpwire";
import type {
  ClientOptions,
  FileInfo,
  FileSystem,
  FileSystemErrorCode,
  FtpErrorCode,
  FtpServer,
  FtpServerOptions,
  ProgressInfo,
  Reply,
  UploadResult,
} from "ftpwire";

/** A user's own storage: every required method, one optional one. */
class ObjectStore implements FileSystem {
  readonly #objects = new Map<string, Buffer>();

  async stat(path: string): Promise<FileInfo> {
    const body = this.#objects.get(path);
    if (path === "/") return { name: "/", type: "directory" };
    if (body === undefined) throw new FileSystemError("ENOENT");
    return { name: path.slice(path.lastIndexOf("/") + 1), type: "file", size: body.length, modifiedAt: new Date(0) };
  }
  async list(_path: string): Promise<FileInfo[]> {
    return [...this.#objects].map(([name, body]) => ({ name: name.slice(1), type: "file", size: body.length }));
  }
  async read(path: string, options?: { start?: number }): Promise<Readable> {
    const body = this.#objects.get(path);
    if (body === undefined) throw new FileSystemError("ENOENT", `no ${path}`);
    return Readable.from([body.subarray(options?.start ?? 0)]);
  }
  async write(path: string): Promise<Writable> {
    const chunks: Buffer[] = [];
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        chunks.push(chunk);
        done();
      },
      final: (done) => {
        this.#objects.set(path, Buffer.concat(chunks));
        done();
      },
    });
  }
  async mkdir(_path: string): Promise<void> {
    throw new FileSystemError("EPERM");
  }
  async rmdir(_path: string): Promise<void> {
    throw new FileSystemError("EPERM");
  }
  async unlink(path: string): Promise<void> {
    if (!this.#objects.delete(path)) throw new FileSystemError("ENOENT");
  }
  async rename(from: string, to: string): Promise<void> {
    const body = this.#objects.get(from);
    if (body === undefined) throw new FileSystemError("ENOENT");
    this.#objects.set(to, body);
    this.#objects.delete(from);
  }
  async setModifiedTime(_path: string, _date: Date): Promise<void> {}
}

const options: FtpServerOptions = {
  authenticate: ({ username, password }) =>
    username === "alice" && password === "secret" ? { fileSystem: new ObjectStore(), cwd: "/" } : null,
  greeting: ["ftpwire", "strict consumer"],
};

export async function main(): Promise<void> {
  const server: FtpServer = createServer(options);
  server.on("upload", ({ path, bytes }) => console.log(path.toUpperCase(), bytes.toFixed(0)));
  server.on("error", (error, session) => console.log(error.message, session?.id));
  const anonymous = createServer({ authenticate: () => ({ fileSystem: new MemoryFileSystem(), readOnly: true }) });
  await server.listen({ port: 0, host: "127.0.0.1" });
  const address = server.address();

  const clientOptions: ClientOptions = {
    host: "127.0.0.1",
    port: address?.port ?? CLIENT_DEFAULTS.port,
    user: "alice",
    password: "secret",
    timeouts: { connect: 5_000, reply: CLIENT_DEFAULTS.timeouts.reply },
  };
  const client = await Client.connect(clientOptions);
  client.on("progress", (progress: ProgressInfo) => console.log(progress.bytes, progress.total ?? "?"));
  client.on("reply", (reply: Reply) => console.log(reply.code, reply.lines.join(" ")));
  // @ts-expect-error: a misspelt event name is a type error (events are typed, not `any`).
  client.on("progres", () => {});
  const uploaded: UploadResult = await client.upload(Buffer.from("hello"), "/a.txt");
  console.log(uploaded.bytes + 1);
  const entries = await client.list("/");
  const first = entries[0]; // FileInfo | undefined under noUncheckedIndexedAccess
  console.log(first?.name.length, first?.size?.toFixed(0));
  const parsed: FileInfo[] = parseListing("type=file;size=1; x.txt\r\n");
  console.log(parsed.length, SERVER_DEFAULTS);

  const pool = new ClientPool(clientOptions, { connections: 2 });
  await pool.close();

  try {
    await client.remove("/missing");
  } catch (error) {
    if (error instanceof FtpReplyError && error.replyCode !== undefined && isPermanent(error.replyCode)) {
      const code: FtpErrorCode = error.code;
      console.log(code, error.reply?.lines[0]);
    } else if (error instanceof FtpTimeoutError || error instanceof FtpError) {
      console.log(error.code.startsWith("ERR_FTP_"), error.command);
    }
  }
  const codes: FileSystemErrorCode[] = ["ENOENT", "EACCES"];
  console.log(codes);
  await client.close();
  await anonymous.close();
  await server.close();
}
