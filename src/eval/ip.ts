/**
 * IP addresses the way an Elasticsearch `ip` field sees them: every address is 16 bytes,
 * IPv4 stored as IPv4-mapped IPv6 (::ffff:a.b.c.d), so `::ffff:10.1.2.3` *is* 10.1.2.3 and an
 * IPv4 CIDR is the mapped /96+n prefix. Parsing follows ES's InetAddresses.forString:
 * dotted quads without leading zeros, RFC 4291 IPv6 text, zone ids dropped. A hextet may have more
 * than four digits when the extra ones are leading zeros (`0fe80::1` is fe80::1): both engines
 * parse each hextet as an integer and only refuse one above 0xffff.
 */

export type Ip16 = Uint8Array;

function parseV4(s: string, out: Uint8Array, at: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (let k = 0; k < 4; k++) {
    const p = parts[k];
    if (!/^\d{1,3}$/.test(p)) return false;
    if (p.length > 1 && p[0] === '0') return false;
    const n = Number(p);
    if (n > 255) return false;
    out[at + k] = n;
  }
  return true;
}

export function parseIp(text: string): Ip16 | null {
  // Elasticsearch drops a non-empty zone id after any address (`fe80::1%eth0`, `1.2.3.4%x`);
  // OpenSearch refuses one after IPv4 text (docs/divergences.md, row 23).
  const zone = text.indexOf('%');
  if (zone === text.length - 1) return null;
  const s = zone >= 0 ? text.slice(0, zone) : text;
  const out = new Uint8Array(16);
  if (s.indexOf(':') < 0) {
    out[10] = 0xff;
    out[11] = 0xff;
    return parseV4(s, out, 12) ? out : null;
  }
  let head = s;
  let tailV4: string | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    tailV4 = s.slice(lastColon + 1);
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl >= 0 && head.indexOf('::', dbl + 1) >= 0) return null;
  const groups: number[] = [];
  const parseGroups = (t: string): number[] | null => {
    if (t === '') return [];
    const r: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9a-fA-F]+$/.test(g)) return null;
      const n = parseInt(g, 16);
      if (n > 0xffff) return null;
      r.push(n);
    }
    return r;
  };
  if (dbl >= 0) {
    const a = parseGroups(head.slice(0, dbl));
    const b = parseGroups(head.slice(dbl + 2));
    if (!a || !b || a.length + b.length > 7) return null;
    groups.push(...a, ...new Array(8 - a.length - b.length).fill(0), ...b);
  } else {
    const a = parseGroups(head);
    if (!a || a.length !== 8) return null;
    groups.push(...a);
  }
  for (let k = 0; k < 8; k++) {
    out[2 * k] = groups[k] >> 8;
    out[2 * k + 1] = groups[k] & 0xff;
  }
  if (tailV4 !== null && !parseV4(tailV4, out, 12)) return null;
  return out;
}

export interface Cidr {
  net: Ip16;
  /** Prefix length in the 128-bit space (IPv4 /n is 96+n). */
  bits: number;
}

/** `10.0.0.0/8`, `fe80::/10`, or a bare address (a /32 or /128). */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  const addr = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!addr) return null;
  const isV4 = s.slice(0, slash < 0 ? undefined : slash).indexOf(':') < 0;
  let bits = isV4 ? 32 : 128;
  if (slash >= 0) {
    const b = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b)) return null;
    bits = Number(b);
    if (bits > (isV4 ? 32 : 128)) return null;
  }
  return { net: addr, bits: isV4 ? bits + 96 : bits };
}

export function cidrContains(c: Cidr, ip: Ip16): boolean {
  let bits = c.bits;
  for (let k = 0; k < 16 && bits > 0; k++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((c.net[k] & mask) !== (ip[k] & mask)) return false;
  }
  return true;
}

export function ipEquals(a: Ip16, b: Ip16): boolean {
  for (let k = 0; k < 16; k++) if (a[k] !== b[k]) return false;
  return true;
}
