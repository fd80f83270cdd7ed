/**
 * Index mapping profiles: the one description of field types that the index template,
 * the translator and the evaluator all read, so the three agree on what a field is.
 *
 * Every field not listed is a `keyword` (whatever its JSON type: strings, numbers and
 * booleans are all indexed as their text, so a document's mapping never depends on which
 * event happened to arrive first). Listed fields get the real type (ip, long, date…).
 * All keyword values are also copied into one catch-all keyword field, which is what
 * Sigma keyword (unbound) searches query.
 */

export type FieldKind = 'keyword' | 'ip' | 'long' | 'double' | 'date' | 'boolean';

export interface MappingProfile {
  name: string;
  description: string;
  /**
   * Keyword values longer than this many characters are not indexed (ES `ignore_above`),
   * so no term/wildcard/regexp query can match them. 8191 is the largest value for which
   * any UTF-8 string stays under Lucene's 32,766-byte term limit (8191 × 4 = 32,764).
   */
  ignoreAbove: number;
  /** Catch-all keyword field that receives a copy of every keyword value (Sigma keywords). */
  keywordsField: string;
  /** Fields with a type other than keyword. Dotted names, as ES flattens objects. */
  fields: Record<string, FieldKind>;
  /** `index.mapping.total_fields.limit` of the index (default TOTAL_FIELDS_LIMIT; tests set a small one). */
  totalFieldsLimit?: number;
}

export const IGNORE_ABOVE = 8191;
export const KEYWORDS_FIELD = 'sigma_keywords';
/** `index.mapping.total_fields.limit` of every index the template creates (the evaluator models it). */
export const TOTAL_FIELDS_LIMIT = 100000;
/** `index.mapping.depth.limit`: ES's default, not set by the template (the evaluator models it). */
export const DEPTH_LIMIT = 20;

const ecs: MappingProfile = {
  name: 'ecs',
  description: 'Elastic Common Schema events (Winlogbeat/Elastic Agent shaped), for the ecs_windows pipeline',
  ignoreAbove: IGNORE_ABOVE,
  keywordsField: KEYWORDS_FIELD,
  fields: {
    '@timestamp': 'date',
    'event.created': 'date',
    'source.ip': 'ip',
    'destination.ip': 'ip',
    'client.ip': 'ip',
    'server.ip': 'ip',
    'host.ip': 'ip',
    'source.port': 'long',
    'destination.port': 'long',
    'process.pid': 'long',
    'process.parent.pid': 'long',
  },
};

const sysmon: MappingProfile = {
  name: 'sysmon',
  description: 'Sigma taxonomy / Sysmon field names at the top level (Image, CommandLine, EventID…), no pipeline',
  ignoreAbove: IGNORE_ABOVE,
  keywordsField: KEYWORDS_FIELD,
  fields: {
    // UtcTime stays keyword: Sysmon writes `2026-11-20 10:00:00.000`, which the date type's
    // default format rejects (the whole event would be refused).
    '@timestamp': 'date',
    SourceIp: 'ip',
    DestinationIp: 'ip',
    SourcePort: 'long',
    DestinationPort: 'long',
    ProcessId: 'long',
    ParentProcessId: 'long',
  },
};

const defender: MappingProfile = {
  name: 'defender',
  description: 'Microsoft Defender XDR advanced-hunting tables (DeviceProcessEvents columns), for the defender_xdr pipeline',
  ignoreAbove: IGNORE_ABOVE,
  keywordsField: KEYWORDS_FIELD,
  fields: {
    '@timestamp': 'date',
    Timestamp: 'date',
    TimeGenerated: 'date',
    ProcessCreationTime: 'date',
    ProcessId: 'long',
    InitiatingProcessId: 'long',
    InitiatingProcessParentId: 'long',
    RemoteIP: 'ip',
    LocalIP: 'ip',
    RemotePort: 'long',
    LocalPort: 'long',
  },
};

const PROFILES: Record<string, MappingProfile> = { ecs, sysmon, defender };

/**
 * The profile a command uses when none is given: the one whose field names the builtin pipelines
 * produce (ecs_windows → ECS names, defender_xdr → Defender columns), else Sysmon's. One rule for
 * `convert`, `match` and the rest, so the evaluator reads the fields the translated query names;
 * a custom pipeline file says its profile with --profile.
 */
export function defaultProfileName(pipelines: string[]): string {
  if (pipelines.includes('ecs_windows')) return 'ecs';
  if (pipelines.includes('defender_xdr')) return 'defender';
  return 'sysmon';
}

export function profileNames(): string[] {
  return Object.keys(PROFILES);
}

export function getProfile(name: string): MappingProfile | undefined {
  return PROFILES[name];
}

export function fieldKind(profile: MappingProfile, field: string): FieldKind {
  return profile.fields[field] ?? 'keyword';
}

/** Body for `PUT <index>`: settings and mappings implementing the profile. */
export function indexBody(profile: MappingProfile): Record<string, unknown> {
  const keyword = { type: 'keyword', ignore_above: profile.ignoreAbove, copy_to: profile.keywordsField };
  const properties: Record<string, unknown> = {
    [profile.keywordsField]: { type: 'keyword', ignore_above: profile.ignoreAbove },
  };
  for (const [field, kind] of Object.entries(profile.fields)) properties[field] = { type: kind };
  return {
    settings: {
      number_of_shards: 1,
      number_of_replicas: 0,
      'index.mapping.total_fields.limit': profile.totalFieldsLimit ?? TOTAL_FIELDS_LIMIT,
      'index.max_regex_length': 100000,
    },
    mappings: {
      date_detection: false,
      numeric_detection: false,
      dynamic_templates: ['string', 'long', 'double', 'boolean'].map((t) => ({
        [`${t}_as_keyword`]: { match_mapping_type: t, mapping: keyword },
      })),
      properties,
    },
  };
}
