"""agents models, one module per concern; each re-exported here."""

from .agents import Agent, AgentKind, Collection, Collector  # noqa: F401
from .contributions import (  # noqa: F401
    ContributionRate,
    FundReturnRate,
    HouseholdDiscount,
    IncomeBase,
    LocalTopUp,
    LumpSumRule,
    ReferenceAmount,
    ReferenceKind,
    StateSupportLevel,
    SupportBasis,
)
from .participants import (  # noqa: F401
    MODE_MONTHS,
    Enrolment,
    Participant,
    PaymentMode,
    Product,
    Sex,
    SupportGroup,
)
from .access_log import AccessOutcome, PersonalDataAccess  # noqa: F401, E402
from .tally import RegistrySheet, RegistryVersion  # noqa: F401, E402
