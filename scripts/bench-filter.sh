#!/usr/bin/env bash
# Filter benchmark: builds the demo site of N pipelines (default 100,000; the demo
# archive of 100k takes minutes and about 3 GB to ingest, and is cached), then
# prints the total size of the filter indexes (idx/, per list and in total) and the
# filter latency in headless Chromium: loading a list's whole index (cold) and
# filtering + sorting + rendering the first page of results (warm), for the
# pipelines, Copr and Testing Farm lists. Prints figures only; asserts nothing.
#
#   scripts/bench-filter.sh [PIPELINES]
#
# PACKIT_PAGES_BENCH_PROFILE=dev uses the debug binary instead of a release build.
# Needs node, playwright-core in tests/browser (npm ci) and /usr/bin/chromium
# (scripts/install-test-deps installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
profile="${PACKIT_PAGES_BENCH_PROFILE:-release}"
case "$profile" in
  release) bindir=release ;;
  dev) bindir=debug ;;
  *) echo "unknown profile $profile (release|dev)" >&2; exit 2 ;;
esac
cargo build --quiet --profile "$profile" --bin packit-pages
bin="${CARGO_TARGET_DIR:-target}/$bindir/packit-pages"
work="${BENCH_DIR:-target/bench-filter}"
out="$work/site-$n"
mkdir -p "$work"
start=$(date +%s.%N)
"$bin" build --demo --pipelines "$n" --out "$out" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "site of $n pipelines built in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s: $(tail -n 1 "$work/build.log")"
python3 - "$out/idx" <<'PY'
import os, sys
root = sys.argv[1]
total = files = 0
rows = []
for name in sorted(os.listdir(root)):
    size = count = 0
    for f in os.listdir(os.path.join(root, name)):
        size += os.path.getsize(os.path.join(root, name, f)); count += 1
    rows.append((name, size, count)); total += size; files += count
for name, size, count in rows:
    print(f"index {name:<20} {size/1024:9.1f} KiB in {count} files")
print(f"index total                {total/1024/1024:9.2f} MiB in {files} files")
PY
node tests/browser/bench-filter.mjs "$out"
