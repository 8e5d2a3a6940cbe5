/**
 * Daemon configuration from a zod object schema, following the daemon contract (CONTRIBUTING.md):
 * every top-level option is a config-file key, an environment variable `QUIPU_<NAME>_<OPTION>`
 * and a flag `--<option>`; precedence defaults < file < environment < flags; every problem is
 * reported at once as `path.to.field: message`. Pure: the caller reads the file and the process.
 */
import { z } from "zod";
import { QuipuError } from "../errors/quipu-error.js";
import { REDACTED } from "../provisioning/scrub-secrets.js";
import { collectSecrets, hideSecretValues, isSecretName, redactUrlCredentials } from "./secret-redaction.js";

/** Any zod object schema; its top-level keys are the daemon's options. */
export type DaemonConfigSchema = z.ZodObject;

/** How a value given as text (environment, flag) is turned into the option's type. */
export type DaemonOptionKind = "string" | "number" | "boolean" | "list" | "json" | "any";

export interface DaemonOption {
  /** The option's key in the schema and in the config file (`dataDir`). */
  readonly key: string;
  /** `--data-dir` */
  readonly flag: string;
  /** `QUIPU_CHACRA_DATA_DIR` */
  readonly env: string;
  readonly kind: DaemonOptionKind;
  /** For lists: how each comma-separated item is converted (`json` items need a JSON array). */
  readonly itemKind?: Exclude<DaemonOptionKind, "list">;
  /** Allowed values of an enum option. */
  readonly choices?: readonly string[];
  /** Named like a secret (`apiKey`): its value never appears in messages or help. */
  readonly secret: boolean;
  /** Neither optional nor defaulted. */
  readonly required: boolean;
  readonly defaultValue: unknown;
  /** Text shown as the default when it is derived from other options (`meta({ defaultHelp })`). */
  readonly defaultHelp?: string;
  readonly description: string;
}

/** The config-file environment variable and flag, which are not schema options. */
const CONFIG_KEY = "config";

/** `dataDir` → `data-dir`; `s3Bucket` → `s3-bucket`; `apiURL` → `api-url`. */
export function kebabCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase();
}

/** The environment variable of option `key` of daemon `name`: `QUIPU_CHACRA_DATA_DIR`. */
export function daemonEnvName(name: string, key: string): string {
  return `QUIPU_${kebabCase(name).replace(/-/g, "_").toUpperCase()}_${kebabCase(key).replace(/-/g, "_").toUpperCase()}`;
}

// --- schema introspection ---------------------------------------------------------------------

interface ZodInternals {
  _zod: { def: Record<string, unknown> & { type: string } };
}

function defOf(schema: unknown): Record<string, unknown> & { type: string } {
  return (schema as ZodInternals)._zod.def;
}

interface Unwrapped {
  base: z.ZodType;
  optional: boolean;
  hasDefault: boolean;
  defaultValue: unknown;
  description?: string;
  defaultHelp?: string;
}

/** Looks through default/optional/nullable/pipe wrappers to the type that decides how text converts. */
function unwrap(schema: z.ZodType): Unwrapped {
  const found: Unwrapped = { base: schema, optional: false, hasDefault: false, defaultValue: undefined };
  let current: z.ZodType = schema;
  for (let depth = 0; depth < 32; depth++) {
    const meta = z.globalRegistry.get(current);
    if (found.description === undefined && typeof meta?.description === "string") found.description = meta.description;
    if (found.defaultHelp === undefined && typeof meta?.["defaultHelp"] === "string") found.defaultHelp = meta["defaultHelp"];
    const def = defOf(current);
    if (def.type === "default" || def.type === "prefault") {
      if (!found.hasDefault) {
        found.hasDefault = true;
        found.defaultValue = def["defaultValue"];
      }
      current = def["innerType"] as z.ZodType;
    } else if (def.type === "optional") {
      found.optional = true;
      current = def["innerType"] as z.ZodType;
    } else if (def.type === "nullable" || def.type === "readonly" || def.type === "catch" || def.type === "nonoptional") {
      current = def["innerType"] as z.ZodType;
    } else if (def.type === "pipe") {
      current = def["in"] as z.ZodType;
    } else if (def.type === "lazy") {
      current = (def["getter"] as () => z.ZodType)();
    } else {
      break;
    }
  }
  found.base = current;
  return found;
}

function kindOf(base: z.ZodType): { kind: DaemonOptionKind; choices?: string[] } {
  const def = defOf(base);
  switch (def.type) {
    case "string":
    case "template_literal":
      return { kind: "string" };
    case "enum": {
      const values = Object.values(def["entries"] as Record<string, unknown>);
      if (values.every((value) => typeof value === "string")) return { kind: "string", choices: values as string[] };
      return { kind: "any" };
    }
    case "literal": {
      const values = def["values"] as unknown[];
      if (values.every((value) => typeof value === "string")) return { kind: "string", choices: values as string[] };
      if (values.every((value) => typeof value === "number")) return { kind: "number" };
      if (values.every((value) => typeof value === "boolean")) return { kind: "boolean" };
      return { kind: "any" };
    }
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "boolean" };
    case "array":
      return { kind: "list" };
    case "object":
    case "record":
    case "map":
    case "tuple":
    case "set":
    case "intersection":
      return { kind: "json" };
    default:
      // unions, unknown, any: JSON when it parses, the raw text otherwise; the schema decides.
      return { kind: "any" };
  }
}

/** Describes every top-level option of `schema` for daemon `name`: env name, flag, kind, default. */
export function describeDaemonOptions(name: string, schema: DaemonConfigSchema): DaemonOption[] {
  return Object.entries(schema.shape).map(([key, field]) => {
    const unwrapped = unwrap(field as z.ZodType);
    const { kind, choices } = kindOf(unwrapped.base);
    let itemKind: DaemonOption["itemKind"];
    if (kind === "list") {
      const item = kindOf(unwrap(defOf(unwrapped.base)["element"] as z.ZodType).base).kind;
      itemKind = item === "list" ? "json" : item;
    }
    return {
      key,
      flag: `--${kebabCase(key)}`,
      env: daemonEnvName(name, key),
      kind,
      ...(itemKind === undefined ? {} : { itemKind }),
      ...(choices === undefined ? {} : { choices }),
      secret: isSecretName(key),
      required: !unwrapped.optional && !unwrapped.hasDefault,
      defaultValue: unwrapped.hasDefault ? unwrapped.defaultValue : undefined,
      ...(unwrapped.defaultHelp === undefined ? {} : { defaultHelp: unwrapped.defaultHelp }),
      description: unwrapped.description ?? "",
    };
  });
}

// --- text → typed values ----------------------------------------------------------------------

type Converted = { ok: true; value: unknown } | { ok: false; message: string };

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

function shown(option: DaemonOption, raw: string): string {
  return option.secret ? REDACTED : JSON.stringify(redactUrlCredentials(raw));
}

/** Parses JSON without echoing the text: V8's messages quote a snippet, which may hold a secret. */
function parseJson(raw: string): Converted {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    return { ok: false, message: position === undefined ? "invalid JSON" : `invalid JSON at character ${Number(position) + 1}` };
  }
}

function convertScalar(option: DaemonOption, kind: Exclude<DaemonOptionKind, "list">, raw: string): Converted {
  switch (kind) {
    case "string":
      return { ok: true, value: raw };
    case "number": {
      const text = raw.trim();
      return NUMBER.test(text) ? { ok: true, value: Number(text) } : { ok: false, message: `expected a number, got ${shown(option, raw)}` };
    }
    case "boolean": {
      const text = raw.trim().toLowerCase();
      if (TRUE.has(text)) return { ok: true, value: true };
      if (FALSE.has(text)) return { ok: true, value: false };
      return { ok: false, message: `expected true or false, got ${shown(option, raw)}` };
    }
    case "json": {
      const parsed = parseJson(raw);
      return parsed.ok ? parsed : { ok: false, message: `expected a JSON value: ${parsed.message}` };
    }
    case "any": {
      const parsed = parseJson(raw);
      return parsed.ok ? parsed : { ok: true, value: raw };
    }
  }
}

function convert(option: DaemonOption, raw: string): Converted {
  if (option.kind !== "list") return convertScalar(option, option.kind, raw);
  if (raw.trim().startsWith("[")) {
    const parsed = parseJson(raw);
    if (!parsed.ok) return { ok: false, message: `expected a JSON array or a comma-separated list: ${parsed.message}` };
    return Array.isArray(parsed.value) ? parsed : { ok: false, message: "expected a JSON array or a comma-separated list" };
  }
  const itemKind = option.itemKind ?? "string";
  if (itemKind === "json") return { ok: false, message: "expected a JSON array" };
  const items: unknown[] = [];
  for (const part of raw.split(",")) {
    const text = part.trim();
    if (text === "") continue;
    const item = convertScalar(option, itemKind, text);
    if (!item.ok) return item;
    items.push(item.value);
  }
  return { ok: true, value: items };
}

export interface ParsedDaemonValues {
  /** Converted values by option key. */
  readonly values: Record<string, unknown>;
  /** Problems as `key: message (from SOURCE)`. */
  readonly problems: string[];
}

/**
 * Parses the `QUIPU_<NAME>_*` environment variables. Empty values count as unset (as `docker -e
 * X=` leaves them); unknown `QUIPU_<NAME>_*` names are problems, since they are usually typos.
 */
export function parseDaemonEnv(
  name: string,
  options: readonly DaemonOption[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedDaemonValues {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const known = new Set([daemonEnvName(name, CONFIG_KEY), ...options.map((option) => option.env)]);
  const prefix = daemonEnvName(name, "x").slice(0, -1);
  for (const option of options) {
    const raw = env[option.env];
    if (raw === undefined || raw === "") continue;
    const converted = convert(option, raw);
    if (converted.ok) values[option.key] = converted.value;
    else problems.push(`${option.key}: ${converted.message} (from ${option.env})`);
  }
  for (const variable of Object.keys(env).sort()) {
    if (variable.startsWith(prefix) && !known.has(variable) && env[variable] !== undefined) {
      problems.push(`${variable}: unknown environment variable`);
    }
  }
  return { values, problems };
}

/**
 * Parses option flags: `--name value`, `--name=value`, `--flag` / `--no-flag` for booleans, list
 * flags repeatable and comma-separated, JSON for object options. Unknown flags and stray
 * arguments are problems.
 */
export function parseDaemonFlags(options: readonly DaemonOption[], argv: readonly string[]): ParsedDaemonValues {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const byFlag = new Map(options.map((option) => [option.flag, option]));
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === "--") {
      for (const rest of argv.slice(index + 1)) problems.push(`${JSON.stringify(rest)}: unexpected argument`);
      break;
    }
    if (!arg.startsWith("--")) {
      problems.push(`${JSON.stringify(redactUrlCredentials(arg))}: unexpected argument`);
      continue;
    }
    const equals = arg.indexOf("=");
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    let option = byFlag.get(flag);
    let raw = inline;
    if (option === undefined && flag.startsWith("--no-")) {
      const positive = byFlag.get(`--${flag.slice(5)}`);
      if (positive?.kind === "boolean") {
        if (inline !== undefined) {
          problems.push(`${positive.key}: ${flag} takes no value (from ${flag})`);
          continue;
        }
        values[positive.key] = false;
        continue;
      }
    }
    if (option === undefined) {
      problems.push(`${flag}: unknown option`);
      continue;
    }
    if (raw === undefined) {
      if (option.kind === "boolean") {
        values[option.key] = true;
        continue;
      }
      const next = argv[index + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        problems.push(`${option.key}: ${flag} needs a value`);
        continue;
      }
      raw = next;
      index++;
    }
    const converted = convert(option, raw);
    if (!converted.ok) {
      problems.push(`${option.key}: ${converted.message} (from ${flag})`);
      continue;
    }
    // Repeated list flags add up (`--tag a --tag b`); other flags: the last one wins.
    const previous = values[option.key];
    values[option.key] =
      option.kind === "list" && Array.isArray(previous) && Array.isArray(converted.value)
        ? [...previous, ...converted.value]
        : converted.value;
  }
  return { values, problems };
}

// --- command line -----------------------------------------------------------------------------

export interface DaemonCommandLine {
  /** `--help` or `-h` was given. */
  readonly help: boolean;
  /** From `--config FILE` / `--config=FILE`, else `QUIPU_<NAME>_CONFIG`. */
  readonly configFile?: string;
  /** The remaining arguments: option flags for `parseDaemonFlags`. */
  readonly flags: string[];
  readonly problems: string[];
}

/**
 * Splits a daemon's arguments: skips a leading `serve` (so a bin with a command table can pass
 * its arguments either with or without it), finds `--help` and `--config`.
 */
export function parseDaemonCommandLine(
  name: string,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): DaemonCommandLine {
  const args = argv[0] === "serve" ? argv.slice(1) : [...argv];
  const flags: string[] = [];
  const problems: string[] = [];
  let help = false;
  let configFile: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") {
      flags.push(...args.slice(index));
      break;
    }
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--config") {
      const next = args[index + 1];
      if (next === undefined || next.startsWith("--")) problems.push("--config: needs a file name");
      else {
        configFile = next;
        index++;
      }
    } else if (arg.startsWith("--config=")) {
      configFile = arg.slice("--config=".length);
      if (configFile === "") problems.push("--config: needs a file name");
    } else flags.push(arg);
  }
  const fromEnv = env[daemonEnvName(name, CONFIG_KEY)];
  if (configFile === undefined && fromEnv !== undefined && fromEnv !== "") configFile = fromEnv;
  return { help, ...(configFile === undefined || configFile === "" ? {} : { configFile }), flags, problems };
}

// --- merge and validate -----------------------------------------------------------------------

export interface DaemonConfigSources {
  /** The parsed config file (YAML or JSON) and its name, used in messages. */
  readonly file?: { readonly name: string; readonly value: unknown };
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Option flags only (see `parseDaemonCommandLine`). */
  readonly flags?: readonly string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Objects merge key by key (so an env `purge` JSON keeps the file's `purge.rotation`); anything else replaces. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const previous = result[key];
    result[key] = isPlainObject(previous) && isPlainObject(value) ? deepMerge(previous, value) : value;
  }
  return result;
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return false;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return true;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}

/**
 * Merges defaults < file < environment < flags, validates with `schema` and returns the config, or
 * throws one `QUIPU_CONFIG_INVALID` whose `details.issues` lists every problem of every source as
 * `path.to.field: message (from SOURCE)`. Secret values never appear in the messages.
 */
export function resolveDaemonConfig<S extends DaemonConfigSchema>(name: string, schema: S, sources: DaemonConfigSources = {}): z.output<S> {
  const options = describeDaemonOptions(name, schema);
  const byKey = new Map(options.map((option) => [option.key, option]));
  const problems: string[] = [];

  let fileValues: Record<string, unknown> = {};
  const file = sources.file;
  if (file !== undefined && file.value !== null && file.value !== undefined) {
    if (isPlainObject(file.value)) {
      fileValues = file.value;
      for (const key of Object.keys(fileValues)) {
        if (!byKey.has(key)) problems.push(`${key}: unknown option (from ${file.name})`);
      }
    } else {
      problems.push(`(root): expected a mapping of option names to values (from ${file.name})`);
    }
  }
  const env = parseDaemonEnv(name, options, sources.env ?? {});
  const flags = parseDaemonFlags(options, sources.flags ?? []);
  problems.push(...env.problems, ...flags.problems);

  const known = Object.fromEntries(Object.entries(fileValues).filter(([key]) => byKey.has(key)));
  const merged = deepMerge(deepMerge(known, env.values), flags.values);

  const originOf = (path: readonly PropertyKey[]): string | undefined => {
    const top = path[0];
    if (typeof top !== "string") return undefined;
    const option = byKey.get(top);
    if (option === undefined) return undefined;
    const layers: [Record<string, unknown>, string][] = [
      [flags.values, option.flag],
      [env.values, option.env],
      [fileValues, file?.name ?? "config file"],
    ];
    const exact = layers.find(([values]) => hasPath(values, path));
    return (exact ?? layers.find(([values]) => Object.hasOwn(values, top)))?.[1];
  };

  const result = schema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const option = typeof issue.path[0] === "string" ? byKey.get(issue.path[0]) : undefined;
      const missing = issue.path.length === 1 && issue.code === "invalid_type" && !Object.hasOwn(merged, issue.path[0] as string);
      if (missing && option !== undefined) {
        problems.push(`${option.key}: required; set ${option.flag}, ${option.env} or "${option.key}" in the config file`);
        continue;
      }
      const origin = originOf(issue.path);
      problems.push(`${formatPath(issue.path)}: ${issue.message}${origin === undefined ? "" : ` (from ${origin})`}`);
    }
  }
  if (problems.length === 0 && result.success) return result.data;

  // Belt and braces: whatever a message says, the secrets given to us do not appear in it.
  const secrets = collectSecrets(fileValues);
  for (const values of [env.values, flags.values]) {
    for (const [key, value] of Object.entries(values)) collectSecrets({ [key]: value }, secrets);
  }
  const issues = problems.map((problem) => hideSecretValues(problem, secrets));
  throw new QuipuError("QUIPU_CONFIG_INVALID", `invalid ${name} configuration:\n${issues.join("\n")}`, {
    details: { daemon: name, ...(file === undefined ? {} : { file: file.name }), issues },
  });
}

// --- help and JSON Schema ---------------------------------------------------------------------

function valueHint(option: DaemonOption): string {
  if (option.choices !== undefined) return `<${option.choices.join("|")}>`;
  switch (option.kind) {
    case "string":
      return "<string>";
    case "number":
      return "<number>";
    case "boolean":
      return "";
    case "list":
      return option.itemKind === "json" || option.itemKind === "any" ? "<json-array>" : `<${option.itemKind ?? "string"},...>`;
    case "json":
      return "<json>";
    case "any":
      return "<value>";
  }
}

function defaultText(option: DaemonOption): string {
  if (option.defaultHelp !== undefined) return option.defaultHelp;
  if (option.defaultValue === undefined) return option.required ? "(required)" : "(none)";
  if (option.secret) return REDACTED;
  return typeof option.defaultValue === "string" ? option.defaultValue : JSON.stringify(option.defaultValue);
}

export interface DaemonHelpOptions {
  /** The program name; default `quipu-<name>`. */
  readonly program?: string;
}

/** The `--help` text: usage, then every option with its flag, environment variable, default and description. */
export function renderDaemonHelp(name: string, schema: DaemonConfigSchema, help: DaemonHelpOptions = {}): string {
  const program = help.program ?? `quipu-${name}`;
  const lines = [
    `Usage: ${program} serve [--config FILE] [options]`,
    "",
    "Every option can be set in the config file (YAML or JSON, under the name shown as \"key\"), as an",
    "environment variable, or as a flag. Precedence: defaults < config file < environment < flags.",
    "Nested options (lists of objects, mappings) are given as JSON in the environment and in flags.",
    "",
    `  --config FILE`,
    `      env ${daemonEnvName(name, CONFIG_KEY)}`,
    "      Configuration file, YAML or JSON (by its .json extension).",
    "  --help, -h",
    "      Print this help and exit.",
    "",
    "Options:",
  ];
  for (const option of describeDaemonOptions(name, schema)) {
    const hint = valueHint(option);
    const flag = option.kind === "boolean" ? `${option.flag}, --no-${option.flag.slice(2)}` : `${option.flag} ${hint}`;
    lines.push(`  ${flag}`, `      key ${option.key}, env ${option.env}, default ${defaultText(option)}`);
    if (option.description !== "") lines.push(`      ${option.description}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A JSON Schema (draft 2020-12) of the config file, from the same zod schema. */
export function daemonConfigJsonSchema(name: string, schema: DaemonConfigSchema): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: (context) => {
      // `defaultHelp` is help text for derived defaults, not a JSON Schema keyword.
      delete (context.jsonSchema as Record<string, unknown>)["defaultHelp"];
    },
  }) as Record<string, unknown>;
  return { ...generated, title: `quipu-${name} configuration` };
}
