#!/usr/bin/env bash
# Checks that the build is reproducible: builds every module's jars twice from clean (tests skipped) and compares
# them byte for byte. Every jar of the reactor counts: main, sources, Javadoc, test jars and the executable demo jar.
# A difference prints the jars that differ and the archive entries whose content differs, and exits 1.
#
# Usage: scripts/reproducible.sh [--existing] [extra Maven flags, for example -o]
#   --existing  take the jars already in the modules' target directories (from a build just made, such as
#               .ci/run's mvn verify) as the first build, and build once more.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/iscsi4j-repro.XXXXXX")
trap 'rm -rf "$work"' EXIT

build() {
  mvn -B -q -Dstyle.color=never -DskipTests "$@" clean package >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    echo "reproducible.sh: the build failed" >&2
    exit 1
  }
}

snapshot() {
  local into=$1
  mkdir -p "$into"
  # Every jar the reactor built, named by module and file.
  find . -path ./.git -prune -o -path '*/target/*.jar' -print | sort | while read -r jar; do
    local name=${jar#./}
    mkdir -p "$into/$(dirname "$name")"
    cp "$jar" "$into/$name"
  done
}

if [[ ${1:-} == --existing ]]; then
  shift
else
  build "$@"
fi
snapshot "$work/first"
build "$@"
snapshot "$work/second"

count=$(find "$work/first" -name '*.jar' | wc -l)
if ((count == 0)); then
  echo "reproducible.sh: the build made no jars" >&2
  exit 1
fi

status=0
while read -r jar; do
  name=${jar#"$work/first/"}
  if [[ ! -f $work/second/$name ]]; then
    echo "reproducible.sh: $name exists after the first build only" >&2
    status=1
  elif ! cmp -s "$jar" "$work/second/$name"; then
    echo "reproducible.sh: $name differs between two builds" >&2
    # Name the entries that differ (content or time), to find the plugin that is not reproducible.
    diff <(unzip -lv "$jar" | awk 'NR>3 {print $5, $6, $7, $8}') \
      <(unzip -lv "$work/second/$name" | awk 'NR>3 {print $5, $6, $7, $8}') | grep "^[<>]" | head -6 >&2 || true
    status=1
  fi
done < <(find "$work/first" -name '*.jar' | sort)

if ((status == 0)); then
  echo "reproducible.sh: $count jars, byte-identical in two builds from clean"
fi
exit $status
