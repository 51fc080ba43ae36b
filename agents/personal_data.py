"""Personal IDs on screen: the 12-digit số định danh (CCCD) is masked (0123****5678) everywhere
except on the person's own page, and there only for the roles that work with it.

Mã số BHXH stays in full: it is printed on the BHYT card and is how collection agents and staff
find a person and record a receipt; the CCCD is the national identity number (identity fraud).
"""

from bhxh_portal.personal_ids import mask_personal_id, mask_personal_ids_in  # noqa: F401 (the one helper)
from units import access
from units.models import Role

# On the person's page, within their subtree: BHXH staff and collection agents (they file the
# enrolments), administrators. Commune officials and leaders see the masked form.
FULL_ID_ROLES = (Role.BHXH_STAFF, Role.COLLECTION_AGENT, Role.ADMINISTRATOR)


def can_see_full_ids(user, participant) -> bool:
    return access.has_role(user, participant.commune, FULL_ID_ROLES)
