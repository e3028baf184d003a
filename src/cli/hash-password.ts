/**
 * `ftpwire hash-password`: reads a password on stdin and prints the scrypt
 * line that `serve --users file.json` expects, so that no plain password
 * needs to sit in a file or in shell history.
 */
import { flag, helpText, parseCommand, type CommandSpec } from "./args.js";
import { EXIT, UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { hashPassword } from "./serve-users.js";

export const HASH_PASSWORD_SPEC: CommandSpec = {
  name: "hash-password",
  summary: "print an scrypt hash of the password read on stdin, for serve --users",
  usage: ["hash-password < password.txt", "hash-password   (type the password, then Ctrl-D)"],
  options: {},
  details: ['Example users file: {"alice": {"password": "<the printed line>", "write": true}}'],
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export async function runHashPassword(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(HASH_PASSWORD_SPEC, argv);
  if (flag(values, "help")) {
    io.stdout.write(helpText(HASH_PASSWORD_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError("ftpwire hash-password: the password is read from stdin, not from the command line");
  const password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  if (password === "") throw new UsageError("ftpwire hash-password: empty password on stdin");
  io.stdout.write(`${await hashPassword(password)}\n`);
  return EXIT.ok;
}
