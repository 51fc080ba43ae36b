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
    vietnamese_date,
)

# Drive activities and support programmes (issue #9); public holidays for working-day deadlines.
from ..workdays import HolidayYear, PublicHoliday  # noqa: F401, E402
from .activities import (  # noqa: F401, E402
    CATEGORY_FIELDS,
    WORKER_CATEGORIES,
    ActivityAttachment,
    ActivityKind,
    ActivitySignUp,
    ActivityStatus,
    DirectWorkRecord,
    DriveActivity,
    Employer,
)
from .programmes import (  # noqa: F401, E402
    Beneficiary,
    BeneficiaryChange,
    BeneficiaryGroup,
    BeneficiaryList,
    BeneficiaryState,
    ChangeKind,
    ListForm,
    ProgrammeYearReport,
    SupportProgramme,
    SupportRule,
)
