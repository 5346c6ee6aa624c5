"""The algorithm register (issue #7): entries in the national Algoritmeregister standard v1.0,
the real 2022 register imported, editing with versions, links to datasets, export, model cards.

See docs/register.md.
"""

from stadsdata.register.service import (
    REGISTER_2022,
    AlgorithmEntry,
    AlgorithmRegister,
    AlgorithmVersion,
    EntryReport,
    ImportReport,
    ModelCard,
    RegisterSearch,
)
from stadsdata.register.standard import STANDARD, FieldDef, FieldProblem, validate

__all__ = [
    "REGISTER_2022",
    "STANDARD",
    "AlgorithmEntry",
    "AlgorithmRegister",
    "AlgorithmVersion",
    "EntryReport",
    "FieldDef",
    "FieldProblem",
    "ImportReport",
    "ModelCard",
    "RegisterSearch",
    "validate",
]
