/**
 * Helpers for the upload tests: files with known bytes, and a real HTTP proxy in front of the test
 * chacra that can damage an upload in transit or answer 503 once — the faults a client must catch
 * (bit flips on the way, a node restarting), made on real sockets rather than in a mock.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Transform } from "node:stream";
import { isQuipuError, type QuipuError } from "@quipu/core";

export const SHA1 = "c".repeat(40);

/** The QuipuError `promise` rejects with; anything else fails the test. */
export async function failure(promise: Promise<unknown>): Promise<QuipuError> {
  try {
    await promise;
  } catch (error) {
    if (isQuipuError(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

export function sha512(bytes: Uint8Array): string {
  return createHash("sha512").update(bytes).digest("hex");
}

/** Writes `size` deterministic bytes (varying with `seed`) to `path` and returns them. */
export function writePackage(path: string, size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed * 2654435761;
  for (let i = 0; i < size; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  writeFileSync(path, bytes);
  return bytes;
}

export interface ProxyRules {
  /** Flip one byte at this offset of the request body of matching uploads. */
  corruptAt?: number;
  /** Which requests to damage (default: multipart POST/PUT). */
  corrupt?: (req: IncomingMessage) => boolean;
  /** Answer this many matching requests with 503 before forwarding any. */
  failFirst?: number;
  failWhen?: (req: IncomingMessage) => boolean;
}

export interface TestProxy {
  readonly url: string;
  /** Requests seen, as `METHOD path`. */
  readonly seen: string[];
  readonly rules: ProxyRules;
  close(): Promise<void>;
}

const isUpload = (req: IncomingMessage) => (req.method === "POST" || req.method === "PUT") && (req.headers["content-type"] ?? "").startsWith("multipart/");

/** A forwarding proxy to `target` (a base URL) applying `rules`; rules may be changed between requests. */
export async function startProxy(target: string, rules: ProxyRules = {}): Promise<TestProxy> {
  const upstream = new URL(target);
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if ((rules.failFirst ?? 0) > 0 && (rules.failWhen ?? isUpload)(req)) {
      rules.failFirst = (rules.failFirst ?? 0) - 1;
      req.resume();
      res.writeHead(503, { "content-type": "application/json", connection: "close" }).end(JSON.stringify({ message: "restarting" }));
      return;
    }
    let offset = 0;
    const damage = rules.corruptAt !== undefined && (rules.corrupt ?? isUpload)(req);
    const flip = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        const at = (rules.corruptAt ?? -1) - offset;
        offset += chunk.length;
        if (damage && at >= 0 && at < chunk.length) {
          const copy = Buffer.from(chunk);
          copy[at] = copy[at]! ^ 0xff;
          callback(null, copy);
        } else callback(null, chunk);
      },
    });
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(flip).pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    rules,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
