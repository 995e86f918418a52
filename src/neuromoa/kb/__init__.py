"""The knowledge base: compounds, targets, activities, constants and references, as data.

Shipped as CSV files in ``neuromoa/data/kb/`` (column dictionary in its README), with compound
identity from ``neuromoa/data/identity/``; loaded and validated by :mod:`neuromoa.kb.loader`,
queried through :class:`~neuromoa.kb.knowledge_base.KnowledgeBase` as pandas DataFrames with
values in mol/L beside the printed text, and overlaid with the user's own files.

>>> from neuromoa.kb import load_kb
>>> kb = load_kb()
>>> kb.target("SLC6A4").id
'SERT'
"""

from neuromoa.kb.importers import import_chembl, import_gtopdb, write_activities
from neuromoa.kb.knowledge_base import ACTIVITY_FRAME_COLUMNS, KnowledgeBase, activity_records
from neuromoa.kb.loader import load_kb
from neuromoa.kb.records import Affinity, Compound, Constant, Target

__all__ = [
    "ACTIVITY_FRAME_COLUMNS",
    "Affinity",
    "Compound",
    "Constant",
    "KnowledgeBase",
    "Target",
    "activity_records",
    "import_chembl",
    "import_gtopdb",
    "load_kb",
    "write_activities",
]
