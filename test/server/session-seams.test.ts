// Issue 18, the server session's seams: the storage fast path is a
// capability any FileSystem stream can offer (SEND_TO_SOCKET), hooks and
// events get a read-only façade of the session, and one mapping turns
// storage errors into replies before and after a transfer's 150.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { Readable } from "node:stream";
import type { Socket } from "node:net";
import { startServer, readAll } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { FileSystemError, SEND_TO_SOCKET, type FileSystemReadOptions } from "../../src/storage/file-system.js";
import { storageErrorReply, transferStorageErrorReply } from "../../src/storage/error-replies.js";
import { Session } from "../../src/server/session.js";
import type { FtpSession } from "../../src/server/types.js";

/** A storage whose reads offer the fast path and count its uses. */
class FastPathFileSystem extends MemoryFileSystem {
  fastSends = 0;
  override async read(path: string, options?: FileSystemReadOptions): Promise<Readable> {
    const stream = await super.read(path, options);
    const self = this;
    return Object.assign(stream, {
      [SEND_TO_SOCKET](socket: Socket): Promise<void> {
        self.fastSends += 1;
        return new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          stream.pipe(socket).once("finish", resolve);
        });
      },
    });
  }
}

describe("storage fast path (SEND_TO_SOCKET)", () => {
  it("a custom FileSystem's stream is sent through its own fast path for binary RETR on a plain data connection", async () => {
    const fs = new FastPathFileSystem({ "/a.txt": "one\ntwo\n" });
    const t = await startServer({}, fs);
    try {
      const c = await t.login();
      await c.cmd("TYPE I");
      let data = await c.pasv();
      assert.equal((await c.cmd("RETR /a.txt")).code, 150);
      assert.equal((await readAll(data)).toString(), "one\ntwo\n");
      assert.equal((await c.reply()).code, 226);
      assert.equal(fs.fastSends, 1);
      // TYPE A converts line endings: the bytes change, so the stream is piped through the converter.
      await c.cmd("TYPE A");
      data = await c.pasv();
      assert.equal((await c.cmd("RETR /a.txt")).code, 150);
      assert.equal((await readAll(data)).toString(), "one\r\ntwo\r\n");
      assert.equal((await c.reply()).code, 226);
      assert.equal(fs.fastSends, 1);
    } finally {
      await t.close();
    }
  });
});

describe("read-only session façade", () => {
  it("hooks and events see the session's values, live, but cannot change them or reach its internals", async () => {
    const seen: FtpSession[] = [];
    const t = await startServer({
      beforeCommand: ({ session }) => {
        seen.push(session);
      },
    });
    try {
      const connected = once(t.server, "connection") as Promise<[FtpSession]>;
      const loggedIn = once(t.server, "login") as Promise<[{ session: FtpSession }]>;
      const c = await t.connect();
      const [fromConnection] = await connected;
      await c.login();
      const [{ session: fromLogin }] = await loggedIn;
      assert.equal((await c.cmd("MKD /d")).code, 257);
      assert.equal((await c.cmd("CWD /d")).code, 250);
      for (const view of [fromConnection, fromLogin, seen[0]!, t.server.connections[0]!]) {
        assert.equal(view instanceof Session, false);
        assert.ok(Object.isFrozen(view));
        assert.equal("channel" in view, false);
        assert.equal(view.cwd, "/d", "values are live");
        assert.equal(view.loggedIn, true);
        assert.equal(view.username, "alice");
        assert.throws(() => ((view as { cwd: string }).cwd = "/"), TypeError);
      }
      assert.equal(fromConnection, fromLogin, "one façade per session");
      fromLogin.data.mine = 1; // the application's own space stays writable
      assert.equal(t.server.connections[0]!.data.mine, 1);
      assert.equal((await c.cmd("PWD")).message.includes('"/d"'), true);
      const gone = once(c.socket, "close");
      fromLogin.close(421, "bye");
      assert.equal((await c.reply()).code, 421);
      await gone;
    } finally {
      await t.close();
    }
  });
});

describe("storage error replies", () => {
  it("550 before a transfer, 451 'Transfer aborted' after its 150; 452/552 keep their code", () => {
    const enoent = new FileSystemError("ENOENT");
    assert.equal(storageErrorReply(enoent).code, 550);
    assert.deepEqual(transferStorageErrorReply(enoent), { code: 451, text: `Transfer aborted: ${storageErrorReply(enoent).text}` });
    assert.equal(transferStorageErrorReply(new FileSystemError("ENOSPC")).code, 452);
    assert.equal(transferStorageErrorReply(new FileSystemError("EDQUOT")).code, 552);
    assert.equal(transferStorageErrorReply(new Error("/real/path")).code, 451);
    assert.doesNotMatch(transferStorageErrorReply(new Error("/real/path")).text, /real/);
  });
});
