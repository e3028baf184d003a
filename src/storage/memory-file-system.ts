/**
 * A FileSystem kept in memory: for tests, demos and ephemeral drop boxes.
 * Uploads are applied when the upload completes, so a failed or aborted
 * upload never changes the stored file.
 */
import { Readable, Writable } from "node:stream";
import type { FileInfo } from "../protocol/types.js";
import { FileSystemError, type FileSystem, type FileSystemReadOptions, type FileSystemWriteOptions } from "./file-system.js";

type FileNode = { type: "file"; data: Buffer; modifiedAt: Date; mode: number };
type DirectoryNode = { type: "directory"; children: Map<string, Node>; modifiedAt: Date; mode: number };
type Node = FileNode | DirectoryNode;

const READ_CHUNK = 1 << 20;

export class MemoryFileSystem implements FileSystem {
  private readonly rootNode: DirectoryNode = newDirectory();

  /**
   * @param files initial content: `{ "/a/b.txt": "text", "/empty/": "" }`;
   *   a key ending in "/" makes a directory; parent folders are created.
   */
  constructor(files: Readonly<Record<string, string | Uint8Array>> = {}) {
    for (const [path, content] of Object.entries(files)) {
      const parts = split(path);
      if (path.endsWith("/")) {
        this.ensureDirectory(parts);
        continue;
      }
      const name = parts.pop();
      if (name === undefined) continue;
      this.ensureDirectory(parts).children.set(name, {
        type: "file",
        data: typeof content === "string" ? Buffer.from(content) : Buffer.from(content),
        modifiedAt: new Date(),
        mode: 0o644,
      });
    }
  }

  /** Synchronous read of a whole file, for tests. */
  readFileSync(path: string): Buffer {
    const node = this.lookup(path);
    if (node.type !== "file") throw new FileSystemError("EISDIR");
    return node.data;
  }

  async stat(path: string): Promise<FileInfo> {
    const parts = split(path);
    return info(parts[parts.length - 1] ?? "/", this.lookup(path));
  }

  async list(path: string): Promise<FileInfo[]> {
    const node = this.lookup(path);
    if (node.type !== "directory") throw new FileSystemError("ENOTDIR");
    return [...node.children].map(([name, child]) => info(name, child));
  }

  async read(path: string, options: FileSystemReadOptions = {}): Promise<Readable> {
    const node = this.lookup(path);
    if (node.type !== "file") throw new FileSystemError("EISDIR");
    const data = node.data; // a snapshot: writes replace the buffer, never mutate it
    const start = Math.min(options.start ?? 0, data.length);
    function* chunks(): Generator<Buffer> {
      for (let offset = start; offset < data.length; offset += READ_CHUNK) {
        yield data.subarray(offset, Math.min(offset + READ_CHUNK, data.length));
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async write(path: string, options: FileSystemWriteOptions = {}): Promise<Writable> {
    const { parent, name } = this.parentOf(path);
    const existing = parent.children.get(name);
    if (existing?.type === "directory") throw new FileSystemError("EISDIR");
    const chunks: Buffer[] = [];
    return new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
      final: (callback) => {
        const current = parent.children.get(name);
        if (current?.type === "directory") return callback(new FileSystemError("EISDIR"));
        const previous = current?.type === "file" ? current.data : Buffer.alloc(0);
        const body = Buffer.concat(chunks);
        const start = options.append ? previous.length : (options.start ?? 0);
        const keep = options.append || start > 0 ? previous : Buffer.alloc(0);
        const data = Buffer.alloc(Math.max(keep.length, start + body.length));
        keep.copy(data, 0);
        body.copy(data, start);
        parent.children.set(name, { type: "file", data, modifiedAt: new Date(), mode: current?.mode ?? 0o644 });
        parent.modifiedAt = new Date();
        callback();
      },
    });
  }

  async mkdir(path: string): Promise<void> {
    const { parent, name } = this.parentOf(path);
    if (parent.children.has(name)) throw new FileSystemError("EEXIST");
    parent.children.set(name, newDirectory());
    parent.modifiedAt = new Date();
  }

  async rmdir(path: string): Promise<void> {
    const { parent, name } = this.parentOf(path);
    const node = parent.children.get(name);
    if (!node) throw new FileSystemError("ENOENT");
    if (node.type !== "directory") throw new FileSystemError("ENOTDIR");
    if (node.children.size > 0) throw new FileSystemError("ENOTEMPTY");
    parent.children.delete(name);
  }

  async unlink(path: string): Promise<void> {
    const { parent, name } = this.parentOf(path);
    const node = parent.children.get(name);
    if (!node) throw new FileSystemError("ENOENT");
    if (node.type === "directory") throw new FileSystemError("EISDIR");
    parent.children.delete(name);
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.parentOf(from);
    const node = source.parent.children.get(source.name);
    if (!node) throw new FileSystemError("ENOENT");
    const fromParts = split(from);
    const toParts = split(to);
    if (toParts.length > fromParts.length && fromParts.every((p, i) => toParts[i] === p)) {
      throw new FileSystemError("EINVAL", "cannot move a directory into itself");
    }
    const target = this.parentOf(to);
    const existing = target.parent.children.get(target.name);
    if (existing?.type === "directory" && node.type !== "directory") throw new FileSystemError("EISDIR");
    if (existing?.type === "directory" && existing.children.size > 0) throw new FileSystemError("ENOTEMPTY");
    source.parent.children.delete(source.name);
    target.parent.children.set(target.name, node);
  }

  async setModifiedTime(path: string, date: Date): Promise<void> {
    this.lookup(path).modifiedAt = date;
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.lookup(path).mode = mode & 0o7777;
  }

  private lookup(path: string): Node {
    let node: Node = this.rootNode;
    for (const part of split(path)) {
      if (node.type !== "directory") throw new FileSystemError("ENOTDIR");
      const child: Node | undefined = node.children.get(part);
      if (!child) throw new FileSystemError("ENOENT");
      node = child;
    }
    return node;
  }

  private parentOf(path: string): { parent: DirectoryNode; name: string } {
    const parts = split(path);
    const name = parts.pop();
    if (name === undefined) throw new FileSystemError("EACCES", "the root cannot be changed");
    const parent = this.lookup(`/${parts.join("/")}`);
    if (parent.type !== "directory") throw new FileSystemError("ENOTDIR");
    return { parent, name };
  }

  private ensureDirectory(parts: readonly string[]): DirectoryNode {
    let node = this.rootNode;
    for (const part of parts) {
      let child = node.children.get(part);
      if (!child) {
        child = newDirectory();
        node.children.set(part, child);
      }
      if (child.type !== "directory") throw new FileSystemError("ENOTDIR");
      node = child;
    }
    return node;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((p) => p !== "" && p !== ".");
}

function newDirectory(): DirectoryNode {
  return { type: "directory", children: new Map(), modifiedAt: new Date(), mode: 0o755 };
}

function info(name: string, node: Node): FileInfo {
  return {
    name,
    type: node.type,
    size: node.type === "file" ? node.data.length : 0,
    modifiedAt: node.modifiedAt,
    mode: node.mode,
  };
}
