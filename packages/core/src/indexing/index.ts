/**
 * Repository indexing: read .deb and .rpm packages and write apt and dnf/yum metadata. Pure: bytes
 * in, index bytes out; reading directories and publishing files atomically is the job of the
 * `@quipu/core/indexer` adapter.
 */
export { createCodecs, sniffCompression, type Codecs, type CodecImplementation, type CompressionFormat } from "./codecs.js";
export { decodeXz, XZ_DEFAULT_MAX_OUTPUT_BYTES, type XzDecodeOptions } from "./xz-decoder.js";
export * from "./deb/index.js";
export * from "./rpm/index.js";
