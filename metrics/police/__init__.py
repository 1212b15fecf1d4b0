"""police.uk street-level crime: from the files a person downloads to the numbers pages show.

Owns reading and importing the files (``uk``: format detection, the LSOA lookup, mapping each
record to the plan's areas once at import, the monthly area x crime-type summary), which months
are held and which cannot be read for the area (``coverage``), the
area explorer's numbers and figures (``explorer``: counts, rates, trend, mix, ranking, map) and
the downloads that stand alone (``export``: rates, populations, the about block, formula-safe),
the data.police.uk ``.zip`` (``archive``), and the force's other partnerships kept at import and
read back for "How we compare" (``peers``).
The SQL lives in ``metrics.store.police``.
"""
