/** Options of a detached signature. */
export interface DetachedSignatureOptions {
  /**
   * ASCII armor (`-----BEGIN PGP SIGNATURE-----`), what `gpg -abs` writes and what dnf expects in
   * `repomd.xml.asc`; `false` gives the binary packet (apt accepts both for `Release.gpg`).
   * Default true.
   */
  readonly armor?: boolean | undefined;
}

/**
 * Signs repository metadata. `createRepositorySigner` implements it with openpgp.js; anything else
 * (gpg, a hardware token, a remote signing service) can implement it too and be passed to
 * `signAptRelease` / `signRpmRepomd`.
 */
export interface RepositorySigner {
  /** Fingerprint of the primary key, upper-case hex: what apt's `Signed-By` and `signed-by=` accept. */
  readonly fingerprint: string;
  /** Fingerprint of the (sub)key that makes the signatures (the primary key's, or a signing subkey's). */
  readonly signingKeyFingerprint: string;
  /** When the key (or its signing subkey) expires; undefined when it does not. */
  readonly expiresAt: Date | undefined;
  /** The public key, ASCII-armored: for `signed-by=/…/key.asc`, dnf's `gpgkey=`, publishing beside the repository. */
  readonly publicKeyArmored: string;
  /** The same public key as binary packets (a "dearmored" keyring): for `signed-by=/…/key.gpg` and `gpgv --keyring`. */
  readonly publicKeyBinary: Uint8Array;
  /**
   * `InRelease`: the Release bytes clear-signed. apt reads back exactly the Release lines (see
   * `clearSignableText` for the one thing a clear signature cannot keep: the final newline).
   */
  signInRelease(release: Uint8Array): Promise<Uint8Array>;
  /** A detached signature over `data` (binary document mode): `Release.gpg`, `repomd.xml.asc`. */
  signDetached(data: Uint8Array, options?: DetachedSignatureOptions): Promise<Uint8Array>;
}
