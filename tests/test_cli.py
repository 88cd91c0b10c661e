"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GSYF_DB_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "gsyf_geo", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_init_then_info_on_an_empty_store(tmp_path):
    db = tmp_path / "s.sqlite"
    assert run("init", db=db).returncode == 0
    out = run("info", "--json", db=db)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["demo"] is False and info["counts"]["enterprise"] == 0


def test_demo_command_loads_a_labelled_demo_city(tmp_path):
    db = tmp_path / "s.sqlite"
    out = run("demo", "--enterprises", "300", "--seed", "3", db=db)
    assert out.returncode == 0, out.stderr
    assert "演示数据" in out.stdout
    info = json.loads(run("info", "--json", "--scope", "unit:JKQ", db=db).stdout)
    assert info["demo"] is True and info["scope"] == "unit:JKQ"
    assert 0 < info["counts"]["enterprise"] < 300


def test_bad_argument_is_a_clear_error(tmp_path):
    out = run("demo", "--enterprises", "0", db=tmp_path / "s.sqlite")
    assert out.returncode == 2 and "enterprises" in out.stderr


def test_demo_clear_keeps_real_rows(tmp_path):
    db = tmp_path / "s.sqlite"
    assert run("demo", "--enterprises", "200", db=db).returncode == 0
    from gsyf_geo.store import Store

    store = Store(f"sqlite:///{db}")
    real = {"credit_code": "91320402MA1X000018", "name": "真实企业", "district": "320402",
            "lon": 119.97, "lat": 31.78, "employees": 10, "insured": 10}  # fmt: skip
    import pandas as pd

    store.upsert("enterprise", pd.DataFrame([real]))
    store.engine.dispose()
    out = run("demo", "--clear", db=db)
    assert out.returncode == 0 and "已删除" in out.stdout
    info = json.loads(run("info", "--json", db=db).stdout)
    assert info["demo"] is False and info["counts"]["enterprise"] == 1
    assert info["counts"]["work_injury"] == 0
