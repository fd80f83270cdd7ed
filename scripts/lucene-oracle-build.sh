#!/usr/bin/env bash
# Builds tools/lucene-oracle (the Lucene RegExp/wildcard oracle used by test/regex). Idempotent:
# does nothing when the jar and classpath are newer than the sources.
# Lucene 10 needs Java 21+: uses $ORACLE_JAVA_HOME, else a JDK >= 21 under /usr/lib/jvm, else $JAVA_HOME.
set -euo pipefail
cd "$(dirname "$0")/../tools/lucene-oracle"
jar=target/lucene-oracle-1.0.jar
if [[ -f $jar && -f target/classpath.txt && -z "$(find pom.xml src -newer "$jar" -print -quit)" ]]; then
  echo "lucene-oracle: up to date"; exit 0
fi
if [[ -z "${ORACLE_JAVA_HOME:-}" ]]; then
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*-21* "${JAVA_HOME:-}"; do
    if [[ -n $d && -x $d/bin/java ]]; then ORACLE_JAVA_HOME=$d; break; fi
  done
fi
export JAVA_HOME=${ORACLE_JAVA_HOME:?no JDK >= 21 found; set ORACLE_JAVA_HOME}
mvn -q -B -DskipTests package
echo "$JAVA_HOME/bin/java" > target/java-path.txt
echo "lucene-oracle: built $jar with $JAVA_HOME"
