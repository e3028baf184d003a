// Client behaviour in situations real servers won't produce on demand,
// driven by a scripted fake server on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { PassThrough } from "node:stream";
import { Client } from "../../src/client/client.js";
import { FtpError } from "../../src/errors.js";
import { pasvReply, startFakeServer, type FakeConnection } from "./fake-server.js";

const opts = (port: number) => ({ host: "127.0.0.1", port, user: "u", password: "p", timeouts: { connect: 2000, control: 2000, data: 2000 } });

function isCode(code: string, replyCode?: number) {
  return (e: unknown) => e instanceof FtpError && e.code === code && (replyCode === undefined || e.replyCode === replyCode);
}

test("120 before 220: the client waits for 220 and logs in (USER, PASS, FEAT, OPTS UTF8, TYPE I)", async () => {
  let saw120!: () => void;
  const got120 = new Promise<void>((resolve) => (saw120 = resolve));
  const server = await startFakeServer(async (conn) => {
    conn.reply("120 ready in 1 minute");
    // The 220 follows only once the client has read the 120 on its own.
    await got120;
    conn.reply("220 now ready");
    assert.equal(await conn.expect("USER"), "USER u");
    conn.reply("331 pass");
    assert.equal(await conn.expect("PASS"), "PASS p");
    conn.reply("230 ok");
    await conn.expect("FEAT");
    conn.reply("211-Features:", " MLST type*;size*;", " UTF8", " EPSV", " REST STREAM", "211 End");
    await conn.expect("OPTS UTF8 ON");
    conn.reply("200 ok");
    await conn.expect("TYPE I");
    conn.reply("200 binary");
    await conn.expect("QUIT");
    conn.reply("221 bye");
  });
  try {
    const client = new Client(opts(server.port));
    client.on("reply", (reply) => {
      if (reply.code === 120) saw120();
    });
    await client.connect();
    assert.deepEqual([...client.features().keys()].sort(), ["EPSV", "MLST", "REST", "UTF8"]);
    assert.equal(client.features().get("MLST"), "type*;size*;");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a 421 greeting rejects with a typed reply error", async () => {
  const server = await startFakeServer((conn) => {
    conn.reply("421 too many users");
    conn.socket.end();
  });
  try {
    await assert.rejects(Client.connect(opts(server.port)), isCode("ERR_FTP_REPLY", 421));
  } finally {
    await server.close();
  }
});

test("ACCT is sent when PASS answers 332", async () => {
  const server = await startFakeServer(async (conn) => {
    conn.reply("220 hi");
    await conn.expect("USER");
    conn.reply("331 pass");
    await conn.expect("PASS");
    conn.reply("332 account?");
    assert.equal(await conn.expect("ACCT"), "ACCT acme");
    conn.reply("230 ok");
    await conn.expect("FEAT");
    conn.reply("502 no");
    await conn.expect("TYPE");
    conn.reply("200 ok");
  });
  try {
    const client = await Client.connect({ ...opts(server.port), account: "acme" });
    assert.equal(client.features().size, 0);
    await client.close();
  } finally {
    await server.close();
  }
});

test("HOST is sent before USER when virtualHost is set", async () => {
  const server = await startFakeServer(async (conn) => {
    conn.reply("220 hi");
    assert.equal(await conn.expect("HOST"), "HOST ftp.example.com");
    conn.reply("220 host ok");
    await conn.expect("USER");
    conn.reply("230 ok");
    await conn.expect("FEAT");
    conn.reply("211 none");
    await conn.expect("TYPE");
    conn.reply("200 ok");
  });
  try {
    const client = await Client.connect({ ...opts(server.port), virtualHost: "ftp.example.com" });
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("a server that never greets times out with ERR_FTP_TIMEOUT", async () => {
  const server = await startFakeServer(() => {});
  try {
    await assert.rejects(Client.connect({ ...opts(server.port), timeouts: { connect: 150 } }), isCode("ERR_FTP_TIMEOUT"));
  } finally {
    await server.close();
  }
});

test("PASV naming another host is replaced by the control peer; malformed PASV is ERR_FTP_PROTOCOL and not fatal", async () => {
  let step = 0;
  const server = await startFakeServer(async (conn: FakeConnection) => {
    await conn.login();
    // First listing: EPSV refused, PASV names 10.1.2.3 — the client must still connect to 127.0.0.1.
    await conn.expect("EPSV");
    conn.reply("502 no EPSV");
    await conn.expect("PASV");
    const data = await conn.passive();
    conn.reply(pasvReply(data.port, "10,1,2,3"));
    await conn.expect("LIST");
    const socket = await data.socket;
    conn.reply("150 here it comes");
    socket.end("-rw-r--r-- 1 u g 5 Jan 01 2024 a.txt\r\n");
    await new Promise((r) => socket.once("close", r));
    conn.reply("226 done");
    step = 1;
    // Second listing: PASV remembered (no EPSV) and sent together with LIST; garbage reply,
    // then the LIST is refused for want of a data connection.
    await conn.expect("PASV");
    conn.reply("227 nonsense");
    await conn.expect("LIST");
    conn.reply("425 no data connection");
    // Still usable afterwards.
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    const entries = await client.list();
    assert.deepEqual(entries.map((e) => [e.name, e.type, e.size]), [["a.txt", "file", 5]]);
    assert.equal(step, 1);
    await assert.rejects(client.list(), isCode("ERR_FTP_PROTOCOL"));
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("the server dropping mid-download rejects with ERR_FTP_CLOSED (no hang); later calls reject with it as cause", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150 sending");
    socket.write(Buffer.alloc(1000, 1));
    // Drop both connections once the client holds the first bytes: mid-download.
    await firstBytes;
    conn.socket.destroy();
    socket.destroy();
  });
  const sink = new PassThrough();
  const firstBytes = once(sink, "data");
  try {
    const client = await Client.connect(opts(server.port));
    const events: string[] = [];
    client.on("close", (e) => events.push(`close ${e?.code}`));
    client.on("error", (e) => events.push(`error ${e.code}`));
    sink.resume();
    // No hang: the rejection comes from the drop, not from a timeout.
    await assert.rejects(client.download("/f.bin", sink), (e: unknown) => isCode("ERR_FTP_CLOSED")(e) && !/within|timed out/.test((e as Error).message));
    const later = await client.pwd().then(() => undefined, (e: unknown) => e);
    assert.ok(later instanceof FtpError && later.code === "ERR_FTP_CLOSED");
    assert.ok(later.cause instanceof FtpError && later.cause.code === "ERR_FTP_CLOSED");
    // The error reached the caller, so no "error" event.
    assert.deepEqual(events, ["close ERR_FTP_CLOSED"]);
  } finally {
    await server.close();
  }
});

test("an idle drop emits close and error once (when an error listener exists)", async () => {
  let idle!: () => void;
  const clientIdle = new Promise<void>((resolve) => (idle = resolve));
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    // The drop comes once connect() has resolved and the client sits idle.
    await clientIdle;
    conn.reply("421 idle timeout");
    conn.socket.end();
  });
  try {
    const client = await Client.connect(opts(server.port));
    idle();
    const events: string[] = [];
    const errored = new Promise<void>((resolve) => {
      client.on("error", (e) => {
        events.push(`error ${e.replyCode}`);
        resolve();
      });
    });
    client.on("close", (e) => events.push(`close ${e?.replyCode}`));
    await errored;
    // Nothing more may come, however the socket winds down: wait for it to be fully closed.
    const socket = server.connections[0]!.socket;
    if (!socket.closed) await once(socket, "close");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ["close 421", "error 421"]);
    await assert.rejects(client.pwd(), isCode("ERR_FTP_CLOSED"));
  } finally {
    await server.close();
  }
});

test("queued calls run in order; a failing one does not affect the next; an aborted queued call leaves at once", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    for (let i = 0; i < 4; i++) {
      const line = await conn.nextCommand();
      if (line === "CWD /missing") conn.reply("550 no such dir");
      else if (line === "PWD") conn.reply(`257 "/${i}"`);
      else conn.reply("500 unexpected " + line);
    }
  });
  try {
    const client = await Client.connect(opts(server.port));
    const ac = new AbortController();
    const order: string[] = [];
    const a = client.pwd().then((p) => order.push(`a ${p}`));
    const b = client.cd("/missing").catch((e: FtpError) => order.push(`b ${e.replyCode}`));
    const c = client.pwd({ signal: ac.signal }).catch((e: FtpError) => order.push(`c ${e.code}`));
    const d = client.pwd().then((p) => order.push(`d ${p}`));
    ac.abort();
    await Promise.all([a, b, c, d]);
    assert.deepEqual(order, ["c ERR_FTP_ABORTED", "a /0", "b 550", "d /2"]);
    await client.close();
  } finally {
    await server.close();
  }
});

test("keepAlive sends NOOP while idle, again and again, and nothing else", async () => {
  const seen: string[] = [];
  let twoNoops!: () => void;
  const gotTwo = new Promise<void>((resolve) => (twoNoops = resolve));
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    for (let i = 0; i < 10; i++) {
      const line = await conn.nextCommand(3000);
      if (line === undefined || line === "QUIT") return;
      seen.push(line);
      conn.reply("200 ok");
      if (seen.length === 2) twoNoops();
    }
  });
  try {
    const client = await Client.connect({ ...opts(server.port), keepAlive: 60 });
    // No call is made: whatever arrives is the keepalive's.
    await gotTwo;
    assert.equal(client.connected, true);
    await client.close();
    assert.deepEqual(seen.slice(0, 2), ["NOOP", "NOOP"]);
  } finally {
    await server.close();
  }
});

test("a transfer resolves only after both the data end and the final reply", async () => {
  let sendFinal!: () => void;
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150 sending");
    socket.end("hello");
    await new Promise<void>((r) => (sendFinal = r));
    conn.reply("226 done");
  });
  try {
    const client = await Client.connect(opts(server.port));
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (c: Buffer) => chunks.push(c));
    const dataDone = once(sink, "finish");
    let resolved = false;
    const pending = client.download("/f", sink).then((r) => {
      resolved = true;
      return r;
    });
    // The data side is over (the destination finished); a client that did
    // not wait for the 226 would resolve within this turn of the event loop.
    await dataDone;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(Buffer.concat(chunks).toString(), "hello");
    assert.equal(resolved, false, "not before the 226");
    sendFinal();
    assert.equal((await pending).bytes, 5);
    await client.close();
  } finally {
    await server.close();
  }
});

test("a 451 after the data is a reply error and the session stays usable", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150 sending");
    socket.end("partial");
    conn.reply("451 local error");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    const sink = new PassThrough();
    sink.resume();
    await assert.rejects(client.download("/f", sink), isCode("ERR_FTP_REPLY", 451));
    assert.equal(await client.pwd(), "/");
    await client.close();
  } finally {
    await server.close();
  }
});

test("a transfer refused because it needs protection (521, RFC 4217 §9) is ERR_FTP_TLS with the reply; the session stays usable", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    conn.reply("521 Data connections must be encrypted");
    data.close();
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    const sink = new PassThrough();
    sink.resume();
    await assert.rejects(client.download("/f", sink), isCode("ERR_FTP_TLS", 521));
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("TYPE A upload converts LF to CRLF; the next binary transfer switches back to TYPE I", async () => {
  let received = "";
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("TYPE A");
    conn.reply("200 ascii");
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("STOR");
    const socket = await data.socket;
    conn.reply("150 go");
    socket.setEncoding("latin1");
    for await (const chunk of socket) received += chunk as string;
    conn.reply("226 ok");
    await conn.expect("TYPE I");
    conn.reply("200 binary");
    await conn.expect("SIZE");
    conn.reply("213 6");
  });
  try {
    const client = await Client.connect(opts(server.port));
    await client.upload(Buffer.from("a\nb\r\nc"), "/t.txt", { type: "ascii" });
    assert.equal(received, "a\r\nb\r\nc");
    assert.equal(await client.size("/t.txt"), 6);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("close() during a transfer rejects it with ERR_FTP_CLOSED, no hang", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150 sending");
    socket.write(Buffer.alloc(10, 1)); // then nothing: a stalled transfer
    await conn.nextCommand(3000).catch(() => undefined);
  });
  try {
    const client = await Client.connect(opts(server.port));
    const sink = new PassThrough();
    const flowing = once(sink, "data");
    sink.resume();
    const pending = client.download("/f", sink);
    // The transfer is running once its first bytes are here.
    await flowing;
    const queued = client.pwd();
    await client.close();
    await assert.rejects(pending, isCode("ERR_FTP_CLOSED"));
    await assert.rejects(queued, isCode("ERR_FTP_CLOSED"));
  } finally {
    await server.close();
  }
});

test("a stalled data connection times out with ERR_FTP_TIMEOUT and the session recovers via ABOR", async () => {
  const seen: string[] = [];
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150 sending");
    socket.write("x");
    const abor = await conn.nextCommand(3000);
    seen.push(abor ?? "");
    socket.destroy();
    conn.reply("426 aborted", "226 abort ok");
    seen.push((await conn.nextCommand(3000)) ?? "");
    conn.reply("200 noop");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect({ ...opts(server.port), timeouts: { control: 2000, data: 150 } });
    const sink = new PassThrough();
    sink.resume();
    await assert.rejects(client.download("/f", sink), isCode("ERR_FTP_TIMEOUT"));
    assert.equal(await client.pwd(), "/");
    assert.deepEqual(seen, ["\xff\xf4\xff\xf2ABOR", "NOOP"]);
    await client.close();
  } finally {
    await server.close();
  }
});

test("a keepalive NOOP answered with 421 is reported through the error event (no caller awaits it)", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("NOOP");
    conn.reply("421 shutting down");
    conn.socket.end();
  });
  try {
    const client = await Client.connect({ ...opts(server.port), keepAlive: 40 });
    const error = await new Promise<FtpError>((resolve) => client.once("error", resolve));
    assert.equal(error.replyCode, 421);
    assert.equal(client.connected, false);
  } finally {
    await server.close();
  }
});

test("listIter yields entries while the listing is still streaming", async () => {
  let releaseRest!: () => void;
  const rest = new Promise<void>((r) => (releaseRest = r));
  const server = await startFakeServer(async (conn) => {
    await conn.login(["MLST type*;size*;modify*;"]);
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("MLSD");
    const socket = await data.socket;
    conn.reply("150 listing");
    socket.write("type=file;size=1; first.txt\r\ntype=di");
    await rest;
    socket.end("r; second\r\n");
    await new Promise((r) => socket.once("close", r));
    conn.reply("226 done");
  });
  try {
    const client = await Client.connect(opts(server.port));
    const seen: string[] = [];
    for await (const entry of client.listIter()) {
      seen.push(`${entry.name}:${entry.type}`);
      if (seen.length === 1) releaseRest(); // the rest is sent only after the first entry arrived
    }
    assert.deepEqual(seen, ["first.txt:file", "second:directory"]);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("ABOR racing a finished transfer (226, then ABOR's 226): a NOOP sentinel re-syncs", async () => {
  const seen: string[] = [];
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150 sending");
    socket.write("x"); // the client aborts here; the server had finished anyway
    seen.push((await conn.nextCommand(3000)) ?? "");
    socket.destroy();
    conn.reply("226 transfer complete");
    conn.reply("226 ABOR ok");
    seen.push((await conn.nextCommand(3000)) ?? "");
    conn.reply("200 noop");
    await conn.expect("PWD");
    conn.reply('257 "/here"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    const ac = new AbortController();
    const sink = new PassThrough();
    sink.once("data", () => ac.abort());
    sink.resume();
    await assert.rejects(client.download("/f", sink, { signal: ac.signal }), isCode("ERR_FTP_ABORTED"));
    assert.equal(await client.pwd(), "/here");
    assert.deepEqual(seen, ["\xff\xf4\xff\xf2ABOR", "NOOP"]);
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("pure-ftpd-style abort: a stray 150 instead of a final reply, ABOR unanswered — the NOOP sentinel re-syncs", async () => {
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150-Accepted data connection", "150 49152.0 kbytes to download");
    socket.write("x");
    await new Promise((r) => socket.once("close", r));
    conn.reply("150 0.001 seconds (measured here), 12.40 Mbytes per second");
    await conn.expect("\xff\xf4\xff\xf2ABOR"); // swallowed: no reply
    await conn.expect("NOOP");
    conn.reply("200 Zzz...");
    await conn.expect("PWD");
    conn.reply('257 "/"');
  });
  try {
    const client = await Client.connect(opts(server.port));
    const ac = new AbortController();
    const sink = new PassThrough();
    sink.once("data", () => ac.abort());
    sink.resume();
    await assert.rejects(client.download("/f", sink, { signal: ac.signal }), isCode("ERR_FTP_ABORTED"));
    assert.equal(await client.pwd(), "/");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});

test("TYPE A download converts CRLF to LF, also when CR and LF arrive in different chunks", async () => {
  const sink = new PassThrough();
  const firstLine = once(sink, "data");
  const server = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("TYPE A");
    conn.reply("200 ascii");
    await conn.expect("EPSV");
    const data = await conn.passive();
    conn.reply(`229 ok (|||${data.port}|)`);
    await conn.expect("RETR");
    const socket = await data.socket;
    conn.reply("150 go");
    socket.write("one\r");
    // The LF leaves only after the client has passed on what came before it: CR and LF in different chunks.
    await firstLine;
    socket.end("\ntwo\r\n");
    await new Promise((r) => socket.once("close", r));
    conn.reply("226 ok");
  });
  try {
    const client = await Client.connect(opts(server.port));
    const chunks: Buffer[] = [];
    sink.on("data", (c: Buffer) => chunks.push(c));
    await client.download("/t.txt", sink, { type: "ascii" });
    assert.equal(chunks[0]?.toString("latin1"), "one", "the CR was held back until its LF came");
    assert.equal(Buffer.concat(chunks).toString("latin1"), "one\ntwo\n");
    await client.close();
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.close();
  }
});
