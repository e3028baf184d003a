// A tiny key-value store over FTP: a storage adapter built on the client's
// stream API (createReadStream / createWriteStream), the shape other
// libraries use to put FTP behind their own storage interface.
//
//   npx tsx examples/kv-store.ts ftp://user:pass@host:21/kv
//
// Keys map to files in one remote directory; values are Buffers. Writes go
// to a temporary name and are renamed into place, so a reader never sees a
// half-written value.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Client, FtpError } from "ftpwire";

export class FtpKeyValueStore {
  constructor(
    private readonly client: Client,
    private readonly dir: string,
  ) {}

  static async open(client: Client, dir: string): Promise<FtpKeyValueStore> {
    await client.mkdir(dir, { recursive: true });
    return new FtpKeyValueStore(client, dir);
  }

  private path(key: string): string {
    // Keys are encoded so that any string is a safe single file name.
    return `${this.dir}/${encodeURIComponent(key)}`;
  }

  async get(key: string): Promise<Buffer | undefined> {
    let stream: Readable;
    try {
      stream = await this.client.createReadStream(this.path(key));
    } catch (error) {
      if (error instanceof FtpError && error.replyCode === 550) return undefined;
      throw error;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async set(key: string, value: Buffer | string): Promise<void> {
    const temporary = `${this.path(key)}.tmp-${process.pid}`;
    const stream = await this.client.createWriteStream(temporary);
    // "finish" comes only after the server confirmed the upload (226).
    await pipeline(Readable.from([Buffer.from(value)]), stream);
    await this.client.rename(temporary, this.path(key));
  }

  async delete(key: string): Promise<boolean> {
    try {
      await this.client.remove(this.path(key));
      return true;
    } catch (error) {
      if (error instanceof FtpError && error.replyCode === 550) return false;
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    return this.client.exists(this.path(key));
  }

  /** Keys as the listing streams in (no full listing in memory). */
  async *keys(): AsyncGenerator<string> {
    for await (const entry of this.client.listIter(this.dir)) {
      if (entry.type === "file" && !entry.name.includes(".tmp-")) yield decodeURIComponent(entry.name);
    }
  }
}

// Demo when run directly.
if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] ?? process.env.FTP_URL;
  if (!url) {
    console.error("usage: kv-store <ftp-url>  (the URL path is the store's directory, default /kv)");
    process.exit(2);
  }
  const dir = new URL(url).pathname.replace(/\/+$/, "") || "/kv";
  await using client = await Client.connect(url.replace(/(ftp:\/\/[^/]+).*$/, "$1/"));
  const store = await FtpKeyValueStore.open(client, dir);
  await store.set("greeting", "hello over FTP");
  await store.set("user/42", JSON.stringify({ name: "Ada" }));
  console.log("greeting =", (await store.get("greeting"))?.toString());
  console.log("user/42  =", (await store.get("user/42"))?.toString());
  console.log("missing  =", await store.get("missing"));
  const keys: string[] = [];
  for await (const key of store.keys()) keys.push(key);
  console.log("keys     =", keys.sort());
  await store.delete("greeting");
  console.log("has greeting after delete:", await store.has("greeting"));
}
