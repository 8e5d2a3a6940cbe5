/**
 * Tiny writers for ar and tar archives, used by tests to hand-craft .deb files (odd padding,
 * GNU long names, pax headers, `_` members, corrupt headers) that dpkg-deb would never produce.
 */

const encoder = new TextEncoder();

export function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export interface ArMemberSpec {
  readonly name: string;
  readonly data: Uint8Array | string;
  /** Write the name GNU-style with a trailing `/`. */
  readonly gnuName?: boolean;
  /** Override the size field text (to corrupt it). */
  readonly sizeField?: string;
}

/** An ar archive in the common format (what dpkg writes), odd members padded with `\n`. */
export function buildAr(members: readonly ArMemberSpec[], options: { padLast?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [bytesOf("!<arch>\n")];
  members.forEach((member, i) => {
    const data = typeof member.data === "string" ? bytesOf(member.data) : member.data;
    const name = member.gnuName ? `${member.name}/` : member.name;
    const header =
      name.padEnd(16) +
      "0".padEnd(12) +
      "0".padEnd(6) +
      "0".padEnd(6) +
      "100644".padEnd(8) +
      (member.sizeField ?? String(data.length)).padEnd(10) +
      "`\n";
    parts.push(bytesOf(header), data);
    const last = i === members.length - 1;
    if (data.length % 2 === 1 && (!last || options.padLast !== false)) parts.push(bytesOf("\n"));
  });
  return concat(parts);
}

export interface TarEntrySpec {
  readonly name: string;
  readonly data?: Uint8Array | string;
  /** Typeflag, default "0" ("5" for names ending in "/"). */
  readonly type?: string;
  readonly linkName?: string;
  /** Header flavour: ustar (POSIX, with prefix split for long names), gnu (././@LongLink for long names), v7, pax. */
  readonly format?: "ustar" | "gnu" | "v7" | "pax";
  /** Corrupt the header checksum. */
  readonly badChecksum?: boolean;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: string, size: number, type: string, options: { magic: "ustar" | "gnu" | "v7"; prefix?: string; linkName?: string; badChecksum?: boolean }): Uint8Array {
  const block = new Uint8Array(512);
  const put = (offset: number, text: string | Uint8Array, max: number) => {
    const bytes = typeof text === "string" ? bytesOf(text) : text;
    block.set(bytes.subarray(0, max), offset);
  };
  put(0, name, 100);
  put(100, octal(0o644, 8), 8);
  put(108, octal(0, 8), 8);
  put(116, octal(0, 8), 8);
  put(124, octal(size, 12), 12);
  put(136, octal(0, 12), 12);
  put(156, type, 1);
  put(157, options.linkName ?? "", 100);
  if (options.magic === "ustar") {
    put(257, "ustar\0", 6);
    put(263, "00", 2);
    put(345, options.prefix ?? "", 155);
  } else if (options.magic === "gnu") {
    put(257, "ustar  \0", 8);
  }
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  if (options.badChecksum) sum += 1;
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `, 8);
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.length % 512;
  return rest === 0 ? [data] : [data, new Uint8Array(512 - rest)];
}

/** A tar archive with the given entries and two zero blocks at the end (unless `noEnd`). */
export function buildTar(entries: readonly TarEntrySpec[], options: { noEnd?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? bytesOf(entry.data) : (entry.data ?? new Uint8Array(0));
    const type = entry.type ?? (entry.name.endsWith("/") ? "5" : "0");
    const format = entry.format ?? "ustar";
    let name = entry.name;
    let prefix: string | undefined;
    if (format === "gnu" && bytesOf(name).length > 100) {
      const long = bytesOf(`${name}\0`);
      parts.push(header("././@LongLink", long.length, "L", { magic: "gnu" }), ...padded(long));
      name = name.slice(0, 99);
    } else if (format === "pax") {
      const record = (key: string, value: string) => {
        const body = ` ${key}=${value}\n`;
        let length = bytesOf(body).length;
        length += String(length + String(length).length).length;
        return `${length}${body}`;
      };
      const pax = bytesOf(record("path", name));
      parts.push(header("PaxHeader/x", pax.length, "x", { magic: "ustar" }), ...padded(pax));
      name = "truncated-by-pax";
    } else if (format === "ustar" && name.length > 100) {
      const cut = name.lastIndexOf("/", 155);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    parts.push(header(name, data.length, type, { magic: format === "pax" ? "ustar" : format, prefix, linkName: entry.linkName, badChecksum: entry.badChecksum }));
    if (data.length > 0) parts.push(...padded(data));
  }
  if (!options.noEnd) parts.push(new Uint8Array(1024));
  return concat(parts);
}

/** A .deb made by hand: debian-binary, control.tar(.gz), data.tar, plus any extra members. */
export function buildDeb(options: {
  control: string;
  controlTar?: Uint8Array;
  controlMember?: string;
  controlCompress?: (tar: Uint8Array) => Uint8Array;
  debianBinary?: string;
  before?: readonly ArMemberSpec[];
  between?: readonly ArMemberSpec[];
  after?: readonly ArMemberSpec[];
  gnuNames?: boolean;
}): Uint8Array {
  const tar = options.controlTar ?? buildTar([{ name: "./", type: "5" }, { name: "./control", data: options.control }]);
  const control = options.controlCompress ? options.controlCompress(tar) : tar;
  return buildAr([
    ...(options.before ?? []),
    { name: "debian-binary", data: options.debianBinary ?? "2.0\n", gnuName: options.gnuNames },
    { name: options.controlMember ?? "control.tar", data: control, gnuName: options.gnuNames },
    ...(options.between ?? []),
    { name: "data.tar", data: buildTar([]), gnuName: options.gnuNames },
    ...(options.after ?? []),
  ]);
}
