"""campaigns models, one module per concern; each module is re-exported here. The public holidays
live with the working-day arithmetic that reads them (campaigns.holidays.workdays)."""

from ..holidays.workdays import HolidayYear, PublicHoliday  # noqa: F401
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

from .activities import (  # noqa: F401
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
from .programmes import (  # noqa: F401
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
