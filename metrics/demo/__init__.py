"""Demo data for any plan, from a fixed seed, flagged as demo wherever it is shown.

Owns every demo generator: the indicator series, commentary, action progress and returns
(``series``), police.uk records for the indicators linked to police.uk data (``police``) and the
board's demo actions (``actions``).
"""
