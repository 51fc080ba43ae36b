"""targets models, one module per concern; each helper module is re-exported here."""

from .indicators import (  # noqa: F401
    INDICATORS, TARGETS, Demographics, DenominatorKind, Indicator, active_indicators, indicators_by_code,
)
from .targets import EnteredAs, Target, TargetKind, TargetQuerySet  # noqa: F401
from .schools import School, SchoolFigures, SchoolLevel, school_year_label, school_year_of  # noqa: F401, E402
