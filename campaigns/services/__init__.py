"""Every write in campaigns. One module per concern, re-exported here."""

from .documents import (  # noqa: F401
    IntegrityError,
    block_add,
    block_delete,
    block_move,
    block_params_from_text,
    block_update,
    document_approve,
    document_create_from_draft,
    document_create_from_starter,
    document_issue,
    document_new_version,
    document_return,
    document_sign,
    document_submit,
    document_update,
    frozen_bytes,
)
