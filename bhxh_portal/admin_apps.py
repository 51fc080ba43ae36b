"""django.contrib.admin with the superusers-only site (bhxh_portal.admin_site) as `admin.site`.

A module of its own: INSTALLED_APPS imports it before the models are ready, when the site module
(which imports the auth forms) may not be imported yet.
"""

from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    default_site = "bhxh_portal.admin_site.SuperuserAdminSite"
