#!/usr/bin/env bash
# Install what the app needs (into .venv) and start it on the embedded SQLite store.
# The first start generates and loads the demo data (labelled as demo in the app).
source "$(dirname "$0")/_env.sh"
ensure_venv requirements.txt
.venv/bin/python -m gsyf_geo init
# The peer address the app sees is the TCP peer's: no X-Forwarded-For may replace it (the
# trusted-proxy sign-in checks it; docs/deployment.md).
export FORWARDED_ALLOW_IPS="${FORWARDED_ALLOW_IPS-}"
# Listens on this machine only (127.0.0.1) unless GSYF_ADDRESS says otherwise (e.g. 0.0.0.0);
# to serve a network, put a reverse proxy with TLS in front (docs/deployment.md).
exec .venv/bin/streamlit run app.py --server.address "${GSYF_ADDRESS:-127.0.0.1}" --server.port "${PORT:-8501}" "$@"
