#!/usr/bin/env bash
# Probes which query features a running engine supports, printing each request and the
# engine's answer, so docs/engines.md can quote real responses rather than documentation.
# Usage: bash scripts/engine/probe-features.sh http://127.0.0.1:9200
set -u
E="${1:-${ES_URL:-http://127.0.0.1:9200}}"
I=sigma-probe
req() { # method path [body]
  local m="$1" p="$2" b="${3:-}"
  echo "### $m $p ${b:+$b}"
  if [ -n "$b" ]; then
    curl -s -X "$m" "$E$p" -H 'Content-Type: application/json' --data-binary "$b"
  else
    curl -s -X "$m" "$E$p"
  fi
  echo; echo
}
curl -s -X DELETE "$E/$I" >/dev/null
req PUT "/$I" '{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":{"properties":{"k":{"type":"keyword"},"ip":{"type":"ip"},"n":{"type":"long"},"t":{"type":"text"},"@timestamp":{"type":"date"}}}}'
printf '%s\n' '{"index":{"_id":"1"}}' '{"k":"C:\\Windows\\System32\\WMIC.exe","ip":"10.1.2.3","n":5,"t":"hello world","@timestamp":"2024-01-01T00:00:00Z"}' \
  '{"index":{"_id":"2"}}' '{"k":"wmic.EXE","ip":"192.168.1.1","n":50,"t":"other","@timestamp":"2024-01-02T00:00:00Z"}' \
  '{"index":{"_id":"3"}}' '{"n":7}' > /tmp/probe.ndjson
echo "### POST /$I/_bulk?refresh=true"; curl -s -X POST "$E/$I/_bulk?refresh=true&filter_path=errors" -H 'Content-Type: application/x-ndjson' --data-binary @/tmp/probe.ndjson; echo; echo
S="/$I/_search?filter_path=hits.hits._id,error.root_cause.reason,error.type"
req POST "$S" '{"query":{"term":{"k":{"value":"WMIC.EXE","case_insensitive":true}}}}'
req POST "$S" '{"query":{"prefix":{"k":{"value":"c:\\windows","case_insensitive":true}}}}'
req POST "$S" '{"query":{"wildcard":{"k":{"value":"*wmic.exe","case_insensitive":true}}}}'
req POST "$S" '{"query":{"regexp":{"k":{"value":".*wmic\\.exe","case_insensitive":true,"flags":"ALL"}}}}'
req POST "$S" '{"query":{"exists":{"field":"k"}}}'
req POST "$S" '{"query":{"range":{"n":{"gte":6,"lt":100}}}}'
req POST "$S" '{"query":{"terms":{"k":["wmic.EXE","nope"]}}}'
req POST "$S" '{"query":{"term":{"ip":"10.0.0.0/8"}}}'
req POST "$S" '{"query":{"query_string":{"query":"k:*WMIC.exe AND ip:10.0.0.0\\/8","analyze_wildcard":true}}}'
req POST "$S" '{"query":{"match":{"t":"hello"}}}'
echo "### POST /_msearch"; printf '%s\n' "{\"index\":\"$I\"}" '{"query":{"term":{"n":7}}}' "{\"index\":\"no-such-index\"}" '{"query":{"match_all":{}}}' | curl -s -X POST "$E/_msearch?filter_path=responses.hits.hits._id,responses.error.type,responses.status" -H 'Content-Type: application/x-ndjson' --data-binary @-; echo; echo
req POST "/$I/_eql/search" '{"query":"any where k == \"wmic.EXE\""}'
req POST "/_query" "{\"query\":\"FROM $I | WHERE n > 6 | KEEP k, n\"}"
req POST "/_sql?format=txt" "{\"query\":\"SELECT k FROM \\\"$I\\\"\"}"
req POST "$S" '{"query":{"script":{"script":{"source":"doc[\"n\"].value > 6","lang":"painless"}}}}'
req POST "$S" '{"runtime_mappings":{"x":{"type":"keyword","script":{"source":"emit(\"a\")"}}},"query":{"term":{"x":"a"}}}'
req PUT "/$I-wc" '{"mappings":{"properties":{"w":{"type":"wildcard"}}}}'
req PUT "/$I-mot" '{"mappings":{"properties":{"w":{"type":"match_only_text"}}}}'
req PUT "/$I-norm" '{"mappings":{"properties":{"w":{"type":"keyword","normalizer":"lowercase"}}}}'
req POST "/_analyze" '{"analyzer":"whitespace","text":"A b"}'
req POST "/_analyze" '{"tokenizer":"standard","filter":["lowercase"],"text":"A B"}'
req POST "/_analyze" '{"analyzer":"simple","text":"A b"}'
curl -s -X DELETE "$E/$I,$I-wc,$I-mot,$I-norm?ignore_unavailable=true" >/dev/null
