/**
 * What the repository builder needs to know about a stored binary before it can place it — an
 * rpm's arch and source flag, a .deb's source package and architecture, a .dsc's source and the
 * files it lists — read from as few bytes as possible, and remembered per stored file (by path,
 * device, inode, size and mtime) in `.quipu/placements.json` so that a rebuild reads only new
 * binaries. Whatever cannot be read is `unread`: the builder then places the file by its name and
 * the indexer reports what is wrong with it.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, type Stats } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { QuipuError, isQuipuError, iterateArMembers, readDebControl, readDsc, readRpm, type Codecs } from "@quipu/core";

/** What placement needs to know about one stored file. */
export type PackageFacts =
  | { readonly kind: "rpm"; readonly isSource: boolean; readonly arch: string }
  | { readonly kind: "deb"; readonly source: string; readonly architecture: string }
  | { readonly kind: "dsc"; readonly source: string; readonly files: string[] }
  | { readonly kind: "unread" };

export const UNREAD: PackageFacts = { kind: "unread" };

const PackageFactsSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rpm"), isSource: z.boolean(), arch: z.string() }),
  z.object({ kind: z.literal("deb"), source: z.string(), architecture: z.string() }),
  z.object({ kind: z.literal("dsc"), source: z.string(), files: z.array(z.string()) }),
]);
const ManifestEntrySchema = z.object({ dev: z.number(), ino: z.number(), size: z.number(), mtimeMs: z.number(), facts: PackageFactsSchema });
type ManifestEntry = z.output<typeof ManifestEntrySchema>;
const ManifestSchema = z.object({ format: z.literal(1), entries: z.record(z.string(), ManifestEntrySchema) });

const MANIFEST = "placements.json";

/** The facts cache: keyed by stored file and its identity, so a re-uploaded binary is read again. */
export class FactsCache {
  private readonly previous: Record<string, ManifestEntry>;
  private readonly next: Record<string, ManifestEntry> = {};

  constructor(private readonly stateDirectory: string) {
    this.previous = FactsCache.load(join(stateDirectory, MANIFEST));
  }

  private static load(path: string): Record<string, ManifestEntry> {
    try {
      const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
      // A missing or damaged cache only costs reading the packages again.
      return parsed.success ? parsed.data.entries : {};
    } catch {
      return {};
    }
  }

  factsOf(file: string, stat: Stats, read: () => PackageFacts): PackageFacts {
    const entry = this.previous[file];
    if (entry && entry.dev === stat.dev && entry.ino === stat.ino && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs) {
      this.next[file] = entry;
      return entry.facts;
    }
    const facts = read();
    // Unreadable files are not remembered: the reason may have been passing (permissions, I/O).
    if (facts.kind !== "unread") this.next[file] = { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, facts };
    return facts;
  }

  save(): void {
    mkdirSync(this.stateDirectory, { recursive: true });
    const path = join(this.stateDirectory, MANIFEST);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ format: 1, entries: this.next }));
    renameSync(temporary, path);
  }
}

/** First bytes tried for a header; a package whose header is larger is read again up to the second size. */
const HEAD_READS = [1024 * 1024, 64 * 1024 * 1024] as const;
const MAX_DSC_BYTES = 1024 * 1024;

function readHead(file: string, length: number): Uint8Array {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const read = readSync(fd, buffer, filled, length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

export function readRpmFacts(file: string, size: number, name: string): PackageFacts {
  for (const limit of HEAD_READS) {
    try {
      const bytes = readHead(file, Math.min(size, limit));
      try {
        const metadata = readRpm(bytes, { fileName: name, fileSize: size });
        return { kind: "rpm", isSource: metadata.isSource, arch: metadata.headerArch };
      } catch (error) {
        if (!isQuipuError(error, "QUIPU_RPM_INVALID") || bytes.length >= size) return UNREAD;
      }
    } catch {
      return UNREAD;
    }
  }
  return UNREAD;
}

/** An empty `data.tar` ar member: see `controlMembersOnly`. */
const EMPTY_DATA_MEMBER = Buffer.from(
  `${"data.tar".padEnd(16)}${"0".padEnd(12)}${"0".padEnd(6)}${"0".padEnd(6)}${"100644".padEnd(8)}${"0".padEnd(10)}\`\n`,
  "latin1",
);

/**
 * The start of a .deb up to its control member, closed with an empty data member, so the core's
 * `readDebControl` (every check included) reads the control fields without the data member — which
 * can be gigabytes for a -dbg package — having to be read at all.
 */
function controlMembersOnly(head: Uint8Array, name: string): Uint8Array {
  for (const member of iterateArMembers(head, { file: name })) {
    if (!member.name.startsWith("control.tar")) continue;
    const end = member.dataOffset + member.size + (member.size % 2);
    if (end > head.length) break;
    return Buffer.concat([head.subarray(0, end), EMPTY_DATA_MEMBER]);
  }
  throw new QuipuError("QUIPU_DEB_INVALID", `${name}: no control member in the bytes read`, { details: { file: name, reason: "truncated: no control member" } });
}

export function readDebFacts(file: string, size: number, name: string, codecs: () => Codecs): PackageFacts {
  for (const limit of HEAD_READS) {
    try {
      const head = readHead(file, Math.min(size, limit));
      try {
        const deb = readDebControl(controlMembersOnly(head, name), { codecs: codecs(), fileName: name });
        return { kind: "deb", source: deb.source, architecture: deb.architecture };
      } catch (error) {
        const truncated = isQuipuError(error, "QUIPU_DEB_INVALID") && /truncated/.test(String(error.details?.reason ?? error.message));
        if (!truncated || head.length >= size) return UNREAD;
      }
    } catch {
      return UNREAD;
    }
  }
  return UNREAD;
}

export function readDscFacts(file: string, size: number, name: string): PackageFacts {
  if (size > MAX_DSC_BYTES) return UNREAD;
  try {
    const dsc = readDsc(new Uint8Array(readFileSync(file)), { fileName: name });
    return { kind: "dsc", source: dsc.source, files: dsc.files.map((ref) => ref.name) };
  } catch {
    return UNREAD;
  }
}
