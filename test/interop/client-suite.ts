// The client's behaviour against one server, as a reusable suite: each
// test/interop/client-<server>.test.ts calls `clientSuite(target)`. Real
// servers (vsftpd, pure-ftpd, proftpd, pyftpdlib) and ftpwire's own server
// all run the same checks, so a table of results is one grep away.
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat as fsStat, writeFile, mkdir, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { Client } from "../../src/client/client.js";
import type { ClientOptions } from "../../src/client/options.js";
import { FtpError } from "../../src/errors.js";

export interface ServerUnderTest {
  readonly options: ClientOptions;
  /** Writes a file that the server will show at `/relativePath` (login root). */
  writeFile(relativePath: string, data: Uint8Array | string): Promise<void>;
  /** Reads a file as stored by the server (undefined when the storage is not on disk). */
  readFile?(relativePath: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export interface ServerTarget {
  readonly name: string;
  /** Resolves true when usable (else the test was skipped, or fails under CI). */
  available(t: TestContext): Promise<boolean>;
  start(): Promise<ServerUnderTest>;
  readonly mlsd: boolean;
  readonly mfmt: boolean;
  /**
   * Set when `start()` returns FTPS options: the suite then also checks that
   * every data connection was TLS and (when `resumes`) resumed the control
   * connection's TLS session.
   */
  readonly ftps?: { readonly resumes: boolean };
}

const MiB = 1024 * 1024;

function sha(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function collect(): { stream: Writable; data(): Buffer } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, data: () => Buffer.concat(chunks) };
}

export function clientSuite(target: ServerTarget): void {
  describe(`client against ${target.name}`, { timeout: 120_000 }, () => {
    let server: ServerUnderTest | undefined;
    let client: Client | undefined;
    let local: string;
    let usable = false;
    const big = randomBytes(10 * MiB);
    const huge = randomBytes(48 * MiB);

    before(async () => {
      local = await mkdtemp(join(tmpdir(), "ftpwire-client-"));
    });

    after(async () => {
      await client?.close().catch(() => {});
      await server?.stop().catch(() => {});
      await rm(local, { recursive: true, force: true });
    });

    async function ready(t: TestContext): Promise<Client | undefined> {
      if (!server) {
        if (!(await target.available(t))) return undefined;
        server = await target.start();
        usable = true;
      }
      if (!usable) return undefined;
      if (!client || !client.connected) client = await Client.connect(server.options);
      return client;
    }

    test("connects with a URL, logs in, reads FEAT, pwd is /", async (t) => {
      if (!(await ready(t))) return;
      const { host, port, user, password, secure, tls } = server!.options;
      const scheme = secure === "implicit" ? "ftps" : secure ? "ftpes" : "ftp";
      const url = `${scheme}://${encodeURIComponent(user!)}:${encodeURIComponent(password!)}@${host}:${port}/`;
      await using c = await Client.connect(url, tls ? { tls } : {});
      assert.equal(await c.pwd(), "/");
      if (target.ftps) assert.match(c.tlsInfo()?.protocol ?? "clear text", /^TLSv1\.[23]$/);
      else assert.equal(c.tlsInfo(), undefined);
      assert.ok(c.features() instanceof Map);
      if (target.mlsd) assert.ok(c.features().has("MLST"), "MLST advertised");
    });

    test("wrong password is a typed 530 error", async (t) => {
      if (!(await ready(t))) return;
      await assert.rejects(
        Client.connect({ ...server!.options, password: "definitely-wrong" }),
        (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_REPLY" && (e.replyCode === 530 || e.replyCode === 430),
      );
    });

    for (const [label, size] of [["0 B", 0], ["1 B", 1], ["10 MiB", 10 * MiB]] as const) {
      test(`upload + download byte-exact, ${label}, passive`, async (t) => {
        const c = await ready(t);
        if (!c) return;
        const data = size === 10 * MiB ? big : randomBytes(size);
        const progress: number[] = [];
        const events: string[] = [];
        const onTransfer = (e: { phase: string; direction: string; bytes: number; error?: Error }) =>
          events.push(`${e.phase} ${e.direction} ${e.bytes}${e.error ? " error" : ""}`);
        const onProgressEvent = (p: { bytes: number; total?: number }) => events.push(`progress ${p.bytes}/${p.total}`);
        c.on("transfer", onTransfer);
        c.on("progress", onProgressEvent);
        const up = await c.upload(data, `/exact-${size}.bin`, { onProgress: (p) => progress.push(p.bytes) });
        c.off("transfer", onTransfer);
        c.off("progress", onProgressEvent);
        assert.equal(up.bytes, size);
        assert.equal(progress.at(-1), size, "final progress reports every byte");
        assert.equal(events[0], "start upload 0");
        assert.equal(events.at(-2), `progress ${size}/${size}`);
        assert.equal(events.at(-1), `end upload ${size}`);
        // Throttled: never more progress events than chunks, and few for 10 MiB on loopback.
        assert.ok(events.length <= 2 + Math.max(1, Math.ceil(size / 1024)), `${events.length} events`);
        if (server!.readFile) assert.equal(sha(await server!.readFile(`exact-${size}.bin`)), sha(data));
        const file = join(local, `exact-${size}.bin`);
        const down = await c.download(`/exact-${size}.bin`, file);
        assert.equal(down.bytes, size);
        assert.equal(sha(await readFile(file)), sha(data));
        assert.equal(await c.size(`/exact-${size}.bin`), size);
      });
    }

    test("listing: auto, LIST forced, MLSD when offered, listIter", async (t) => {
      const c = await ready(t);
      if (!c) return;
      await c.mkdir("/listing", { recursive: true });
      await c.upload(Buffer.from("12345"), "/listing/five.txt");
      await c.upload(Buffer.from(""), "/listing/with space.txt");
      await c.mkdir("/listing/sub");
      const check = (entries: { name: string; type: string; size?: number }[], how: string) => {
        const byName = new Map(entries.map((e) => [e.name, e]));
        assert.deepEqual([...byName.keys()].sort(), ["five.txt", "sub", "with space.txt"], how);
        assert.equal(byName.get("five.txt")?.type, "file", how);
        assert.equal(byName.get("five.txt")?.size, 5, how);
        assert.equal(byName.get("sub")?.type, "directory", how);
      };
      check(await c.list("/listing"), "auto");
      check(await c.list("/listing", { method: "LIST" }), "LIST");
      if (target.mlsd) check(await c.list("/listing", { method: "MLSD" }), "MLSD");
      const streamed = [];
      for await (const entry of c.listIter("/listing")) streamed.push(entry);
      check(streamed, "listIter");
    });

    test("UTF-8 names survive upload, listing and download", async (t) => {
      const c = await ready(t);
      if (!c) return;
      const name = "ünïcødé € 日本.txt";
      await c.mkdir("/utf8", { recursive: true });
      await c.upload(Buffer.from("utf8"), `/utf8/${name}`);
      assert.deepEqual((await c.list("/utf8")).map((e) => e.name), [name]);
      const sink = collect();
      await c.download(`/utf8/${name}`, sink.stream);
      assert.equal(sink.data().toString(), "utf8");
      await c.rmdir("/utf8", { recursive: true });
    });

    test("stat, exists, lastModified, setLastModified", async (t) => {
      const c = await ready(t);
      if (!c) return;
      await c.upload(Buffer.from("abc"), "/stat.txt");
      const info = await c.stat("/stat.txt");
      assert.equal(info.type, "file");
      assert.equal(info.size, 3);
      assert.equal(info.name, "stat.txt");
      assert.equal(await c.exists("/stat.txt"), true);
      assert.equal(await c.exists("/no-such-file.txt"), false);
      await c.mkdir("/statdir", { recursive: true });
      assert.equal((await c.stat("/statdir")).type, "directory");
      const modified = await c.lastModified("/stat.txt");
      assert.ok(Math.abs(modified.getTime() - Date.now()) < 24 * 3600_000, `sane mtime ${modified.toISOString()}`);
      if (target.mfmt) {
        const when = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
        await c.setLastModified("/stat.txt", when);
        assert.equal((await c.lastModified("/stat.txt")).getTime(), when.getTime());
      }
      await assert.rejects(c.size("/no-such-file.txt"), (e: unknown) => e instanceof FtpError && e.replyCode === 550);
    });

    test("rename, remove, mkdir/rmdir recursive, cd/cdup", async (t) => {
      const c = await ready(t);
      if (!c) return;
      await c.mkdir("/deep/a/b/c", { recursive: true });
      await c.mkdir("/deep/a/b/c", { recursive: true }); // again: already there is fine
      await c.upload(Buffer.from("x"), "/deep/a/b/c/file.txt");
      await c.upload(Buffer.from("y"), "/deep/a/top.txt");
      await c.rename("/deep/a/top.txt", "/deep/a/renamed.txt");
      assert.equal(await c.exists("/deep/a/top.txt"), false);
      assert.equal(await c.exists("/deep/a/renamed.txt"), true);
      await c.cd("/deep/a/b");
      assert.equal(await c.pwd(), "/deep/a/b");
      await c.cdup();
      assert.equal(await c.pwd(), "/deep/a");
      await c.remove("renamed.txt");
      await c.cd("/");
      await assert.rejects(c.rmdir("/deep"), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_REPLY");
      await c.rmdir("/deep", { recursive: true });
      assert.equal(await c.exists("/deep"), false);
    });

    test("resume: download with start, upload with resume", async (t) => {
      const c = await ready(t);
      if (!c) return;
      const data = randomBytes(300_000);
      await c.upload(data, "/resume.bin");
      // Download: a partial local file completed with REST.
      const file = join(local, "resume.bin");
      await writeFile(file, data.subarray(0, 123_456));
      const res = await c.download("/resume.bin", file, { resume: true });
      assert.equal(res.bytes, data.length - 123_456);
      assert.equal(sha(await readFile(file)), sha(data));
      // Explicit start into a Writable.
      const sink = collect();
      await c.download("/resume.bin", sink.stream, { start: 200_000 });
      assert.equal(sha(sink.data()), sha(data.subarray(200_000)));
      // Upload: the server holds a prefix; resume sends the rest.
      await c.upload(data.subarray(0, 100_000), "/resume-up.bin");
      const up = await c.upload(data, "/resume-up.bin", { resume: true });
      assert.equal(up.bytes, data.length - 100_000);
      const back = collect();
      await c.download("/resume-up.bin", back.stream);
      assert.equal(sha(back.data()), sha(data));
      // Append.
      await c.upload(Buffer.from("tail"), "/resume-up.bin", { append: true });
      assert.equal(await c.size("/resume-up.bin"), data.length + 4);
    });

    test("active mode: upload, download, list", async (t) => {
      if (!(await ready(t))) return;
      const low = 40_000 + (process.pid % 200) * 50;
      await using c = await Client.connect({ ...server!.options, mode: "active", active: { portRange: [low, low + 49] } });
      const announced: number[] = [];
      c.on("command", (line) => {
        const eprt = /^EPRT \|1\|127\.0\.0\.1\|(\d+)\|$/.exec(line);
        const port = /^PORT 127,0,0,1,(\d+),(\d+)$/.exec(line);
        if (eprt) announced.push(Number(eprt[1]));
        else if (port) announced.push(Number(port[1]) * 256 + Number(port[2]));
        else if (/^(EPRT|PORT|EPSV|PASV)/.test(line)) announced.push(-1);
      });
      const data = randomBytes(2 * MiB + 17);
      await c.upload(data, "/active.bin");
      const sink = collect();
      await c.download("/active.bin", sink.stream);
      assert.equal(sha(sink.data()), sha(data));
      const names = (await c.list("/")).map((e) => e.name);
      assert.ok(names.includes("active.bin"));
      assert.ok(announced.length >= 3, announced.join(","));
      for (const port of announced) assert.ok(port >= low && port <= low + 49, `port ${port} outside [${low}, ${low + 49}]`);
    });

    test("abort() mid-download: rejects ERR_FTP_ABORTED, the session stays usable", async (t) => {
      const c = await ready(t);
      if (!c) return;
      await server!.writeFile("huge.bin", huge);
      let received = 0;
      // abort() as soon as the first chunk reaches the destination: the data
      // connection is destroyed then, so the transfer cannot finish first.
      let aborting: Promise<void> | undefined;
      const slow = new Writable({
        highWaterMark: 64 * 1024,
        write(chunk: Buffer, _e, cb) {
          received += chunk.length;
          aborting ??= c.abort();
          cb();
        },
      });
      await assert.rejects(
        c.download("/huge.bin", slow),
        (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_ABORTED",
      );
      await aborting;
      assert.ok(received < huge.length, "stopped before the end");
      assert.equal(await c.pwd(), "/");
      const again = collect();
      await c.download("/exact-1.bin", again.stream);
      assert.equal(again.data().length, 1);
    });

    test("AbortSignal cancels an upload from a stream; the next call works", async (t) => {
      const c = await ready(t);
      if (!c) return;
      const ac = new AbortController();
      const source = new PassThrough();
      source.write(randomBytes(64 * 1024));
      const pending = c.upload(source, "/cancelled.bin", { signal: ac.signal });
      // Left as a delay on purpose: aborting at the first progress instead
      // (right after the TLS data handshake) ends the whole session on
      // vsftpd and pure-ftpd under PROT P. That is a client defect to fix
      // first (a follow-up), not something for this test to hide.
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(pending, (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_ABORTED");
      assert.equal(await c.pwd(), "/");
    });

    test("20 calls fired at once all succeed, in order", async (t) => {
      const c = await ready(t);
      if (!c) return;
      await c.mkdir("/queue", { recursive: true });
      const order: number[] = [];
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) {
        const step = i % 4;
        const name = `/queue/f${Math.floor(i / 4)}.txt`;
        const p =
          step === 0 ? c.upload(Buffer.from(`file ${i}`), name)
          : step === 1 ? c.size(name)
          : step === 2 ? c.list("/queue")
          : c.pwd();
        calls.push(p.then((v) => {
          order.push(i);
          return v;
        }));
      }
      const results = await Promise.all(calls);
      assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
      assert.equal(results[1], "file 0".length);
      assert.equal((results[18] as unknown[]).length, 5);
    });

    test("createReadStream / createWriteStream (storage adapter shape)", async (t) => {
      const c = await ready(t);
      if (!c) return;
      const data = randomBytes(3 * MiB + 5);
      const ws = await c.createWriteStream("/streamed.bin");
      await new Promise<void>((resolve, reject) => {
        ws.on("error", reject);
        ws.end(data, () => resolve());
      });
      const rs = await c.createReadStream("/streamed.bin", { start: 5 });
      const chunks: Buffer[] = [];
      for await (const chunk of rs) chunks.push(chunk as Buffer);
      assert.equal(sha(Buffer.concat(chunks)), sha(data.subarray(5)));
      await assert.rejects(c.createReadStream("/missing.bin"), (e: unknown) => e instanceof FtpError && e.replyCode === 550);
      assert.equal(await c.size("/streamed.bin"), data.length);
    });

    test("leaving listIter early and destroying a read stream abort cleanly", async (t) => {
      const c = await ready(t);
      if (!c) return;
      await c.mkdir("/many", { recursive: true });
      for (let i = 0; i < 5; i++) await c.upload(Buffer.from(String(i)), `/many/f${i}.txt`);
      let seen = 0;
      for await (const entry of c.listIter("/many")) {
        assert.ok(entry.name.startsWith("f"));
        seen++;
        break;
      }
      assert.equal(seen, 1);
      assert.equal((await c.list("/many")).length, 5);
      await server!.writeFile("huge.bin", huge);
      const rs = await c.createReadStream("/huge.bin");
      await new Promise<void>((resolve) => rs.once("data", () => resolve()));
      rs.destroy();
      assert.equal(await c.pwd(), "/");
      assert.equal(await c.size("/huge.bin"), huge.length);
    });

    test("backpressure: an unread download stream does not buffer the file in memory", async (t) => {
      const c = await ready(t);
      if (!c) return;
      await server!.writeFile("huge.bin", huge);
      let counted = 0;
      const onProgress = (p: { path: string; bytes: number }) => {
        if (p.path === "/huge.bin") counted = p.bytes;
      };
      c.on("progress", onProgress);
      try {
        const rs = await c.createReadStream("/huge.bin");
        await new Promise((r) => setTimeout(r, 300));
        // Stream buffers (1 MiB marks) plus socket buffers: far below the 48 MiB file.
        assert.ok(counted < 24 * MiB, `${counted} bytes pulled while nobody read`);
        rs.destroy();
      } finally {
        c.off("progress", onProgress);
      }
      assert.equal(await c.pwd(), "/");
    });

    test("ClientPool runs downloads in parallel over several connections", async (t) => {
      if (!(await ready(t))) return;
      const { ClientPool } = await import("../../src/client/client-pool.js");
      await using pool = new ClientPool(server!.options, { connections: 3 });
      const results = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const sink = collect();
          await pool.download("/exact-1.bin", sink.stream);
          return [i, sink.data().length];
        }),
      );
      assert.deepEqual(results, Array.from({ length: 6 }, (_, i) => [i, 1]));
      assert.equal(await pool.run((c) => c.pwd()), "/");
    });

    if (target.ftps) {
      const { resumes } = target.ftps;
      test(`FTPS: every data connection so far was TLS${resumes ? " and resumed the control session" : ""}`, async (t) => {
        const c = await ready(t);
        if (!c) return;
        await c.list("/");
        const info = c.tlsInfo();
        assert.ok(info, "tlsInfo() after a secure login");
        assert.equal(info.dataProtection, "private");
        assert.ok(info.dataConnections >= 10, `${info.dataConnections} TLS data connections`);
        if (resumes) assert.equal(info.resumedDataConnections, info.dataConnections, "resumed sessions");
      });
    }

    test("uploadDir / downloadDir with concurrency 3", async (t) => {
      const c = await ready(t);
      if (!c) return;
      const src = join(local, "tree");
      await mkdir(join(src, "a", "b"), { recursive: true });
      const files: Record<string, Buffer> = {
        "top.txt": randomBytes(10),
        "a/one.bin": randomBytes(100_000),
        "a/b/two.bin": randomBytes(1000),
        "a/b/three.bin": randomBytes(0),
        "a/four.bin": randomBytes(77),
      };
      for (const [name, data] of Object.entries(files)) await writeFile(join(src, name), data);
      const up = await c.uploadDir(src, "/tree", { concurrency: 3 });
      assert.equal(up.files, 5);
      const dest = join(local, "tree-back");
      const down = await c.downloadDir("/tree", dest, { concurrency: 3 });
      assert.equal(down.files, 5);
      for (const [name, data] of Object.entries(files)) assert.equal(sha(await readFile(join(dest, name))), sha(data), name);
      assert.deepEqual((await readdir(join(dest, "a"))).sort(), ["b", "four.bin", "one.bin"]);
      await c.rmdir("/tree", { recursive: true });
      assert.equal((await fsStat(dest)).isDirectory(), true);
    });
  });
}
