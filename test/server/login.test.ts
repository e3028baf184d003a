// Behaviours 1-8 (login and session) and 45 (event order).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer, readAll, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

describe("server login and session", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({}, new MemoryFileSystem({ "/a.txt": "hello" }));
  });
  after(() => t.close());

  it("1: USER 331, PASS 230; wrong password and unknown user get the same 530", async () => {
    const c = await t.connect();
    assert.equal((await c.cmd("USER alice")).code, 331);
    assert.equal((await c.cmd("PASS secret")).code, 230);
    const d = await t.connect();
    assert.equal((await d.cmd("USER alice")).code, 331);
    const wrong = await d.cmd("PASS nope");
    assert.equal((await d.cmd("USER nobody")).code, 331);
    const unknown = await d.cmd("PASS secret");
    assert.equal(wrong.code, 530);
    assert.deepEqual(unknown, wrong);
  });

  it("2: PASS without USER, or when logged in → 503", async () => {
    const c = await t.connect();
    assert.equal((await c.cmd("PASS secret")).code, 503);
    await c.login();
    assert.equal((await c.cmd("PASS secret")).code, 503);
  });

  it("3: anonymous is just a user the hook accepts, with any password", async () => {
    const c = await t.connect();
    assert.equal((await c.cmd("USER anonymous")).code, 331);
    assert.equal((await c.cmd("PASS guest@example.com")).code, 230);
    const d = await t.connect();
    await d.cmd("USER anonymous");
    assert.equal((await d.cmd("PASS")).code, 230);
  });

  it("5: USER or REIN while logged in clears the login", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("PWD")).code, 257);
    assert.equal((await c.cmd("USER bob")).code, 331);
    assert.equal((await c.cmd("PWD")).code, 530);
    await c.login();
    assert.equal((await c.cmd("REIN")).code, 220);
    assert.equal((await c.cmd("PWD")).code, 530);
    assert.equal((await c.cmd("SIZE /a.txt")).code, 530);
  });

  it("7: before login only the allowed commands work", async () => {
    const c = await t.connect();
    assert.equal((await c.cmd("FEAT")).code, 211);
    assert.equal((await c.cmd("HELP")).code, 214);
    assert.equal((await c.cmd("NOOP")).code, 200);
    assert.equal((await c.cmd("SYST")).code, 215);
    assert.equal((await c.cmd("STAT")).code, 211);
    assert.equal((await c.cmd("HOST ftp.example.com")).code, 220);
    assert.equal((await c.cmd("AUTH TLS")).code, 502);
    for (const line of ["PWD", "CWD /", "LIST", "RETR a.txt", "PASV", "EPSV", "MKD x", "SIZE a.txt", "TYPE I", "STAT /", "SITE HELP", "MLST"]) {
      assert.equal((await c.cmd(line)).code, 530, line);
    }
    assert.equal((await c.cmd("QUIT")).code, 221);
    await c.closed;
  });

  it("7: HOST after login → 503", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("HOST example.com")).code, 503);
  });

  it("8: missing or surplus argument → 501; unknown verb → 500; ACCT 202; SMNT 502", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("CWD")).code, 501);
    assert.equal((await c.cmd("PWD extra")).code, 501);
    assert.equal((await c.cmd("CDUP x")).code, 501);
    assert.equal((await c.cmd("USER")).code, 501);
    assert.equal((await c.cmd("FROB x")).code, 500);
    assert.equal((await c.cmd("ACCT x")).code, 202);
    assert.equal((await c.cmd("SMNT /x")).code, 502);
    assert.equal((await c.cmd("NOOP")).code, 200);
  });
});

describe("failed logins", () => {
  it("4: each failure is delayed; after the attempt limit 421 and close", async () => {
    const t = await startServer({ limits: { failedLoginDelayMs: 150, maxLoginAttempts: 2 } });
    try {
      const c = await t.connect();
      await c.cmd("USER alice");
      const started = Date.now();
      assert.equal((await c.cmd("PASS bad")).code, 530);
      assert.ok(Date.now() - started >= 140, "first failure delayed");
      await c.cmd("USER alice");
      assert.equal((await c.cmd("PASS bad")).code, 530);
      assert.equal((await c.reply()).code, 421);
      await c.closed;
    } finally {
      await t.close();
    }
  });

  it("after the attempt limit's 421 nothing more is read or run on that connection (issue 11 defect 3)", async () => {
    const fs = new MemoryFileSystem();
    let calls = 0;
    const t = await startServer(
      {
        limits: { maxLoginAttempts: 3 },
        authenticate: ({ password }) => {
          calls += 1;
          return password === "secret" ? { fileSystem: fs } : null;
        },
      },
      fs,
    );
    try {
      const c = await t.connect();
      // One write: the tail is queued behind the slow failures.
      c.send("USER alice\r\nPASS bad1\r\nUSER alice\r\nPASS bad2\r\nUSER alice\r\nPASS bad3\r\nUSER alice\r\nPASS secret\r\nMKD /blind");
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await c.reply().catch(() => undefined);
        if (!r) break;
        codes.push(r.code);
      }
      await c.closed;
      assert.deepEqual(codes, [331, 530, 331, 530, 331, 530, 421]);
      assert.equal(calls, 3);
      await assert.rejects(fs.stat("/blind"), { code: "ENOENT" });
    } finally {
      await t.close();
    }
  });
});

describe("events", () => {
  it("45: connection, login/loginFailed, upload/download with bytes and aborted, disconnect — in order", async () => {
    const t = await startServer();
    const seen: string[] = [];
    t.server.on("connection", () => seen.push("connection"));
    t.server.on("login", (e) => seen.push(`login:${e.username}`));
    t.server.on("loginFailed", (e) => seen.push(`loginFailed:${e.username}`));
    t.server.on("upload", (e) => seen.push(`upload:${e.path}:${e.bytes}:${e.aborted}`));
    t.server.on("download", (e) => seen.push(`download:${e.path}:${e.bytes}:${e.aborted}`));
    t.server.on("disconnect", () => seen.push("disconnect"));
    const commands: string[] = [];
    t.server.on("command", (e) => commands.push(`${e.verb} ${e.arg}`.trim()));
    try {
      const c = await t.connect();
      await c.cmd("USER alice");
      await c.cmd("PASS wrong");
      await c.login();
      await c.cmd("TYPE I");
      const up = await c.pasv();
      assert.equal((await c.cmd("STOR /e.bin")).code, 150);
      up.end(Buffer.from("12345"));
      assert.equal((await c.reply()).code, 226);
      const down = await c.pasv();
      assert.equal((await c.cmd("RETR /e.bin")).code, 150);
      assert.equal((await readAll(down)).toString(), "12345");
      assert.equal((await c.reply()).code, 226);
      await c.cmd("QUIT");
      await c.closed;
      for (let i = 0; i < 50 && !seen.includes("disconnect"); i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(seen, [
        "connection",
        "loginFailed:alice",
        "login:alice",
        "upload:/e.bin:5:false",
        "download:/e.bin:5:false",
        "disconnect",
      ]);
      assert.ok(commands.includes("PASS ***"));
      assert.ok(!commands.some((x) => x.includes("secret") || x.includes("wrong")));
    } finally {
      await t.close();
    }
  });
});
