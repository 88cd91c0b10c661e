"""Coverage monitor (目标监测): the plan's targets computed from the store, their status,
the final evaluation of a plan and the persisted status of its task list.

- :mod:`gsyf_geo.monitor.values` — one function per plan metric id, by year and reporting unit.
- :mod:`gsyf_geo.monitor.status` — the status rules (达标 / 进行中 / 落后 / 未达标).
- :mod:`gsyf_geo.monitor.evaluation` — all targets of a plan at once, final evaluation, exports.
- :mod:`gsyf_geo.monitor.tasks` — task status (未开始 / 进行中 / 已完成 / 逾期) with who and when.

No Streamlit here; the pages ``views/targets.py`` and ``views/tasks.py`` only lay these out.
"""
