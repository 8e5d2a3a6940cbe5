/**
 * A real HTTP server on 127.0.0.1 standing in for shaman's write endpoints: it records every
 * request and answers through a handler the test sets, which may hold an answer until the test
 * releases it. Tests wait for requests by predicate (events, not timers).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  /** The body parsed as JSON, when it is. */
  readonly json: unknown;
}

export interface Reply {
  readonly status: number;
  readonly body?: string | undefined;
}

export type ReplyHandler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface TestShamanEndpoint {
  /** `http://127.0.0.1:{port}/` */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Replaces how requests are answered (default: 200 `{}`). */
  reply(handler: ReplyHandler): void;
  /** Resolves with the first recorded request matching `predicate`, now or later. */
  waitFor(predicate: (request: RecordedRequest) => boolean): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startTestShamanEndpoint(): Promise<TestShamanEndpoint> {
  const requests: RecordedRequest[] = [];
  let handler: ReplyHandler = () => ({ status: 200, body: "{}" });
  let waiters: { predicate: (request: RecordedRequest) => boolean; resolve: (request: RecordedRequest) => void }[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const request: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json };
      const index = requests.push(request) - 1;
      const matched = waiters.filter((waiter) => waiter.predicate(request));
      waiters = waiters.filter((waiter) => !waiter.predicate(request));
      for (const waiter of matched) waiter.resolve(request);
      void Promise.resolve(handler(request, index)).then(
        (reply) => {
          res.writeHead(reply.status, { "content-type": "application/json" });
          res.end(reply.body ?? "{}");
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    reply(next) {
      handler = next;
    },
    waitFor(predicate) {
      const found = requests.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
