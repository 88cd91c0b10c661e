#!/usr/bin/env bash
# Install what the app needs (into .venv) and start it on the embedded SQLite store.
# The first start generates and loads the demo data (labelled as demo in the app).
source "$(dirname "$0")/_env.sh"
ensure_venv requirements.txt
.venv/bin/python -m gsyf_geo init
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
