#!/usr/bin/env bash
# Full-build benchmark of the static site: pages per second and peak memory for
# archives of 10,000 and 100,000 pipelines (release mode). Prints figures only;
# nothing here asserts timings.
#
#   scripts/bench-site.sh [PIPELINES...]      (default: 10000 100000)
#
# Uses `packit-pages demo-archive` when the binary has it, else the synthetic
# archive of the test suite (examples/synthetic_archive.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000)
cargo build --release --quiet --bin packit-pages --example synthetic_archive
bin=target/release/packit-pages
work=${BENCH_DIR:-target/bench-site}
mkdir -p "$work"
for n in "${sizes[@]}"; do
  archive="$work/archive-$n.sqlite"
  if [ ! -f "$archive" ]; then
    if "$bin" demo-archive --help >/dev/null 2>&1; then
      "$bin" demo-archive --pipelines "$n" --seed 1 "$archive"
    else
      target/release/examples/synthetic_archive "$archive" "$n"
    fi
  fi
  out="$work/site-$n"
  rm -rf "$out"
  for run in full-build rebuild-unchanged; do
    /usr/bin/time -f '%M %e' -o "$work/time" "$bin" build --archive "$archive" --out "$out" \
      --report-json "$work/report.json" 2>"$work/log" || { cat "$work/log"; exit 1; }
    read -r rss secs <"$work/time"
    files=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["files"], r["pages"], r["write"]["written"])' "$work/report.json")
    read -r nfiles npages nwritten <<<"$files"
    printf '%-8s pipelines=%-7s %-18s files=%-8s pages=%-8s written=%-8s %6.1f s  %8.0f files/s  %8.0f pages/s  peak RSS %6.1f MiB\n' \
      "bench" "$n" "$run" "$nfiles" "$npages" "$nwritten" "$secs" \
      "$(python3 -c "print($nfiles/max($secs,0.001))")" "$(python3 -c "print($npages/max($secs,0.001))")" \
      "$(python3 -c "print($rss/1024)")"
  done
done
