/**
 * The streaming half of an upload: a `multipart/form-data` body built as a stream (fields, the
 * file's bytes read once, a trailing `checksum` field holding the SHA-512 hex of what was sent) with
 * an exact Content-Length known before the first byte, and two ways to send it.
 *
 * Why a hand-made body: chacra's upload endpoint wants a plain multipart POST/PUT with a real
 * Content-Length (chacractl 0.0.16–0.0.18 fixed >2 GB uploads that way), the files are multi-GB,
 * and the digest must come from the same single read that feeds the socket.
 *
 * Why node:http by default: measured on Node 20 (1 GiB to a loopback server), undici's fetch with a
 * streamed body ran at ~200 MB/s and grew the process to >1 GB RSS, against ~850–1300 MB/s and flat
 * memory for node:http with backpressure. An injected `fetch` (tests, an in-process app) still works:
 * the same body is handed to it as a ReadableStream with `duplex: "half"`.
 */
import { createHash, randomBytes } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { QuipuError } from "@quipu/core";

/** 1 MiB reads: large enough that syscalls and hash calls stay cheap, small enough to keep RSS flat. */
const CHUNK_BYTES = 1024 * 1024;

export interface MultipartField {
  readonly name: string;
  readonly value: string;
}

export interface MultipartFilePlan {
  /** Local path of the file to send. */
  readonly path: string;
  /** Its size when the upload started; the body carries exactly this many file bytes. */
  readonly size: number;
  /** The `filename` of the `file` part: the binary's name on chacra. */
  readonly filename: string;
  /** Fields sent before the file part (`force`). */
  readonly fields: readonly MultipartField[];
  /** Whether to append the `checksum` field (SHA-512 hex) after the file part. */
  readonly checksumField: boolean;
  /** Called after each chunk is handed to the transport with the file bytes sent so far. */
  readonly onProgress?: ((sent: number, total: number) => void) | undefined;
}

export interface MultipartBody {
  readonly contentType: string;
  /** Exact length of the whole body in bytes. */
  readonly contentLength: number;
  /**
   * The body, produced lazily; iterate it once. With `reuseBuffers`, file chunks come from two
   * recycled buffers: the consumer promises to be done with a chunk when it asks for the next one
   * (node:http awaiting each write), which keeps memory at a few MiB without leaning on the GC.
   */
  chunks(options?: { readonly reuseBuffers?: boolean }): AsyncIterable<Uint8Array>;
  /** The SHA-512 (hex) of the file bytes sent; available once the chunks are exhausted. */
  digest(): string;
}

/** The `checksum` field holds the bare SHA-512 hex, the spelling chacra's listings use. */
const SHA512_HEX_LENGTH = 128;

function quoteFilename(name: string): string {
  // What browsers do (WHATWG multipart encoding): percent-escape the three bytes that would end the
  // quoted string or the header line; chacra's names are safe segments, so this is rare.
  return name.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function fieldPart(boundary: string, field: MultipartField): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${field.name}"\r\n\r\n${field.value}\r\n`;
}

/** Builds the streamed multipart body for one file; nothing is read until `chunks` is iterated. */
export function createMultipartBody(plan: MultipartFilePlan): MultipartBody {
  const boundary = `----quipu-${randomBytes(16).toString("hex")}`;
  const head = Buffer.from(
    plan.fields.map((field) => fieldPart(boundary, field)).join("") +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoteFilename(plan.filename)}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
    "utf8",
  );
  const checksumPlaceholder = "0".repeat(SHA512_HEX_LENGTH);
  const tail = (hex: string) =>
    Buffer.from(`\r\n${plan.checksumField ? fieldPart(boundary, { name: "checksum", value: hex }) : ""}--${boundary}--\r\n`, "utf8");
  const contentLength = head.length + plan.size + tail(checksumPlaceholder).length;
  let digest: string | undefined;

  async function* chunks(reuseBuffers: boolean): AsyncGenerator<Uint8Array> {
    yield head;
    const hash = createHash("sha512");
    let handle: FileHandle;
    try {
      handle = await open(plan.path, "r");
    } catch (error) {
      throw unreadable(plan.path, error);
    }
    try {
      // One read ahead: the next chunk comes off the disk while this one is hashed and sent.
      // Without reuse, a fresh buffer per chunk, because the transport may still hold the others.
      type Read = { buffer: Buffer; bytesRead: number } | { error: unknown };
      const ring = reuseBuffers ? [Buffer.allocUnsafe(Math.min(CHUNK_BYTES, plan.size)), Buffer.allocUnsafe(Math.min(CHUNK_BYTES, plan.size))] : [];
      let reads = 0;
      const readAt = (position: number): Promise<Read> => {
        const length = Math.min(CHUNK_BYTES, plan.size - position);
        const buffer = reuseBuffers ? ring[reads++ % 2]!.subarray(0, length) : Buffer.allocUnsafe(length);
        return handle.read(buffer, 0, buffer.length, position).then(
          ({ bytesRead }) => ({ buffer, bytesRead }),
          (error: unknown) => ({ error }),
        );
      };
      let sent = 0;
      let pending: Promise<Read> | undefined = plan.size > 0 ? readAt(0) : undefined;
      try {
        while (sent < plan.size) {
          const read = await pending!;
          pending = undefined;
          if ("error" in read) throw unreadable(plan.path, read.error);
          if (read.bytesRead === 0) throw unreadable(plan.path, `it shrank to ${sent} bytes while being sent (was ${plan.size})`);
          const chunk = read.bytesRead === read.buffer.length ? read.buffer : read.buffer.subarray(0, read.bytesRead);
          sent += read.bytesRead;
          if (sent < plan.size) pending = readAt(sent);
          hash.update(chunk);
          yield chunk;
          plan.onProgress?.(sent, plan.size);
        }
      } finally {
        // Never close the handle under a read in flight (an abandoned body, an error).
        if (pending !== undefined) await pending;
      }
      // Growth does not break Content-Length, but the stored file would be a truncated copy.
      const { size } = await handle.stat();
      if (size !== plan.size) throw unreadable(plan.path, `it changed size while being sent (${plan.size} → ${size} bytes)`);
    } finally {
      await handle.close();
    }
    digest = hash.digest("hex");
    yield tail(digest);
  }

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength,
    chunks: (options) => ({ [Symbol.asyncIterator]: () => chunks(options?.reuseBuffers ?? false) }),
    digest() {
      if (digest === undefined) throw new Error("multipart body digest read before the body was sent");
      return digest;
    },
  };
}

export function unreadable(file: string, reason: unknown): QuipuError {
  const text =
    typeof reason === "string" ? reason : ((reason as NodeJS.ErrnoException | undefined)?.code ?? (reason instanceof Error ? reason.message : String(reason)));
  return new QuipuError("QUIPU_CHACRA_UPLOAD_FILE_UNREADABLE", `cannot upload ${file}: ${text}`, {
    details: { file, reason: text },
    ...(typeof reason === "string" ? {} : { cause: reason }),
  });
}

/** A request with a streamed body, as the client hands it to a transport. */
export interface StreamedRequest {
  readonly method: "POST" | "PUT";
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: MultipartBody;
  readonly signal?: AbortSignal | undefined;
}

/** What the client needs of the answer: status, headers, and the (small) body as text. */
export interface StreamedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Sends a streamed request. Rejects with the body's own error (a local file problem) or a transport error. */
export type UploadTransport = (request: StreamedRequest) => Promise<StreamedResponse>;

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/**
 * node:http(s) transport: writes the body with backpressure (memory stays at a chunk or two).
 * When the server answers before it has read the whole body (401, 400 "exists", 413), the answer
 * wins over the broken pipe that follows, so the caller sees chacra's message, not EPIPE.
 */
export const nodeHttpUploadTransport: UploadTransport = (request) =>
  new Promise<StreamedResponse>((resolve, reject) => {
    const send = request.url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(request.url, {
      method: request.method,
      headers: { ...request.headers, "content-type": request.body.contentType, "content-length": String(request.body.contentLength) },
      signal: request.signal,
    });
    let settled = false;
    let answered = false;
    let bodyError: unknown;
    const finish = (outcome: { ok: StreamedResponse } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      if ("ok" in outcome) resolve(outcome.ok);
      else reject(outcome.error);
    };

    req.on("response", (res) => {
      answered = true;
      const parts: Buffer[] = [];
      const done = () => {
        finish({ ok: { status: res.statusCode ?? 0, headers: toHeaders(res.headers), text: Buffer.concat(parts).toString("utf8") } });
        // An early answer: stop sending the rest of a multi-GB body nobody reads.
        if (!req.writableFinished) req.destroy();
      };
      res.on("data", (chunk: Buffer) => parts.push(chunk));
      res.on("end", done);
      res.on("close", done);
      res.on("error", (error) => (parts.length > 0 ? done() : finish({ error })));
    });
    req.on("error", (error) => {
      // Once an answer is on its way, its end settles the promise; a local read error comes first.
      if (bodyError !== undefined) return finish({ error: bodyError });
      if (!answered) finish({ error });
    });

    void (async () => {
      try {
        for await (const chunk of request.body.chunks({ reuseBuffers: true })) {
          if (answered || req.destroyed) return;
          // Each write is awaited until the socket took it: that is the backpressure, and it is what
          // lets the body recycle its buffers.
          await new Promise<void>((resume) => {
            const go = () => {
              req.off("close", go);
              resume();
            };
            req.on("close", go);
            req.write(chunk, go);
          });
        }
        if (!answered && !req.destroyed) req.end();
      } catch (error) {
        bodyError = error;
        req.destroy();
        finish({ error });
      }
    })();
  });

/** A transport over any `fetch` (undici, an in-process Hono app): the body as a pull stream. */
export function fetchUploadTransport(fetchImpl: typeof globalThis.fetch): UploadTransport {
  return async (request) => {
    // undici may hold chunks after pulling the next one: no buffer reuse here.
    const iterator = request.body.chunks()[Symbol.asyncIterator]();
    let bodyError: unknown;
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const next = await iterator.next();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          } catch (error) {
            bodyError = error;
            controller.error(error);
          }
        },
        async cancel() {
          await iterator.return?.();
        },
      },
      { highWaterMark: 0 },
    );
    let response: Response;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: { ...request.headers, "content-type": request.body.contentType, "content-length": String(request.body.contentLength) },
        body: stream,
        signal: request.signal,
        // Required by undici for a streamed request body.
        duplex: "half",
      } as RequestInit);
    } catch (error) {
      throw bodyError ?? error;
    }
    if (bodyError !== undefined) throw bodyError;
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}
