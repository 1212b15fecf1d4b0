"""Text from a return, a file, a claim or a person, made safe to show.

In HTML (st.html) such text goes through :func:`html.escape`. In markdown (st.markdown,
st.caption, st.info…) it goes through :func:`plain`, so that it shows as typed: no emphasis,
no link, no image, no autolinked address (Streamlit's markdown links bare URLs and e-mail
addresses, which escaping the punctuation inside them prevents) and no HTML.
"""

from __future__ import annotations

import string

MARKDOWN_SPECIAL = frozenset(string.punctuation)  # CommonMark lets any ASCII punctuation be escaped


def plain(text: object) -> str:
    """``text`` as markdown that renders as exactly that text."""
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in str(text))
