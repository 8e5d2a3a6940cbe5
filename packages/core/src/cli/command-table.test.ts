import { describe, expect, it } from "vitest";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCommandTable, type CliCommand, type CliOutput } from "./command-table.js";

function capture() {
  const out = { stdout: "", stderr: "" };
  const io: CliOutput = { stdout: (text) => void (out.stdout += text), stderr: (text) => void (out.stderr += text) };
  return { out, io };
}

const commands: Record<string, CliCommand> = {
  echo: {
    summary: "echo WORDS…   print the words",
    run: async (args, io) => {
      io.stdout(`${args.join(" ")}\n`);
      return EXIT_OK;
    },
  },
  fail: {
    summary: "fail   throw",
    run: async () => {
      throw new Error("broken\nsecond line");
    },
  },
};

describe("runCommandTable", () => {
  it("runs the named command on the remaining arguments", async () => {
    const { out, io } = capture();
    expect(await runCommandTable({ program: "quipu-x", commands, argv: ["echo", "a", "b"], io })).toBe(EXIT_OK);
    expect(out.stdout).toBe("a b\n");
  });

  it("prints the help to stdout when asked, to stderr with exit 2 when no command is given", async () => {
    const asked = capture();
    expect(await runCommandTable({ program: "quipu-x", commands, argv: ["--help"], io: asked.io })).toBe(EXIT_OK);
    expect(asked.out.stdout).toBe(
      "Usage: quipu-x <command> [options]\n\nCommands:\n  echo WORDS…   print the words\n  fail   throw\n\nRun 'quipu-x <command> --help' for a command's options.\n",
    );
    const none = capture();
    expect(await runCommandTable({ program: "quipu-x", commands, argv: [], io: none.io })).toBe(EXIT_USAGE);
    expect(none.out.stderr).toBe(asked.out.stdout);
  });

  it("refuses an unknown command (also an inherited property name) with exit 2", async () => {
    for (const name of ["nope", "toString"]) {
      const { out, io } = capture();
      expect(await runCommandTable({ program: "quipu-x", commands, argv: [name], io })).toBe(EXIT_USAGE);
      expect(out.stderr).toMatch(new RegExp(`^quipu-x: unknown command '${name}'\nUsage:`));
    }
  });

  it("reports a command that throws in one line, exit 1", async () => {
    const { out, io } = capture();
    expect(await runCommandTable({ program: "quipu-x", commands, argv: ["fail"], io })).toBe(EXIT_FAILURE);
    expect(out.stderr).toBe("quipu-x: internal error: broken\n");
  });
});
