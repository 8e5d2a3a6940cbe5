/**
 * `@quipu/core/signing` — repository signing with openpgp.js (an optional peer dependency; the root
 * of `@quipu/core` never imports it). `createRepositorySigner` checks a private key and signs
 * `InRelease`, `Release.gpg` and `repomd.xml.asc`; `signAptRelease` / `signRpmRepomd` add those
 * files to the lists the apt and rpm writers return, keeping the entry point last. They take any
 * `RepositorySigner`, so another signing backend can be plugged in.
 */
export { createRepositorySigner, type RepositorySignerOptions } from "./openpgp-signer.js";
export { generateSigningKey, type GeneratedSigningKey, type GenerateSigningKeyOptions } from "./generate-signing-key.js";
export type { DetachedSignatureOptions, RepositorySigner } from "./repository-signer.js";
export {
  signAptRelease,
  signRpmRepomd,
  type RepositoryFile,
  type RepositorySignatureFile,
  type SignAptReleaseOptions,
} from "./repository-signing.js";
export { assembleClearSigned, clearSignableText, dashEscape } from "./clear-signed-text.js";
export type { SigningKeyProblem } from "./signing-errors.js";
