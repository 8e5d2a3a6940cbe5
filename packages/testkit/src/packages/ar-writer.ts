import { writeAscii } from "./bytes.js";
import { invalid } from "./validation.js";

/** One member of a Unix `ar` archive (the common format dpkg-deb writes: no long-name table). */
export interface ArMember {
  /**
   * 1-15 printable ASCII characters without spaces or "/" (the header field holds 16, but GNU ar
   * drops the 16th of an unterminated name; dpkg's longest, `control.tar.zst`, has 15).
   */
  name: string;
  data: Uint8Array;
  /** Seconds since the epoch; default 0. */
  mtime?: number;
  /** Default 0. */
  uid?: number;
  /** Default 0. */
  gid?: number;
  /** Default 0o100644. */
  mode?: number;
}

const AR_MAGIC = "!<arch>\n";
const HEADER_SIZE = 60;

/**
 * Writes an `ar` archive: magic, then per member a 60-byte header (name 16, mtime 12, uid 6, gid 6,
 * octal mode 8, decimal size 10, "`\n") and the data padded to an even length with "\n".
 */
export function writeAr(members: readonly ArMember[]): Uint8Array {
  let total = AR_MAGIC.length;
  for (const [index, member] of members.entries()) {
    if (!/^[\x21-\x7e]{1,15}$/.test(member.name) || member.name.includes("/")) {
      invalid("ar member", `members[${index}].name`, `"${member.name}" must be 1-15 printable ASCII characters without "/"`);
    }
    if (member.data.length > 9_999_999_999) invalid("ar member", `members[${index}].data`, "larger than the 10-digit size field");
    total += HEADER_SIZE + member.data.length + (member.data.length % 2);
  }
  const out = Buffer.alloc(total, 0x20);
  writeAscii(out, 0, AR_MAGIC);
  let offset = AR_MAGIC.length;
  for (const member of members) {
    writeAscii(out, offset, member.name);
    writeAscii(out, offset + 16, String(member.mtime ?? 0));
    writeAscii(out, offset + 28, String(member.uid ?? 0));
    writeAscii(out, offset + 34, String(member.gid ?? 0));
    writeAscii(out, offset + 40, (member.mode ?? 0o100644).toString(8));
    writeAscii(out, offset + 48, String(member.data.length));
    writeAscii(out, offset + 58, "`\n");
    offset += HEADER_SIZE;
    out.set(member.data, offset);
    offset += member.data.length;
    if (member.data.length % 2 === 1) out[offset++] = 0x0a;
  }
  return out;
}
