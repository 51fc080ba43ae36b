"""Personal IDs on screen: the 12-digit số định danh (CCCD) is masked (0123****5678) everywhere
except on the person's own page, and there only for the roles that work with it.

Mã số BHXH stays in full: it is printed on the BHYT card and is how collection agents and staff
find a person and record a receipt; the CCCD is the national identity number (identity fraud).
"""

from targets import access
from targets.models import Role

# On the person's page, within their subtree: BHXH staff and collection agents (they file the
# enrolments), administrators. Commune officials and leaders see the masked form.
FULL_ID_ROLES = (Role.BHXH_STAFF, Role.COLLECTION_AGENT, Role.ADMINISTRATOR)


def mask_personal_id(value) -> str:
    """'012345675678' -> '0123****5678'; anything that is not a 12-digit ID is returned as it is."""
    text = "" if value is None else str(value)
    if len(text) == 12 and text.isdigit():
        return f"{text[:4]}****{text[-4:]}"
    return text


def can_see_full_ids(user, participant) -> bool:
    return access.has_role(user, participant.commune, FULL_ID_ROLES)
