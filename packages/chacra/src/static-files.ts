/**
 * `/r/…` — the built repositories as static files, like nginx's `alias` + `autoindex`: GET and
 * HEAD, single byte ranges (apt resumes partial downloads), and HTML directory listings. Hidden
 * entries (the indexer's `.quipu/` cache, upload temporaries) are neither listed nor served, and
 * nothing outside the allowed roots is reachable, symlinks included.
 */
import { createReadStream, readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { QuipuError } from "@quipu/core";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".xml": "text/xml",
  ".gz": "application/gzip",
  ".xz": "application/x-xz",
  ".zst": "application/zstd",
  ".bz2": "application/x-bzip2",
  ".asc": "text/plain; charset=utf-8",
  ".gpg": "application/pgp-signature",
  ".repo": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".html": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

function contentTypeOf(name: string): string {
  if (name === "Release" || name === "InRelease" || name === "Packages" || name === "Sources") return "text/plain; charset=utf-8";
  const dot = name.lastIndexOf(".");
  return (dot >= 0 && CONTENT_TYPES[name.slice(dot)]) || "application/octet-stream";
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Parses one `bytes=` range against `size`: [start, end] inclusive, "unsatisfiable", or null for none/ignored. */
export function parseRange(header: string | null, size: number): [number, number] | "unsatisfiable" | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple ranges and other units are legal to ignore: answer with the whole file.
  if (!match) return null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return null;
  let start: number;
  let end: number;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
    if (Number(last) < start && last !== "") return null;
  }
  if (start >= size || size === 0) return "unsatisfiable";
  return [start, end];
}

export interface ServeStaticOptions {
  /** The directory `/r/` maps to. */
  readonly root: string;
  /** Other directories symlinks may point into (the binary store). */
  readonly allowedRoots?: readonly string[];
  /** The URL path of this request (for redirects and listing titles). */
  readonly urlPath: string;
  /** Decoded, safe path segments below the root. */
  readonly segments: readonly string[];
}

export function serveStatic(request: Request, options: ServeStaticOptions): Response {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") {
    return new Response(JSON.stringify({ message: `method ${method} not allowed` }), { status: 405, headers: { allow: "GET, HEAD", "content-type": "application/json" } });
  }
  const notFound = () => new Response(JSON.stringify({ message: "not found" }), { status: 404, headers: { "content-type": "application/json" } });
  if (options.segments.some((segment) => segment.startsWith("."))) return notFound();
  const path = join(options.root, ...options.segments);
  let real: string;
  let stats: Stats;
  try {
    real = realpathSync(path);
    stats = statSync(real);
  } catch {
    return notFound();
  }
  let rootReal: string;
  try {
    rootReal = realpathSync(options.root);
  } catch {
    return notFound();
  }
  const allowed = [rootReal, ...(options.allowedRoots ?? []).map((root) => {
    try {
      return realpathSync(root);
    } catch {
      return root;
    }
  })];
  if (!allowed.some((root) => inside(root, real))) return notFound();

  if (stats.isDirectory()) {
    if (!options.urlPath.endsWith("/")) {
      return new Response(null, { status: 301, headers: { location: `${options.urlPath}/` } });
    }
    return listing(real, options.urlPath, method === "HEAD");
  }
  if (!stats.isFile()) return notFound();

  const name = options.segments.at(-1) ?? "";
  const headers: Record<string, string> = {
    "content-type": contentTypeOf(name),
    "accept-ranges": "bytes",
    "last-modified": stats.mtime.toUTCString(),
  };
  const range = parseRange(request.headers.get("range"), stats.size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${stats.size}` } });
  }
  const [start, end] = range ?? [0, stats.size - 1];
  const length = stats.size === 0 ? 0 : end - start + 1;
  headers["content-length"] = String(length);
  if (range) headers["content-range"] = `bytes ${start}-${end}/${stats.size}`;
  const status = range ? 206 : 200;
  if (method === "HEAD" || length === 0) return new Response(null, { status, headers });
  const stream = createReadStream(real, { start, end, highWaterMark: 1 << 20 });
  return new Response(Readable.toWeb(stream) as ReadableStream, { status, headers });
}

function listing(directory: string, urlPath: string, headOnly: boolean): Response {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    throw new QuipuError("QUIPU_HTTP_NOT_FOUND", "directory cannot be read", { details: { path: urlPath }, cause: error });
  }
  const rows = entries
    .filter((entry) => !entry.name.startsWith("."))
    .map((entry) => {
      let isDirectory = entry.isDirectory();
      let size = "-";
      let modified = "";
      try {
        const stats = statSync(join(directory, entry.name));
        isDirectory = stats.isDirectory();
        if (!isDirectory) size = String(stats.size);
        modified = stats.mtime.toISOString().replace("T", " ").slice(0, 16);
      } catch {
        // A dangling link is listed without details.
      }
      return { name: isDirectory ? `${entry.name}/` : entry.name, isDirectory, size, modified };
    })
    .sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const title = `Index of ${escapeHtml(urlPath)}`;
  const lines = rows.map(
    (row) => `<a href="${escapeHtml(encodeURIComponent(row.name.replace(/\/$/, "")))}${row.isDirectory ? "/" : ""}">${escapeHtml(row.name)}</a>${" ".repeat(Math.max(1, 51 - row.name.length))}${row.modified.padEnd(17)} ${row.size.padStart(12)}`,
  );
  const html = `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1><hr><pre><a href="../">../</a>\n${lines.join("\n")}\n</pre><hr></body>\n</html>\n`;
  return new Response(headOnly ? null : html, { status: 200, headers: { "content-type": "text/html; charset=utf-8", "content-length": String(Buffer.byteLength(html)) } });
}
