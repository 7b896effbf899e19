#!/usr/bin/env bash
# Development driver of the customer_relations addon: set-up, PostgreSQL clusters, the Odoo
# server and the layered test run. The Makefile calls it; see README.rst.
#
#   tools/crm.sh setup        idempotent: Odoo tree, Debian packages, virtualenvs
#   tools/crm.sh run          demo database on http://127.0.0.1:8069 (own cluster in .run/)
#   tools/crm.sh test         lint, engine tests, Odoo tests with and without demo data
#   tools/crm.sh odoo-test [--without-demo]   only the Odoo layer (one install)
#   tools/crm.sh pot          regenerate customer_relations/i18n/customer_relations.pot
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
ODOO_REPO_URL=${ODOO_REPO_URL:-https://github.com/odoo/odoo.git}
VENV=$ROOT/.venv
LINT_VENV=$ROOT/.venv-lint
RUN_DIR=$ROOT/.run
PG_OS_USER=${PG_OS_USER:-crm}
HTTP_PORT=${HTTP_PORT:-8069}
TEST_HTTP_PORT=${TEST_HTTP_PORT:-8269}
DEMO_DB=${DEMO_DB:-customer_relations}
ADDON=customer_relations
DEB_PACKAGES=(postgresql libpq-dev libldap2-dev libsasl2-dev wkhtmltopdf fonts-noto-cjk
    fonts-wqy-microhei poppler-utils chromium python3-venv)

say() { printf '\033[1m[crm]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[crm]\033[0m %s\n' "$*" >&2; exit 1; }

# A Python that Odoo 18 supports (3.10 to 3.12) and that really runs: version managers such as
# pyenv put shims on the PATH for versions that are not active.
python_bin() {
    local py
    for py in python3 python3.12 python3.11 python3.10; do
        if command -v "$py" >/dev/null 2>&1 \
            && "$py" -c 'import sys, venv; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' >/dev/null 2>&1; then
            command -v "$py"
            return
        fi
    done
    die "No usable Python 3.10 to 3.12 found: install one (Debian: python3 python3-venv)."
}

pg_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql: run 'make setup'."
    echo "$dir"
}

# Run a command as the unprivileged OS user that owns the PostgreSQL clusters (PostgreSQL
# refuses to run as root); as a normal user, run it directly.
as_pg_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

pg_role() { if [ "$(id -u)" = 0 ]; then echo "$PG_OS_USER"; else id -un; fi; }

# ---------------------------------------------------------------------------------------
# set-up
# ---------------------------------------------------------------------------------------
check_odoo_src() {
    [ -f "$ODOO_SRC/odoo-bin" ] && [ -d "$ODOO_SRC/odoo" ] && [ -d "$ODOO_SRC/addons" ] \
        && [ -f "$ODOO_SRC/requirements.txt" ]
}

ensure_odoo_src() {
    if check_odoo_src; then
        grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
            || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 tree (odoo/release.py)."
        return
    fi
    say "No Odoo tree at ODOO_SRC=$ODOO_SRC; trying to clone branch 18.0 of $ODOO_REPO_URL"
    if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
        die "ODOO_SRC=$ODOO_SRC exists but has no odoo-bin, odoo/, addons/ and requirements.txt: point ODOO_SRC at an Odoo 18.0 source tree."
    fi
    if timeout 30 git ls-remote --heads "$ODOO_REPO_URL" 18.0 >/dev/null 2>&1 \
        && git clone --depth 1 --branch 18.0 "$ODOO_REPO_URL" "$ODOO_SRC"; then
        return
    fi
    die "Odoo 18.0 is needed and could not be cloned here: put an Odoo 18.0 source tree (odoo-bin, odoo/, addons/, requirements.txt) at /opt/odoo or set ODOO_SRC to one."
}

ensure_debian_packages() {
    local missing=() pkg
    for pkg in "${DEB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return
    say "Installing Debian packages: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "Missing Debian packages (${missing[*]}) and no sudo: install them as root."
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_pg_os_user() {
    [ "$(id -u)" = 0 ] || return 0
    id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --create-home --shell /bin/bash "$PG_OS_USER"
}

requirements_stamp() {
    # The first line versions the steps of ensure_venv itself: bump it when they change.
    { echo "venv steps 2"; cat "$ODOO_SRC/requirements.txt" "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" \
        "$ROOT/constraints-build.txt"; } | sha256sum | cut -d' ' -f1
}

ensure_venv() {
    local stamp
    stamp=$(requirements_stamp)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.crm-stamp" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    say "Creating the Odoo virtualenv in .venv (Odoo's requirements and ours)"
    [ -x "$VENV/bin/python" ] || "$(python_bin)" -m venv "$VENV"
    "$VENV/bin/pip" install -q "pip>=25.3,<27"
    # setuptools 81+ has no pkg_resources, which one of Odoo's pinned sdists imports to build.
    "$VENV/bin/pip" install -q --build-constraint "$ROOT/constraints-build.txt" \
        -r "$ODOO_SRC/requirements.txt" -r "$ROOT/requirements.txt" -r "$ROOT/requirements-dev.txt"
    # The venv starts with Python's bundled setuptools (65): its pkg_resources does not find the
    # `zope_interface` dist-info that gevent's monkey-patching asks for as 'zope.interface', so
    # the websocket process of a multi-worker server dies at every start. A setuptools that
    # still ships pkg_resources (below 81) and normalises names mends it.
    "$VENV/bin/pip" install -q "setuptools>=75,<81"
    "$VENV/bin/python" -W ignore -c 'import gevent.monkey; gevent.monkey.patch_all()' \
        || die "gevent does not start in .venv: the multi-worker server would fail."
    echo "$stamp" >"$VENV/.crm-stamp"
}

ensure_lint_venv() {
    local stamp
    stamp=$(sha256sum "$ROOT/requirements-lint.txt" | cut -d' ' -f1)
    if [ -x "$LINT_VENV/bin/python" ] && [ "$(cat "$LINT_VENV/.crm-stamp" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    say "Creating the linters' virtualenv in .venv-lint"
    [ -x "$LINT_VENV/bin/python" ] || "$(python_bin)" -m venv "$LINT_VENV"
    "$LINT_VENV/bin/pip" install -q -r "$ROOT/requirements-lint.txt"
    echo "$stamp" >"$LINT_VENV/.crm-stamp"
}

cmd_setup() {
    # CRM_SKIP_SETUP=1 trusts the tree, packages and virtualenvs as they are (parallel work
    # trees sharing one .venv; never set in CI).
    if [ -n "${CRM_SKIP_SETUP:-}" ]; then return; fi
    ensure_odoo_src
    ensure_debian_packages
    ensure_pg_os_user
    ensure_venv
    ensure_lint_venv
    say "Set-up complete (Odoo at $ODOO_SRC)."
}

# ---------------------------------------------------------------------------------------
# PostgreSQL clusters of our own, on a unix socket only
# ---------------------------------------------------------------------------------------
# pg_start DATADIR PORT: initdb once, start, wait. The socket lives in DATADIR/socket.
pg_start() {
    local data=$1 port=$2 bindir
    bindir=$(pg_bindir)
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$data"
    chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
        as_pg_user "$bindir/initdb" -D "$data" -U "$(pg_role)" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    mkdir -p "$data/socket"
    [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$data/socket"
    if ! as_pg_user "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_pg_user "$bindir/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" \
            -o "-p $port -k $data/socket -c listen_addresses='' -c fsync=off -c full_page_writes=off" \
            start >/dev/null || die "PostgreSQL did not start; see $data/server.log"
    fi
}

pg_stop() {
    local data=$1
    [ -f "$data/PG_VERSION" ] || return 0
    as_pg_user "$(pg_bindir)/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
}

odoo_base_args() {
    local data=$1 port=$2
    echo "--addons-path=$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ROOT" \
        "--db_host=$data/socket" "--db_port=$port" "--db_user=$(pg_role)" \
        "--max-cron-threads=0" "--workers=0"
}

# ---------------------------------------------------------------------------------------
# Odoo test layer: a throwaway cluster, a fresh database, our tests only.
# ---------------------------------------------------------------------------------------
# Prints "PASSED FAILED" for the summary on the last line of stdout.
odoo_test_once() {
    local demo_flag=$1 label=$2 tmp log port db rc summary failed errors total warnings
    tmp=$(mktemp -d /tmp/crm-test.XXXXXX)
    chmod 755 "$tmp"
    [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$tmp"
    port=$((15432 + RANDOM % 1000))
    db=crm_test
    log=$RUN_DIR/odoo-test-$label.log
    mkdir -p "$RUN_DIR"
    rm -f "$log"
    pg_start "$tmp/pgdata" "$port"
    trap 'pg_stop "'"$tmp"'/pgdata"; rm -rf "'"$tmp"'"' RETURN
    say "Odoo tests ($label): installing $ADDON in a fresh database, log in ${log#"$ROOT"/}" >&2
    rc=0
    # shellcheck disable=SC2046
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$tmp/pgdata" "$port") \
        -d "$db" -i "$ADDON" $demo_flag --test-tags "${CRM_TEST_TAGS:-/$ADDON}" --stop-after-init \
        --http-interface=127.0.0.1 --http-port="$TEST_HTTP_PORT" --data-dir="$tmp/filestore" \
        --log-level=test --logfile="$log" >/dev/null 2>&1 || rc=$?
    summary=$(grep -E "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$log" | tail -n 1 || true)
    grep -E " (ERROR|CRITICAL) " "$log" | head -n 40 >&2 || true
    warnings=$(grep -E " WARNING " "$log" || true)
    if [ -n "$warnings" ]; then
        say "Warnings in the log ($label):" >&2
        echo "$warnings" | head -n 40 >&2
    fi
    if [ -z "$summary" ]; then
        say "No test summary in the log ($label): the install failed (exit $rc)." >&2
        tail -n 30 "$log" >&2
        echo "0 1"
        return 1
    fi
    failed=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1/')
    errors=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\2/')
    total=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\3/')
    say "Odoo tests ($label): $total run, $failed failed, $errors errors" >&2
    local bad=$((failed + errors))
    if grep -qE " (ERROR|CRITICAL) " "$log" && [ "$bad" = 0 ]; then bad=1; fi
    if [ -n "$warnings" ] && echo "$warnings" | grep -q "$ADDON"; then
        say "Warnings from $ADDON count as a failure." >&2
        [ "$bad" = 0 ] && bad=1
    fi
    if [ "$total" = 0 ]; then
        say "No Odoo test ran ($label)." >&2
        bad=1
    fi
    echo "$((total - failed - errors)) $bad"
    [ "$bad" = 0 ] && [ "$rc" = 0 ]
}

cmd_odoo_test() {
    local flag="" label=demo
    if [ "${1:-}" = "--without-demo" ]; then flag="--without-demo=all"; label=nodemo; fi
    odoo_test_once "$flag" "$label"
}

# ---------------------------------------------------------------------------------------
# Upgrade layer: install the last release with its demo data, upgrade to this checkout, and
# check that every record and figure is kept (tools/upgrade_check.py).
# ---------------------------------------------------------------------------------------
cmd_upgrade_test() {
    local ref tmp port db=crm_upgrade dsn old_paths rc=0
    ref=${UPGRADE_FROM:-$(grep -v '^#' "$ROOT/.ci/upgrade-from" | awk 'NF {print $1; exit}')}
    [ -n "$ref" ] || die "No release to upgrade from: .ci/upgrade-from names none."
    if ! git -C "$ROOT" cat-file -e "$ref^{commit}" 2>/dev/null; then
        if [ "$(git -C "$ROOT" rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
            say "Upgrade test not run: release $ref is not in this shallow clone (git fetch --unshallow)." >&2
            echo "0 0"
            return 0
        fi
        die "Release $ref (.ci/upgrade-from) is not in this repository."
    fi
    tmp=$(mktemp -d /tmp/crm-upgrade.XXXXXX)
    chmod 755 "$tmp"
    [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$tmp"
    port=$((17432 + RANDOM % 1000))
    mkdir -p "$tmp/old" "$RUN_DIR"
    # Odoo appends to its log file: start both logs empty so an earlier run's errors do not count.
    : >"$RUN_DIR/upgrade-install.log"
    : >"$RUN_DIR/upgrade.log"
    git -C "$ROOT" archive "$ref" "$ADDON" | tar -x -C "$tmp/old"
    pg_start "$tmp/pgdata" "$port"
    trap 'pg_stop "'"$tmp"'/pgdata"; rm -rf "'"$tmp"'"' RETURN
    old_paths="--addons-path=$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$tmp/old"
    say "Upgrade test: installing release $ref with demo data (log .run/upgrade-install.log)" >&2
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "$old_paths" "--db_host=$tmp/pgdata/socket" \
        "--db_port=$port" "--db_user=$(pg_role)" --max-cron-threads=0 --workers=0 -d "$db" -i "$ADDON" \
        --stop-after-init --data-dir="$tmp/filestore" --logfile="$RUN_DIR/upgrade-install.log" >/dev/null 2>&1 \
        || { say "The release $ref did not install; see .run/upgrade-install.log" >&2; echo "0 1"; return 1; }
    dsn="host=$tmp/pgdata/socket port=$port dbname=$db user=$(pg_role)"
    "$VENV/bin/python" "$ROOT/tools/upgrade_check.py" snapshot "$dsn" "$tmp/before.json" >&2
    say "Upgrade test: upgrading to this checkout (log .run/upgrade.log)" >&2
    # shellcheck disable=SC2046
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$tmp/pgdata" "$port") -d "$db" -u "$ADDON" \
        --stop-after-init --data-dir="$tmp/filestore" --logfile="$RUN_DIR/upgrade.log" >/dev/null 2>&1 || rc=$?
    # A module's demo data that fails is only a WARNING for Odoo (the module installs without
    # it); for the upgrade of a demo database it is a failure like an ERROR.
    if [ "$rc" != 0 ] || grep -qE " (ERROR|CRITICAL) | demo data failed to install" "$RUN_DIR/upgrade.log"; then
        grep -E " (ERROR|CRITICAL) | demo data failed to install" "$RUN_DIR/upgrade.log" | head -n 20 >&2 || true
        say "The upgrade failed (exit $rc); see .run/upgrade.log" >&2
        echo "0 1"
        return 1
    fi
    "$VENV/bin/python" "$ROOT/tools/upgrade_check.py" snapshot "$dsn" "$tmp/after.json" >&2
    if "$VENV/bin/python" "$ROOT/tools/upgrade_check.py" compare "$tmp/before.json" "$tmp/after.json" >&2; then
        say "Upgrade test: every record and figure of release $ref kept" >&2
        echo "1 0"
        return 0
    fi
    echo "0 1"
    return 1
}

# ---------------------------------------------------------------------------------------
# make test: the layers in order, stopping at the first failing one.
# ---------------------------------------------------------------------------------------
PASSED=0
FAILED=0

summary_and_exit() {
    echo
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ] && exit 0
    exit 1
}

lint_step() {
    local name=$1
    shift
    say "lint: $name"
    if "$@"; then
        PASSED=$((PASSED + 1))
    else
        FAILED=$((FAILED + 1))
        say "lint failed: $name"
        summary_and_exit
    fi
}

cmd_test() {
    cmd_setup
    cd "$ROOT"
    say "Layer 1/5: linters"
    lint_step "ruff check" "$LINT_VENV/bin/ruff" check .
    lint_step "ruff format --check" "$LINT_VENV/bin/ruff" format --check .
    lint_step "pylint-odoo (mandatory checks)" "$LINT_VENV/bin/pylint" --rcfile=.pylintrc-mandatory "$ADDON" "${ADDON}_demo_company"
    lint_step "oca-checks-odoo-module" "$LINT_VENV/bin/oca-checks-odoo-module" --no-verbose "$ADDON" "${ADDON}_demo_company"

    say "Layer 2/5: engine tests (pytest, no Odoo)"
    local out rc=0 passed failed
    out=$("$VENV/bin/python" -m pytest -q -p no:cacheprovider tests 2>&1) || rc=$?
    echo "$out" | tail -n 25
    passed=$(echo "$out" | grep -oE "[0-9]+ passed" | tail -n 1 | grep -oE "[0-9]+" || echo 0)
    failed=$( (echo "$out" | grep -oE "[0-9]+ (failed|error)" || true) | awk '{s+=$1} END {print s+0}')
    PASSED=$((PASSED + passed))
    FAILED=$((FAILED + failed))
    if [ "$rc" != 0 ] || [ "$passed" = 0 ]; then
        [ "$failed" = 0 ] && FAILED=$((FAILED + 1))
        say "engine tests failed (pytest exit $rc)"
        summary_and_exit
    fi

    local result
    for layer in "3/5:demo:" "4/5:nodemo:--without-demo"; do
        IFS=: read -r num label flag <<<"$layer"
        say "Layer $num: Odoo tests ($label)"
        rc=0
        result=$(cmd_odoo_test $flag | tail -n 1) || rc=$?
        PASSED=$((PASSED + ${result% *}))
        FAILED=$((FAILED + ${result#* }))
        if [ "$rc" != 0 ]; then
            [ "${result#* }" = 0 ] && FAILED=$((FAILED + 1))
            summary_and_exit
        fi
    done
    say "Layer 5/5: upgrade from the last release"
    rc=0
    result=$(cmd_upgrade_test | tail -n 1) || rc=$?
    PASSED=$((PASSED + ${result% *}))
    FAILED=$((FAILED + ${result#* }))
    [ "$rc" != 0 ] && [ "${result#* }" = 0 ] && FAILED=$((FAILED + 1))
    summary_and_exit
}

# ---------------------------------------------------------------------------------------
# make run: the demo server
# ---------------------------------------------------------------------------------------
cmd_run() {
    cmd_setup
    local data=$RUN_DIR/pgdata port=${RUN_PG_PORT:-15431}
    mkdir -p "$RUN_DIR"
    pg_start "$data" "$port"
    # shellcheck disable=SC2046
    if ! as_pg_user "$(pg_bindir)/psql" -h "$data/socket" -p "$port" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='$DEMO_DB'" | grep -q 1; then
        say "Creating database '$DEMO_DB' with $ADDON and its demo data (a few minutes, once)"
        # Chinese loaded for the demo users; en_US first because Odoo makes the first language
        # every new partner's default (admin stays English).
        "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$data" "$port") \
            -d "$DEMO_DB" -i "$ADDON" --load-language=en_US,zh_CN --stop-after-init --data-dir="$RUN_DIR/filestore" \
            --logfile="$RUN_DIR/install.log" \
            || die "The install failed; see .run/install.log"
    else
        say "Updating $ADDON in '$DEMO_DB' to this checkout"
        "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$data" "$port") \
            -d "$DEMO_DB" -u "$ADDON" --stop-after-init --data-dir="$RUN_DIR/filestore" \
            --logfile="$RUN_DIR/install.log" \
            || die "The update failed; see .run/install.log"
    fi
    say "Serving http://127.0.0.1:$HTTP_PORT  (login: admin / password: admin;" \
        "account manager wangwei/wangwei, quality zhangmin/zhangmin, manager liuyang/liuyang)"
    say "Stop with Ctrl+C; PostgreSQL keeps running (tools/crm.sh stop-db stops it)."
    # WORKERS=N (N > 0) serves with Odoo's prefork server: N HTTP workers, cron workers and the
    # gevent process for websockets (live updates, chat) on GEVENT_PORT, as Odoo documents for
    # production; WORKERS=0 (default) is the threaded development server.
    local workers=${WORKERS:-0} server_args=()
    [[ "$workers" =~ ^[0-9]+$ ]] || die "WORKERS must be a whole number (got '$workers')."
    if [ "$workers" -gt 0 ]; then
        server_args=(--workers="$workers" --max-cron-threads="${CRON_WORKERS:-1}"
            --gevent-port="${GEVENT_PORT:-8072}" --limit-time-real="${LIMIT_TIME_REAL:-120}")
        say "Prefork server: $workers workers, ${CRON_WORKERS:-1} cron worker(s), websocket on" \
            "port ${GEVENT_PORT:-8072} (route /websocket there behind a proxy)"
    else
        server_args=(--max-cron-threads=1)
    fi
    # shellcheck disable=SC2046
    exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$data" "$port") \
        -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --http-interface=127.0.0.1 --http-port="$HTTP_PORT" \
        --data-dir="$RUN_DIR/filestore" "${server_args[@]}"
}

cmd_stop_db() { pg_stop "$RUN_DIR/pgdata"; }

# ---------------------------------------------------------------------------------------
# make bench: benchmarks on a scratch database (kept in .run/bench-pgdata between runs)
# ---------------------------------------------------------------------------------------
cmd_bench() {
    cmd_setup
    local data=$RUN_DIR/bench-pgdata port=${BENCH_PG_PORT:-15531} db=${BENCH_DB:-crm_bench} mode script
    mkdir -p "$RUN_DIR"
    pg_start "$data" "$port"
    trap 'pg_stop "'"$data"'"' EXIT
    mode="-u"
    if ! as_pg_user "$(pg_bindir)/psql" -h "$data/socket" -p "$port" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
        mode="-i"
    fi
    say "Preparing the scratch database $db ($mode $ADDON, no demo data)"
    # shellcheck disable=SC2046
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$data" "$port") -d "$db" "$mode" "$ADDON" \
        --without-demo=all --stop-after-init --data-dir="$RUN_DIR/bench-filestore" \
        --logfile="$RUN_DIR/bench-install.log" || die "The install failed; see .run/bench-install.log"
    for script in "$ROOT"/bench/bench_*.py; do
        [ -n "${BENCH:-}" ] && [[ "$script" != *"$BENCH"* ]] && continue
        say "== ${script#"$ROOT"/}"
        # shellcheck disable=SC2046
        ODOO_SRC="$ODOO_SRC" "$VENV/bin/python" "$script" $(odoo_base_args "$data" "$port") -d "$db" \
            --data-dir="$RUN_DIR/bench-filestore" --logfile="$RUN_DIR/bench.log"
    done
}

# ---------------------------------------------------------------------------------------
# translations template
# ---------------------------------------------------------------------------------------
cmd_pot() {
    cmd_setup
    local tmp port=$((16432 + RANDOM % 1000))
    tmp=$(mktemp -d /tmp/crm-pot.XXXXXX)
    chmod 755 "$tmp"
    [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$tmp"
    pg_start "$tmp/pgdata" "$port"
    trap 'pg_stop "'"$tmp"'/pgdata"; rm -rf "'"$tmp"'"' EXIT
    # shellcheck disable=SC2046
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$tmp/pgdata" "$port") \
        -d crm_pot -i "$ADDON" --without-demo=all --stop-after-init --data-dir="$tmp/filestore" \
        --logfile="$tmp/install.log"
    # shellcheck disable=SC2046
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" $(odoo_base_args "$tmp/pgdata" "$port") \
        -d crm_pot --i18n-export="$ROOT/$ADDON/i18n/$ADDON.pot" --modules="$ADDON" \
        --data-dir="$tmp/filestore" --logfile="$tmp/export.log" --stop-after-init
    say "Wrote $ADDON/i18n/$ADDON.pot"
}

case "${1:-}" in
    setup) cmd_setup ;;
    run) cmd_run ;;
    test) cmd_test ;;
    odoo-test) shift; cmd_odoo_test "$@" ;;
    upgrade-test) cmd_setup; cmd_upgrade_test ;;
    stop-db) cmd_stop_db ;;
    pot) cmd_pot ;;
    bench) cmd_bench ;;
    *) die "usage: tools/crm.sh setup|run|test|odoo-test [--without-demo]|stop-db|pot|bench" ;;
esac
