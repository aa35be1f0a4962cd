#!/usr/bin/env bash
# Brings a machine to what the test suite needs; `make test` and `.ci/run` call it.
#
# 1. The Debian packages of scripts/test-packages.txt: the missing ones are
#    installed when run as root; otherwise their names and the command that
#    installs them are printed and the script exits 1.
# 2. PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth, database test) and
#    Redis on 127.0.0.1:6379: started when not answering (root needed for that too).
#
# It does nothing when all is in place, so it is cheap to run before every suite.
# NIANBAO_SKIP_TEST_SETUP=1 skips it (a machine set up some other way).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${NIANBAO_SKIP_TEST_SETUP:-}" = 1 ]; then
    exit 0
fi

PACKAGES_FILE=${NIANBAO_TEST_PACKAGES:-scripts/test-packages.txt}
listed=$(sed -e 's/#.*//' "$PACKAGES_FILE")  # fails the script when unreadable
mapfile -t packages < <(awk 'NF { print $1 }' <<<"$listed")
is_root() { [ "$(id -u)" -eq 0 ]; }

if ! command -v dpkg-query >/dev/null; then
    echo "setup-test-env: not a Debian system; the suite needs the equivalents of:" >&2
    printf '  %s\n' "${packages[@]}" >&2
    echo "install them, then run with NIANBAO_SKIP_TEST_SETUP=1" >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if ! is_root; then
        echo "setup-test-env: the test suite needs these Debian packages, missing here:" >&2
        printf '  %s\n' "${missing[@]}" >&2
        echo "install them as root:" >&2
        echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "setup-test-env: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Wait for apt's lock rather than fail when another install holds it.
    apt-get -o DPkg::Lock::Timeout=600 update -q
    apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
fi

# -- PostgreSQL ---------------------------------------------------------------
postgres_ok() {
    psql -h 127.0.0.1 -p 5432 -U postgres -d test -Atqc 'select 1' >/dev/null 2>&1
}
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if ! is_root; then
        echo "setup-test-env: PostgreSQL is not answering on 127.0.0.1:5432; start it as root:" >&2
        echo "  pg_ctlcluster <version> main start" >&2
        exit 1
    fi
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    echo "setup-test-env: starting PostgreSQL $version"
    # pg_ctl waits until the server accepts connections before it returns.
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
if ! postgres_ok; then
    if ! is_root; then
        echo "setup-test-env: PostgreSQL must let user postgres into database test from" \
             "127.0.0.1 without a password (trust)" >&2
        exit 1
    fi
    # A freshly installed cluster asks for passwords over TCP: the suite's throw-away
    # databases (tests/databases.py) connect as postgres with trust on loopback.
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    if ! grep -Eq '^host[[:space:]]+all[[:space:]]+postgres[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
        echo "setup-test-env: trusting user postgres on 127.0.0.1 in $hba"
        sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
        pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
    if ! runuser -u postgres -- psql -Atqc "select 1 from pg_database where datname = 'test'" \
            | grep -q 1; then
        echo "setup-test-env: creating database test"
        runuser -u postgres -- createdb test
    fi
    postgres_ok || { echo "setup-test-env: PostgreSQL still refuses postgres@127.0.0.1/test" >&2
                     exit 1; }
fi

# -- Redis ----------------------------------------------------------------------
redis_ok() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
if ! redis_ok; then
    if ! is_root; then
        echo "setup-test-env: Redis is not answering on 127.0.0.1:6379; start it as root:" >&2
        echo "  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes" >&2
        exit 1
    fi
    echo "setup-test-env: starting Redis"
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes >/dev/null
    # --daemonize returns before the server listens: wait until it answers.
    for _ in $(seq 100); do redis_ok && break; sleep 0.1; done
    redis_ok || { echo "setup-test-env: Redis did not start" >&2; exit 1; }
fi
