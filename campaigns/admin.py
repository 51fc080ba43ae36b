"""Django's admin autodiscovery imports this module only: it names the admin of every feature."""

from .activities import admin as activities_admin  # noqa: F401
from .documents import admin as documents_admin  # noqa: F401
from .holidays import admin as holidays_admin  # noqa: F401
from .programmes import admin as programmes_admin  # noqa: F401
