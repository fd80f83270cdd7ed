/**
 * IP addresses and CIDR networks as 128-bit integers (IPv4 mapped into ::ffff:0:0/96,
 * as Elasticsearch's ip type stores them), shared by the IR builder, backends and evaluator.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function parseIPv4(s: string): bigint | undefined {
  if (!isIPv4(s)) return undefined;
  return s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

/** 128-bit value of an IPv6 address (IPv4-in-IPv6 tails accepted). */
export function parseIPv6(s: string): bigint | undefined {
  if (!isIPv6(s)) return undefined;
  let text = s.replace(/%.*$/, '');
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const v = parseIPv4(v4tail[1])!;
    text = text.slice(0, -v4tail[1].length) + `${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const V4_MAPPED = 0xffffn << 32n;

/** Address as Elasticsearch's ip field sees it: IPv4 becomes ::ffff:a.b.c.d. */
export function parseIp(s: string): bigint | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return V4_MAPPED | v4;
  return parseIPv6(s);
}

export interface Network {
  version: 4 | 6;
  /** In the 128-bit space (IPv4 networks mapped). */
  base: bigint;
  prefix128: number;
  /** Canonical text, e.g. 10.0.0.0/8. */
  text: string;
  /** Prefix length as written for its version. */
  prefix: number;
}

function formatIPv6(v: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 says.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parse a CIDR strictly (host bits must be zero, as Python's ip_network does); undefined reason -> valid. */
export function parseCidr(s: string): Network | string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  const addr = m ? m[1] : s.trim();
  const v4 = parseIPv4(addr);
  const v6 = v4 === undefined ? parseIPv6(addr) : undefined;
  if (v4 === undefined && v6 === undefined) return `'${s}' is not an IPv4 or IPv6 network`;
  const version: 4 | 6 = v4 !== undefined ? 4 : 6;
  const bits = version === 4 ? 32 : 128;
  const prefix = m ? Number(m[2]) : bits;
  if (prefix > bits) return `prefix length /${prefix} is longer than ${bits} bits`;
  const value = version === 4 ? v4! : v6!;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) return `'${s}' has host bits set (did you mean ${version === 4 ? formatV4(value & ~hostMask) : formatIPv6(value & ~hostMask)}/${prefix}?)`;
  const text = `${version === 4 ? formatV4(value) : formatIPv6(value)}/${prefix}`;
  return {
    version,
    base: version === 4 ? V4_MAPPED | value : value,
    prefix128: version === 4 ? 96 + prefix : prefix,
    text,
    prefix,
  };
}

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => ((v >> s) & 0xffn).toString()).join('.');
}

export function inNetwork(addr: bigint, net: Network): boolean {
  const shift = BigInt(128 - net.prefix128);
  return addr >> shift === net.base >> shift;
}
