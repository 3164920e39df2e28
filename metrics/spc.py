"""XmR statistical process control: one series (`xmr`) or every series at once (`xmr_all`).

`xmr` is the reference reading of one series, with its per-point table; `xmr_all` gives the
same headline readings for many series in one vectorised pass, and is what the engine uses.
"""

from metrics.engine.spc import POINT_TYPES, SpcResult, xmr
from metrics.engine.spc_batch import SpcHeadlines, xmr_all

__all__ = ["POINT_TYPES", "SpcHeadlines", "SpcResult", "xmr", "xmr_all"]
