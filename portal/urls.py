from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from . import views

# A refusal says what was wrong (targets.periods.month_param...); 404, 403 and 500 are Django's with our templates.
handler400 = "portal.views.bad_request"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("suc-khoe/", views.health, name="health"),
    path("don-vi/", include("units.urls")),
    path("don-vi/", include("targets.urls")),
    path("don-vi/", include("results.urls")),
    path("don-vi/", include("reports.urls_dashboard")),  # the dashboard: figures of the coverage tables
    path("bao-cao/", include("reports.urls_coverage")),
    path("cong-viec/", include("jobs.urls")),
    path("", include("campaigns.urls")),  # ke-hoach/, hoat-dong/, chuong-trinh/, tinh-muc-dong/quy-tac/
    path("", include("agents.urls")),
    path("quan-ly/", include("administration.urls")),
    path("van-dong/", include("drive.urls")),
    path("thong-bao/", include("notices.urls")),
    # Admin addresses of the models that moved app (units, jobs): old bookmarks land on the new page.
    re_path(r"^quan-tri/targets/(?P<rest>(unit|unitlevel|membership)/.*)$",
            RedirectView.as_view(url="/quan-tri/units/%(rest)s", permanent=True, query_string=True)),
    re_path(r"^quan-tri/reports/(?P<rest>job/.*)$",
            RedirectView.as_view(url="/quan-tri/jobs/%(rest)s", permanent=True, query_string=True)),
    path("quan-tri/", admin.site.urls),  # superusers only (bhxh_portal.admin_site)
]
