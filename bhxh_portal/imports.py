"""The import pipeline's public names, as importers have always imported them (`bhxh_portal.imports`);
the code lives in the package `bhxh_portal.importing`."""

from bhxh_portal.importing import *  # noqa: F401,F403
from bhxh_portal.importing import __all__  # noqa: F401
from bhxh_portal.numbers import parse_number  # noqa: F401  (re-exported as before)
