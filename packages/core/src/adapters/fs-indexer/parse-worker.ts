/**
 * Worker entry of the parse pool (`parse-pool.ts`): takes batches of files from the shared counter,
 * reads each one as the calling thread would, and sends everything back in one message, the
 * fragments encoded into one buffer that is transferred, not copied.
 */
import { Buffer } from "node:buffer";
import { parentPort, workerData } from "node:worker_threads";
import { createNodeCodecs } from "../codecs/index.js";
import { contentId } from "./fragment-basics.js";
import { readPackageFile, type StatNumbers } from "./package-reading.js";
import { WORKER_IDLE, WORKER_STARTED, type ParseWorkerInput, type ParseWorkerOutput } from "./parse-protocol.js";

/** Fragments encoded back to back into one growing buffer. */
class Arena {
  buffer = Buffer.allocUnsafeSlow(1024 * 1024);
  used = 0;

  put(text: string): Uint8Array {
    const most = text.length * 3;
    if (this.used + most > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.used + most));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    const length = this.buffer.write(text, this.used, "utf8");
    const view = this.buffer.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }
}

function run(input: ParseWorkerInput): ParseWorkerOutput {
  const output = { id: input.id, indexes: [] as number[], texts: [] as string[][], numbers: [] as number[][], fragmentLengths: [] as number[][] };
  const arena = new Arena();
  const ids: string[] = [];
  // Cancelled before it started (the calling thread read everything already): nothing to do.
  if (Atomics.compareExchange(input.control, 1 + input.id, WORKER_IDLE, WORKER_STARTED) === WORKER_IDLE) {
    const paths = input.paths.split("\0");
    const absolutes = input.absolutes.split("\0");
    const total = paths.length;
    const codecs = createNodeCodecs();
    for (;;) {
      const start = Atomics.add(input.control, 0, input.batch);
      if (start >= total) break;
      for (let i = start; i < Math.min(total, start + input.batch); i++) {
        const stat = input.stats === null ? undefined : (Array.from(input.stats.subarray(i * 4, i * 4 + 4)) as unknown as StatNumbers);
        const outcome = readPackageFile({ path: paths[i]!, absolute: absolutes[i]!, stat }, input.settings, codecs);
        const lengths: number[] = [];
        for (const text of outcome.fragments) {
          const bytes = arena.put(text);
          lengths.push(bytes.length);
          ids.push(contentId(bytes));
        }
        output.indexes.push(i);
        output.texts.push(outcome.text);
        output.numbers.push(outcome.numbers);
        output.fragmentLengths.push(lengths);
      }
    }
  }
  // allocUnsafeSlow: the buffer owns its ArrayBuffer from offset 0, so the whole of it can be transferred.
  const arenaBuffer = arena.buffer.buffer as ArrayBuffer;
  return { ...output, ids: ids.join(""), arena: arenaBuffer };
}

if (parentPort !== null) {
  const output = run(workerData as ParseWorkerInput);
  parentPort.postMessage(output, [output.arena]);
}
