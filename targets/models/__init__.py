"""targets models, one module per concern; each helper module is re-exported here."""

from .indicators import INDICATORS, Demographics, DenominatorKind, Indicator, active_indicators  # noqa: F401
from .targets import EnteredAs, Target, TargetKind, TargetQuerySet  # noqa: F401
from .schools import School, SchoolFigures, SchoolLevel, school_year_label, school_year_of  # noqa: F401, E402
