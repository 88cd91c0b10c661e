#!/usr/bin/env bash
# Run the whole test suite: installs the test requirements, and (as root) the system
# packages the browser and PostGIS tests need, starts PostgreSQL if it is stopped, runs
# ruff and pytest. The same store tests run on SQLite and on PostGIS.
source "$(dirname "$0")/_env.sh"
ensure_venv requirements-dev.txt

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# pdftoppm rasterises the printed maps and the meeting deck in tests/test_printing.py.
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if command -v pg_config >/dev/null 2>&1 || [ -d /usr/lib/postgresql ]; then
  pgver="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
  [ -n "$pgver" ] && [ ! -f "/usr/share/postgresql/$pgver/extension/postgis.control" ] \
    && missing+=("postgresql-$pgver-postgis-3")
else
  missing+=(postgresql postgresql-15-postgis-3)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "注意：缺少系统软件包 ${missing[*]}；相关测试将跳过（CI=true 时会失败）。"
  fi
fi

# Start PostgreSQL if a cluster exists and is down.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters --no-header 2>/dev/null | while read -r ver cluster _port status _rest; do
    if [ "$status" != "online" ]; then
      echo "==> 启动 PostgreSQL $ver/$cluster"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$cluster" start || true
    fi
  done
fi

echo "==> ruff"
.venv/bin/ruff check .
echo "==> pytest"
exec .venv/bin/python -m pytest -q -rs "$@"
