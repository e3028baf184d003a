/**
 * The connection of a one-shot command (`ftpwire get ftp://…`): the URL's
 * host and login (password from the URL, $FTPWIRE_PASSWORD or ~/.netrc),
 * the shared TLS and mode flags, and clear one-line failures: a refused
 * login, a refused connection, a certificate the system does not trust.
 */
import { Client, FtpError, FtpReplyError } from "../index.js";
import type { OptionSpec, ParsedValues } from "./args.js";
import { flag, stringOption } from "./args.js";
import { CliError, EXIT, describeError } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { parseTarget, tlsOptions, withCredentials, type Target } from "./target.js";

/** Options every one-shot command takes. */
export const CONNECTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ca: { type: "string", value: "FILE", description: "trust this PEM CA or self-signed certificate (ftps/ftpes)" },
  insecure: { type: "boolean", short: "k", description: "do not verify the server's TLS certificate" },
  active: { type: "boolean", description: "active mode (the server connects back) instead of passive" },
  verbose: { type: "boolean", short: "v", description: "print the commands and replies on stderr (PASS hidden)" },
};

export const URL_DETAILS: readonly string[] = [
  "URLs: ftp://[user[:password]@]host[:port]/path, ftps:// (implicit TLS, port 990), ftpes:// (explicit TLS).",
  "The password may instead come from $FTPWIRE_PASSWORD or ~/.netrc, so it need not sit in shell history.",
  "Exit status: 0 ok, 1 usage, 2 connection/TLS, 3 login refused, 4 remote file error, 5 local file error, 130 interrupted.",
];

export interface RemoteRef {
  readonly target: Target;
  /** The URL's path ("/" when none). */
  readonly path: string;
}

export async function parseRemote(url: string, io: CliIo): Promise<RemoteRef> {
  const target = await withCredentials(parseTarget(url), io.env);
  return { target, path: target.path || "/" };
}

/** True when the text is an FTP URL (mirror: which side is remote). */
export function isFtpUrl(text: string): boolean {
  return /^(ftp|ftps|ftpes):\/\//i.test(text);
}

/** Connects and logs in, or throws a CliError worded for a person. */
export async function connectRemote(ref: RemoteRef, values: ParsedValues, io: CliIo, signal?: AbortSignal): Promise<Client> {
  const t = ref.target;
  const ca = stringOption(values, "ca");
  const client = new Client({
    ...t.options,
    ...tlsOptions(t, { ...(ca !== undefined ? { ca } : {}), insecure: flag(values, "insecure") }),
    ...(t.user !== undefined ? { user: t.user } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.account !== undefined ? { account: t.account } : {}),
    mode: flag(values, "active") ? "active" : "passive",
  });
  if (flag(values, "verbose")) {
    client.on("command", (line) => io.stderr.write(`---> ${line}\n`));
    client.on("reply", (r) => io.stderr.write(`${r.code} ${r.lines.join("\n")}\n`));
  }
  const where = `${t.options.host}${t.options.port ? `:${t.options.port}` : ""}`;
  try {
    await client.connect({ ...(signal ? { signal } : {}) });
  } catch (error) {
    if (error instanceof FtpReplyError && (error.replyCode === 530 || error.replyCode === 332)) {
      throw new CliError(`login refused for ${client.options.user} at ${where}: ${error.replyCode} ${error.reply.message}`, EXIT.login, { cause: error });
    }
    if (error instanceof FtpError && error.code === "ERR_FTP_ABORTED") throw error;
    throw new CliError(`cannot connect to ${where}: ${describeError(error)}`, error instanceof FtpError && error.code === "ERR_FTP_INVALID_OPTION" ? EXIT.usage : EXIT.connection, { cause: error });
  }
  return client;
}

/** An AbortSignal that fires on SIGINT, for the length of `work`. */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
  }
}
