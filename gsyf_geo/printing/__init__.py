"""Print-quality output for meetings (no Streamlit): map images, the meeting deck, chart
images and follow-up workbooks.

- :mod:`.fonts` finds a CJK font on the machine (or says in Chinese how to install one);
- :mod:`.mapimage` draws the risk map's choropleth as PNG (300 dpi), SVG or PDF;
- :mod:`.charts` draws target trends, the targets overview and the final-evaluation matrix;
- :mod:`.deck` builds the meeting deck (PPTX, and the same slides as PDF);
- :mod:`.workbooks` writes the follow-up lists (one sheet per district).
"""
