/**
 * Reads a daemon's config file: JSON when the name ends in `.json`, YAML otherwise (YAML 1.2 reads
 * JSON too). `yaml` is an optional peer, imported only when a YAML file is read.
 */
import { readFile } from "node:fs/promises";
import { QuipuError } from "../../errors/quipu-error.js";

function invalid(file: string, issues: string[], extra: Record<string, unknown> = {}): QuipuError {
  return new QuipuError("QUIPU_CONFIG_INVALID", `invalid config file ${file}:\n${issues.join("\n")}`, {
    details: { file, issues, ...extra },
  });
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "is a directory, not a file",
};

/** Line and column (1-based) of character `offset` in `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only the position is kept: V8's message quotes the text around it, which may hold a key.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    if (position === undefined) throw invalid(file, [`${file}: invalid JSON`]);
    const { line, column } = lineAndColumn(text, Number(position));
    throw invalid(file, [`${file}: line ${line}, column ${column}: invalid JSON`], { line, column });
  }
}

interface YamlModule {
  parseDocument(
    text: string,
    options?: Record<string, unknown>,
  ): {
    errors: { message: string; pos: [number, number] }[];
    toJS(options?: Record<string, unknown>): unknown;
  };
}

async function importYaml(file: string): Promise<YamlModule> {
  try {
    return (await import("yaml")) as YamlModule;
  } catch (error) {
    throw new QuipuError(
      "QUIPU_CONFIG_INVALID",
      `reading the YAML config file ${file} needs the optional package "yaml" (npm install yaml); or give the configuration as a .json file`,
      { details: { file, issues: [`${file}: reading YAML needs the optional package "yaml"`] }, cause: error },
    );
  }
}

async function parseYamlFile(file: string, text: string): Promise<unknown> {
  const yaml = await importYaml(file);
  // prettyErrors off: the pretty form appends the offending lines, which may hold a key.
  const document = yaml.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const located = document.errors.map((error) => ({
      ...lineAndColumn(text, error.pos[0]),
      // Some messages end by quoting the token at fault (`…stream: "x"`); that token may be a key.
      reason: (error.message.split("\n")[0] ?? "invalid YAML").replace(/: ".*"$/, ""),
    }));
    const issues = located.map(({ line, column, reason }) => `${file}: line ${line}, column ${column}: ${reason}`);
    throw invalid(file, issues, { line: located[0]?.line, column: located[0]?.column });
  }
  try {
    // A cap on alias expansion keeps a "billion laughs" file from eating the memory.
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw invalid(file, [`${file}: ${error instanceof Error ? error.message.split("\n")[0] : "invalid YAML"}`]);
  }
}

/**
 * Reads and parses a YAML or JSON config file. An empty file is `{}`. Any failure is a
 * `QUIPU_CONFIG_INVALID` naming the file (and the line and column of a syntax error) in
 * `details.issues`, never quoting the file's text.
 */
export async function loadConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw invalid(path, [`${path}: cannot read the config file: ${READ_ERRORS[code] ?? code}`], { reason: code });
  }
  if (text.trim() === "") return {};
  const value = path.toLowerCase().endsWith(".json") ? parseJsonFile(path, text) : await parseYamlFile(path, text);
  return value ?? {};
}
