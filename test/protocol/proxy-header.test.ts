import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseProxyHeader, ProxyHeaderError, PROXY_V2_SIGNATURE, startsLikeProxyHeader } from "../../src/protocol/proxy-header.js";

/** A v2 header as HAProxy's send-proxy-v2 writes it (PROXY command, STREAM transport). */
function v2(family: 0x11 | 0x21, addresses: Buffer, tlvs = Buffer.alloc(0), command = 0x21): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(addresses.length + tlvs.length);
  return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([command, family]), length, addresses, tlvs]);
}
const ports = (a: number, b: number) => {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(a, 0);
  p.writeUInt16BE(b, 2);
  return p;
};

describe("PROXY protocol v1", () => {
  it("decodes TCP4, TCP6 and UNKNOWN and says how long the line was", () => {
    const line = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 21\r\n";
    const r = parseProxyHeader(Buffer.from(`${line}USER x\r\n`));
    assert.notEqual(r, "incomplete");
    if (r === "incomplete") return;
    assert.equal(r.length, line.length);
    assert.deepEqual(r.header.source, { address: "192.0.2.7", port: 56324, family: 4 });
    assert.deepEqual(r.header.destination, { address: "198.51.100.1", port: 21, family: 4 });
    const six = parseProxyHeader(Buffer.from("PROXY TCP6 2001:db8::1 2001:db8::2 1024 2121\r\n"));
    assert.ok(six !== "incomplete" && six.header.source?.address === "2001:db8::1" && six.header.source.family === 6);
    const unknown = parseProxyHeader(Buffer.from("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"));
    assert.ok(unknown !== "incomplete" && unknown.header.source === undefined);
  });
  it("asks for more until the CRLF, and refuses a line over 107 octets", () => {
    const line = Buffer.from("PROXY TCP4 192.0.2.7 198.51.100.1 56324 21\r\n");
    for (let cut = 1; cut < line.length; cut++) assert.equal(parseProxyHeader(line.subarray(0, cut)), "incomplete", `cut at ${cut}`);
    assert.throws(() => parseProxyHeader(Buffer.from(`PROXY TCP4 ${"1".repeat(120)}`)), ProxyHeaderError);
  });
  it("refuses bad families, addresses and ports", () => {
    for (const bad of [
      "PROXY TCP5 1.2.3.4 1.2.3.5 1 2\r\n",
      "PROXY TCP4 1.2.3 1.2.3.5 1 2\r\n",
      "PROXY TCP4 ::1 1.2.3.5 1 2\r\n",
      "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
      "PROXY TCP4 1.2.3.4 1.2.3.5 65536 2\r\n",
      "PROXY TCP4 1.2.3.4 1.2.3.5 01 2\r\n",
      "PROXY TCP4 1.2.3.4 1.2.3.5 1\r\n",
      "USER anonymous\r\n",
    ]) {
      assert.throws(() => parseProxyHeader(Buffer.from(bad)), ProxyHeaderError, bad);
    }
  });
});

describe("PROXY protocol v2", () => {
  it("decodes IPv4 and IPv6 (mapped ones in Node's form), skipping TLVs", () => {
    const four = v2(0x11, Buffer.concat([Buffer.from([192, 0, 2, 7, 10, 0, 0, 1]), ports(40000, 21)]), Buffer.from([0x04, 0x00, 0x01, 0x00]));
    const r = parseProxyHeader(Buffer.concat([four, Buffer.from("rest")]));
    assert.ok(r !== "incomplete");
    assert.equal(r.length, four.length);
    assert.deepEqual(r.header, {
      version: 2,
      command: "proxy",
      source: { address: "192.0.2.7", port: 40000, family: 4 },
      destination: { address: "10.0.0.1", port: 21, family: 4 },
    });
    const src = Buffer.from("20010db8000000000000000000000001", "hex");
    const mapped = Buffer.from("00000000000000000000ffffc0000207", "hex");
    const six = parseProxyHeader(v2(0x21, Buffer.concat([src, mapped, ports(1, 2)])));
    assert.ok(six !== "incomplete");
    assert.equal(six.header.source?.address, "2001:db8::1");
    assert.equal(six.header.destination?.address, "::ffff:192.0.2.7");
  });
  it("LOCAL carries no client; AF_UNSPEC neither", () => {
    const local = parseProxyHeader(v2(0x11, Buffer.alloc(12), Buffer.alloc(0), 0x20));
    assert.ok(local !== "incomplete" && local.header.command === "local" && local.header.source === undefined);
    const unspec = parseProxyHeader(Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x00, 0, 0])]));
    assert.ok(unspec !== "incomplete" && unspec.header.source === undefined);
  });
  it("is incomplete on every prefix, and refuses bad versions, commands, lengths", () => {
    const whole = v2(0x11, Buffer.concat([Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), ports(1, 2)]));
    for (let cut = 1; cut < whole.length; cut++) assert.equal(parseProxyHeader(whole.subarray(0, cut)), "incomplete", `cut at ${cut}`);
    const withByte = (at: number, value: number) => Buffer.from(whole).fill(value, at, at + 1);
    assert.throws(() => parseProxyHeader(withByte(12, 0x11)), /version 1/);
    assert.throws(() => parseProxyHeader(withByte(12, 0x22)), /command 2/);
    assert.throws(() => parseProxyHeader(withByte(15, 4)), /truncated/);
    assert.throws(() => parseProxyHeader(withByte(14, 0xff)), /over the limit/);
    assert.throws(() => parseProxyHeader(withByte(3, 0x0b)), ProxyHeaderError);
  });
  it("never throws anything but ProxyHeaderError, and never reads past its length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (tail, asV2) => {
        const bytes = Buffer.concat([asV2 ? PROXY_V2_SIGNATURE : Buffer.from("PROXY "), tail]);
        try {
          const r = parseProxyHeader(bytes);
          if (r !== "incomplete") assert.ok(r.length <= bytes.length);
        } catch (error) {
          assert.ok(error instanceof ProxyHeaderError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("startsLikeProxyHeader", () => {
  it("spots both signatures from their first byte, and not FTP commands", () => {
    assert.ok(startsLikeProxyHeader(Buffer.from("PRO")));
    assert.ok(startsLikeProxyHeader(PROXY_V2_SIGNATURE.subarray(0, 3)));
    assert.ok(!startsLikeProxyHeader(Buffer.from("PROT P\r\n")));
    assert.ok(!startsLikeProxyHeader(Buffer.from("USER x\r\n")));
    assert.ok(!startsLikeProxyHeader(Buffer.alloc(0)));
  });
});
