/**
 * Command-line parsing for every `ftpwire` subcommand: node's
 * `util.parseArgs` (no dependency) plus one description per option, so that
 * the parser and the `--help` text come from the same table and cannot drift.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./exit-codes.js";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in --help, e.g. "PORT". */
  readonly value?: string;
  readonly description: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Usage lines without the leading "ftpwire ". */
  readonly usage: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraph lines printed after the options. */
  readonly details?: readonly string[];
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface ParsedCommand {
  readonly values: ParsedValues;
  readonly positionals: string[];
}

const HELP: OptionSpec = { type: "boolean", short: "h", description: "show this help" };

/** Parses `argv` by `spec`; unknown options and missing values become a UsageError (exit 1). */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries({ ...spec.options, help: HELP })) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as ParsedValues, positionals };
  } catch (error) {
    // parseArgs's messages name the option ("Unknown option '--x'"); keep them, drop its hint about "--".
    const message = (error as Error).message.split(". To specify a positional")[0];
    throw new UsageError(`ftpwire ${spec.name}: ${message}`);
  }
}

export function helpText(spec: CommandSpec): string {
  const lines = [`ftpwire ${spec.name} — ${spec.summary}`, "", "Usage:"];
  for (const u of spec.usage) lines.push(`  ftpwire ${u}`);
  const entries = Object.entries({ ...spec.options, help: HELP });
  const labels = entries.map(([name, o]) => `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`);
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  lines.push("", "Options:");
  entries.forEach(([, o], i) => lines.push(`  ${labels[i]!.padEnd(width)}${o.description}${o.multiple ? " (repeatable)" : ""}`));
  if (spec.details?.length) lines.push("", ...spec.details);
  return lines.join("\n") + "\n";
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function stringList(values: ParsedValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : [];
}

export function flag(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}

/** An integer option within [min, max]; `what` names it in the error. */
export function integerOption(values: ParsedValues, name: string, min: number, max: number, command: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`ftpwire ${command}: --${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}
