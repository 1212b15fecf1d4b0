"""What the board reviews each quarter, as pure functions of the plan and the stored figures.

Owns each indicator's quarter status (``status``: RAG, direction of travel, its sentence), the
statistical process control charts (``spc``: XmR limits after NHS *Making Data Count*), the
exception report (``exceptions``), how complete a quarter is (``completeness``), the board's action
log (``actions``: the life cycle rules; ``action_log``: its checked writes), the commentary and
action progress a page reads by key (``updates``: frozen records of the store's rows), the Strategic
Assessment (``assessment``) and the plotly figures the pages draw (``charts``).
"""
