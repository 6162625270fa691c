/**
 * Just enough DER (X.690) to read two fields of a certificate that `X509Certificate` does not
 * expose as bytes: the serial number's encoding and the Authority Key Identifier.
 */

/** One TLV: its tag, and where its contents start and end in the buffer. */
interface Element {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function element(der: Uint8Array, at: number): Element {
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error('DER length not supported');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  if (end > der.length) throw new Error('DER element runs past the end');
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = element(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

const OID_AUTHORITY_KEY_IDENTIFIER = Buffer.from([0x55, 0x1d, 0x23]);

/**
 * The serial number's content octets (as encoded, leading zero included) and the AKI's
 * `keyIdentifier`, from a DER certificate; the AKI is undefined when the certificate has none.
 */
export function serialAndAuthorityKeyId(der: Uint8Array): { serial: Buffer; aki: Buffer | undefined } {
  const certificate = element(der, 0);
  const tbs = children(der, certificate)[0]!;
  const fields = children(der, tbs);
  // An explicit version ([0]) comes first when present; the serial is the first INTEGER.
  const serialField = fields[0]!.tag === 0xa0 ? fields[1]! : fields[0]!;
  const serial = Buffer.from(der.subarray(serialField.start, serialField.end));
  const extensionsWrapper = fields.find((f) => f.tag === 0xa3);
  let aki: Buffer | undefined;
  if (extensionsWrapper) {
    const [extensions] = children(der, extensionsWrapper);
    for (const extension of children(der, extensions!)) {
      const parts = children(der, extension);
      const oid = Buffer.from(der.subarray(parts[0]!.start, parts[0]!.end));
      if (!oid.equals(OID_AUTHORITY_KEY_IDENTIFIER)) continue;
      const value = parts[parts.length - 1]!;
      const [sequence] = children(der, value);
      const keyId = children(der, sequence!).find((c) => c.tag === 0x80);
      if (keyId) aki = Buffer.from(der.subarray(keyId.start, keyId.end));
    }
  }
  return { serial, aki };
}
