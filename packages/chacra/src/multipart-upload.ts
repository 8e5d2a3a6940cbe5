/**
 * Reading chacra's multipart upload body (`file` part plus fields such as `force`, `checksum`,
 * `built_by`) as a stream: the file part goes straight to `onFile` (which stages it on disk), the
 * other fields are collected, and the result is only returned once the whole body was parsed, so
 * fields sent after the file (the client's `checksum`) are seen too.
 */
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import busboy from "busboy";
import { QuipuError, isQuipuError } from "@quipu/core";
import { discardStagedFile, type StagedFile } from "./staged-upload.js";

export interface MultipartUpload {
  /** Non-file fields by name (the last value wins). */
  readonly fields: Readonly<Record<string, string>>;
  readonly staged: StagedFile;
}

const NO_FILE = 'no file object found in "file" param in POST request';

function invalid(reason: string, cause?: unknown): QuipuError {
  return new QuipuError("QUIPU_CHACRA_UPLOAD_INVALID", reason, { details: { reason }, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Parses `request`'s multipart body. `onFile` receives the `file` part's filename and byte stream
 * and must consume the stream; any other file part is drained and ignored. Throws
 * QUIPU_CHACRA_UPLOAD_INVALID for a body that is not multipart, has no `file` part or ends early.
 */
export async function readMultipartUpload(
  request: Request,
  onFile: (filename: string, stream: Readable) => Promise<StagedFile>,
  /** The raw Node request when served by @hono/node-server: reading it directly skips a web-stream round trip per chunk. */
  nodeBody?: Readable,
): Promise<MultipartUpload> {
  const contentType = request.headers.get("content-type") ?? "";
  // With the raw Node request, `request.body` must not be touched: building the web stream would
  // start reading the same bytes.
  if (!/^multipart\/form-data\b/i.test(contentType) || (nodeBody === undefined && request.body === null)) throw invalid(NO_FILE);

  let parser: busboy.Busboy;
  try {
    // 1 MiB buffers: the default 64 KiB made multi-GB uploads cost a callback per small chunk.
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8",
      highWaterMark: 1 << 20,
      fileHwm: 1 << 20,
      limits: { fieldSize: 1024 * 1024, fields: 1000 },
    });
  } catch (error) {
    throw invalid(`malformed multipart body: ${(error as Error).message}`, error);
  }

  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let staging: Promise<StagedFile> | undefined;
  // The part being stored: if parsing fails midway it must be ended here, or storing would wait
  // for bytes that will never come.
  let fileStream: Readable | undefined;
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
  };

  const source = nodeBody ?? Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
  const parsed = new Promise<void>((resolve) => {
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || staging !== undefined || failure !== undefined) {
        stream.resume();
        return;
      }
      if (!info.filename) {
        stream.resume();
        fail(invalid("the file part has no filename"));
        return;
      }
      try {
        fileStream = stream;
        staging = onFile(info.filename, stream);
        // Storing failed (too large, disk full): stop parsing and drain the rest of the body, so
        // the client gets the answer; the error itself is picked up below.
        staging.catch(() => {
          source.unpipe(parser);
          source.resume();
          resolve();
        });
      } catch (error) {
        stream.resume();
        fail(error);
      }
    });
    parser.on("error", (error) => {
      fail(invalid(`malformed multipart body: ${(error as Error).message}`, error));
      if (fileStream !== undefined && !fileStream.readableEnded) fileStream.destroy(error as Error);
      source.unpipe(parser);
      source.resume();
      resolve();
    });
    parser.on("close", () => resolve());
    source.on("error", (error) => {
      fail(invalid("the request body ended early", error));
      if (fileStream !== undefined && !fileStream.readableEnded) fileStream.destroy(error);
      parser.destroy();
      resolve();
    });
  });
  source.pipe(parser);
  await parsed;

  let staged: StagedFile | undefined;
  if (staging !== undefined) {
    try {
      staged = await staging;
    } catch (error) {
      // Storing the file failed (too large, disk full): that is the cause, and the parser's
      // complaint about the aborted part only its echo.
      if (isQuipuError(error)) failure = error;
      else fail(invalid("the request body ended early", error));
    }
  }
  if (failure !== undefined) {
    if (staged !== undefined) discardStagedFile(staged);
    throw failure;
  }
  if (staged === undefined) throw invalid(NO_FILE);
  return { fields, staged };
}
