#!/usr/bin/env bash
# Downloads the real engines from Maven Central into the engine cache and builds the
# OpenSearch launcher. Idempotent: a second run only checks that everything is in place.
#
#   SIGMA_ES_CACHE        cache folder (default: <repo>/.cache/engines)
#   SIGMA_ES_ES_VERSION   Elasticsearch version (default: 9.5.0 when a Java 21+ JDK exists, else 8.19.21)
#   SIGMA_ES_ONLY         "elasticsearch" or "opensearch" to provision just one
#
# Writes <cache>/elasticsearch.json and <cache>/opensearch.json, which src/engine reads to
# know where each engine lives and which JDK runs it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${SIGMA_ES_CACHE:-$repo/.cache/engines}"
only="${SIGMA_ES_ONLY:-}"
mkdir -p "$cache/dl"
log() { echo "provision: $*" >&2; }

java_major() { # prints the feature version of the JDK at $1, or nothing
  local v
  v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')" || return 0
  echo "${v%%.*}"
}
find_jdk() { # find_jdk MIN [MAX]: first JDK under /usr/lib/jvm (and $JAVA_HOME) within the range
  local min="$1" max="${2:-999}" d m
  for d in ${SIGMA_ES_JDKS:-} ${JAVA_HOME:-} /usr/lib/jvm/temurin-25* /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] || continue
    m="$(java_major "$d")"
    [ -n "$m" ] && [ "$m" -ge "$min" ] && [ "$m" -le "$max" ] && { echo "$d"; return 0; }
  done
  return 1
}

traversable_by_others() { # every folder from / down to $1 lets other users pass through
  local d m
  d="$(cd "$1" && pwd -P)"
  while [ "$d" != "/" ]; do
    m="$(stat -c %a "$d")"
    [ $(( ${m: -1} & 1 )) -eq 1 ] || return 1
    d="$(dirname "$d")"
  done
}

command -v mvn >/dev/null || { log "Maven (mvn) is required: apt-get install maven"; exit 1; }
command -v unzip >/dev/null || { log "unzip is required: apt-get install unzip"; exit 1; }

# ---------------------------------------------------------------- Elasticsearch
if [ "$only" != "opensearch" ]; then
  if jdk21="$(find_jdk 21)"; then
    es_version="${SIGMA_ES_ES_VERSION:-9.5.0}"
  else
    es_version="${SIGMA_ES_ES_VERSION:-8.19.21}"
  fi
  case "$es_version" in
    9.*) es_java="$(find_jdk 21)" || { log "Elasticsearch $es_version needs Java 21+ and none was found"; exit 1; } ;;
    # 8.x is built and tested on 17 and 21; prefer those over a newer JDK.
    *) es_java="$(find_jdk 17 21 || find_jdk 17)" || { log "Elasticsearch $es_version needs Java 17+ and none was found"; exit 1; } ;;
  esac
  es_root="$cache"
  if [ "$(id -u)" = 0 ] && ! traversable_by_others "$cache"; then
    # Elasticsearch runs as an unprivileged user, who must be able to reach its files.
    es_root="/var/tmp/sigma-es-engines"
    mkdir -p "$es_root"
    chmod 755 "$es_root"
    log "$cache is not reachable by other users; installing Elasticsearch under $es_root"
  fi
  es_home="$es_root/elasticsearch-$es_version"
  if [ ! -f "$es_home/.sigma-es-provisioned" ]; then
    zip="$cache/dl/elasticsearch-$es_version.zip"
    if [ ! -f "$zip" ]; then
      log "downloading Elasticsearch $es_version (integ-test-zip) from Maven Central"
      mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$es_version:zip" \
        -DoutputDirectory="$cache/dl" \
        || { log "could not download org.elasticsearch.distribution.integ-test-zip:elasticsearch:$es_version:zip from Maven Central (Maven's output is above)"; exit 1; }
    fi
    rm -rf "$es_home" "$es_home.tmp"
    mkdir -p "$es_home.tmp"
    unzip -q "$zip" -d "$es_home.tmp"
    mv "$es_home.tmp/elasticsearch-$es_version" "$es_home"
    rmdir "$es_home.tmp"
    # Settings that never change between runs; ports and data paths are passed with -E at
    # start so several nodes can share one installation.
    cat >> "$es_home/config/elasticsearch.yml" <<'YML'

# --- sigma-es test engine ---
cluster.name: sigma-es
node.name: sigma-es-1
discovery.type: single-node
# Loopback keeps the production bootstrap checks (vm.max_map_count, file descriptors) in
# warning mode, which is what lets it start on an untuned CI machine.
network.host: 127.0.0.1
# The integ-test distribution would otherwise auto-configure TLS and passwords.
xpack.security.enabled: false
# A nearly full disk must not turn test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
YML
    touch "$es_home/.sigma-es-provisioned"
    log "Elasticsearch $es_version ready in $es_home"
  else
    log "Elasticsearch $es_version already provisioned"
  fi
  if [ "$(id -u)" = 0 ] && ! id sigma-es >/dev/null 2>&1; then
    # Elasticsearch refuses to run as root.
    useradd --system --no-create-home --shell /usr/sbin/nologin sigma-es
    log "created system user sigma-es to run Elasticsearch"
  fi
  printf '{"flavour":"elasticsearch","version":"%s","home":"%s","javaHome":"%s"}\n' \
    "$es_version" "$es_home" "$es_java" > "$cache/elasticsearch.json"
fi

# ---------------------------------------------------------------- OpenSearch
if [ "$only" != "elasticsearch" ]; then
  os_java="$(find_jdk 17 20 || find_jdk 17)" || { log "OpenSearch 2.19 needs Java 17+ and none was found"; exit 1; }
  pom="$repo/engine/opensearch/pom.xml"
  target="$repo/engine/opensearch/target"
  if [ ! -f "$target/classpath.txt" ] || [ ! -d "$target/classes/sigmaes" ] || [ "$pom" -nt "$target/classpath.txt" ] \
     || [ -n "$(find "$repo/engine/opensearch/src" -newer "$target/classpath.txt" -type f 2>/dev/null)" ]; then
    log "building the OpenSearch launcher (resolves OpenSearch from Maven Central on first run)"
    JAVA_HOME="$os_java" mvn -B -q -f "$pom" package dependency:build-classpath \
      || { log "could not build the OpenSearch launcher (Maven's output is above)"; exit 1; }
    touch "$target/classpath.txt"
  else
    log "OpenSearch launcher already built"
  fi
  os_version="$(sed -n 's:.*<opensearch.version>\(.*\)</opensearch.version>.*:\1:p' "$pom")"
  printf '{"flavour":"opensearch","version":"%s","classes":"%s","classpathFile":"%s","javaHome":"%s"}\n' \
    "$os_version" "$target/classes" "$target/classpath.txt" "$os_java" > "$cache/opensearch.json"
fi
log "done ($cache)"
