"""Import of real data files: templates, reading, validation, geocoding, loading, export.

Modules
-------
schema     the importable kinds and their columns (Chinese headers, aliases, types)
readers    CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX and XLS into rows of cells
validate   header matching and row checks; every problem names file, row and column
geocode    the location chain: file coordinates → online geocoder (cached) → offline
load       the import itself: one transaction, all-or-nothing or ``--partial``, upsert
blocks     a file of any length checked, compared and written block by block (bounded memory)
templates  template files per kind
export     what is stored, with the template's headers, so a round trip is a no-op
preview    what the import page shows (a preview with problems highlighted, history)
commands   ``python -m gsyf_geo import | export | template``
"""
