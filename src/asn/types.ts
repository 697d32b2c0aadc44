export interface AsnInfo {
  asn: number;
  org: string;
}

export interface AsnDb {
  /** ASN of the network announcing `ip`; null for malformed input or unrouted space. Never throws. */
  lookup(ip: string): AsnInfo | null;
  /** Dataset the index was built from (`name@version`), for attribution in reports and snapshots. */
  readonly source: string;
  /** Number of IPv4 + IPv6 ranges after overlaps are resolved and adjacent same-ASN ranges merged. */
  readonly ranges: number;
}

export interface AsnDbOptions {
  /** Where the binary index lives. Default: $SINGLEPATH_CACHE_DIR, else `<package root>/.cache`. */
  cacheDir?: string;
  /** Directory holding `asn-ipv4-num.csv` and `asn-ipv6-num.csv`. Default: the installed `@ip-location-db/asn`. */
  dataDir?: string;
}

/** A range given as IP strings, for building a small db in tests. */
export interface AsnRow {
  start: string;
  end: string;
  asn: number;
  org: string;
}
