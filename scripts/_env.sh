# Shared by run.sh and test.sh: a project venv in .venv with the pinned requirements.
# Re-installs only when a requirements file changed (stamp holds their hash).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
ensure_venv() {
  local reqs="$1" stamp hash
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  hash="$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$reqs")"
  stamp=".venv/.gsyf-installed"
  if [ ! -f "$stamp" ] || ! grep -qx "$hash" "$stamp"; then
    echo "==> 安装 Python 依赖 ($reqs)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r "$reqs"
    echo "$hash" >> "$stamp"
  fi
}
