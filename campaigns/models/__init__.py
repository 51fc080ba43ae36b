"""campaigns models, one module per concern; each module is re-exported here."""

from .documents import (  # noqa: F401
    Authority,
    BlockKind,
    DocumentFile,
    DocumentStatus,
    DocumentType,
    EventAction,
    FilePurpose,
    PlanBlock,
    PlanDocument,
    PlanEvent,
)
