"""Personal IDs on screen: the 12-digit số định danh (CCCD) is masked (0123****5678) everywhere
except on the person's own page, and there only for the roles that work with it.

Mã số BHXH stays in full: it is printed on the BHYT card and is how collection agents and staff
find a person and record a receipt; the CCCD is the national identity number (identity fraud).
"""

from bhxh_portal.personal_ids import mask_personal_id, mask_personal_ids_in  # noqa: F401 (the one helper)
# Who sees the full number on the person's page is units.access.ACTIONS["participants.view_full_id"]:
# BHXH staff and collection agents (they file the enrolments), administrators; commune officials
# and leaders see the masked form.
