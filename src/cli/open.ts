/**
 * `ftpwire open [url|host [port]]` (also plain `ftpwire host`): the ftp(1)
 * session, interactive on a terminal, scriptable with commands on stdin.
 */
import { flag, helpText, parseCommand, stringOption, type CommandSpec } from "./args.js";
import { EXIT, UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { makeCompleter } from "./shell/completion.js";
import { LineInput } from "./shell/line-input.js";
import { runLine, runShell } from "./shell/shell.js";
import { ShellState } from "./shell/state.js";

export const OPEN_SPEC: CommandSpec = {
  name: "open",
  summary: "an ftp(1) session: interactive on a terminal, or commands read from stdin",
  usage: ["open [options] [ftp://|ftps://|ftpes://][user[:password]@]host[:port][/path]", "open [options] host [port]", "[options] host   (same as open)"],
  options: {
    "exit-on-error": { type: "boolean", short: "e", description: "stop at the first failed command, with its exit code" },
    "no-login": { type: "boolean", short: "n", description: "do not log in on open (use the user command)" },
    verbose: { type: "boolean", short: "v", description: "print every server reply (default on a terminal)" },
    quiet: { type: "boolean", short: "q", description: "print only results and errors (default for scripts)" },
    debug: { type: "boolean", short: "d", description: "show the commands sent (PASS hidden)" },
    "no-prompt": { type: "boolean", short: "i", description: "do not ask before each file of mget/mput/mdelete" },
    active: { type: "boolean", short: "A", description: "active mode (the server connects back) instead of passive" },
    ca: { type: "string", value: "FILE", description: "trust this PEM CA or self-signed certificate (ftps/ftpes)" },
    insecure: { type: "boolean", short: "k", description: "do not verify the server's TLS certificate" },
  },
  details: [
    "The password comes from the URL, $FTPWIRE_PASSWORD, ~/.netrc ($NETRC), or a prompt without echo on a terminal.",
    'Without a terminal and without a login, the session is anonymous. Type "help" in the session for its commands.',
    "Exit status: 0, or with -e the code of the first failure: 1 usage, 2 connection/TLS, 3 login refused,",
    "4 remote file error, 5 local file error, 130 interrupted.",
  ],
};

export async function runOpen(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(OPEN_SPEC, argv);
  if (flag(values, "help")) {
    io.stdout.write(helpText(OPEN_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 2) throw new UsageError("ftpwire open: expected a host and at most a port");
  const interactive = io.stdin.isTTY === true;
  let state: ShellState | undefined;
  const input = new LineInput(io, interactive, interactive ? makeCompleter(() => state) : undefined);
  const ca = stringOption(values, "ca");
  state = new ShellState(io, input, { ...(ca !== undefined ? { ca } : {}), insecure: flag(values, "insecure") }, {
    ...(flag(values, "verbose") ? { verbose: true } : flag(values, "quiet") ? { verbose: false } : {}),
    debug: flag(values, "debug"),
    ...(flag(values, "no-prompt") ? { prompt: false } : {}),
    mode: flag(values, "active") ? "active" : "passive",
  });
  const exitOnError = flag(values, "exit-on-error");
  if (positionals.length > 0) {
    const [host, port] = positionals;
    if (flag(values, "no-login")) {
      const { parseTarget, withCredentials } = await import("./target.js");
      state.target = await withCredentials(parseTarget(host!, port === undefined ? undefined : Number(port)), io.env);
    } else {
      const code = await runLine(state, `open ${JSON.stringify(host)}${port !== undefined ? ` ${port}` : ""}`);
      if (code !== EXIT.ok && exitOnError) {
        input.close();
        return code as number;
      }
    }
  }
  return runShell(state, { exitOnError });
}
