from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "BHXH Portal — Quản trị"
admin.site.site_title = "BHXH Portal"

# A refusal says what was wrong (targets.periods.month_param...); 404, 403 and 500 are Django's with our templates.
handler400 = "bhxh_portal.views.bad_request"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("suc-khoe/", views.health, name="health"),
    path("don-vi/", include("targets.urls")),
    path("bao-cao/", include("reports.urls_coverage")),
    path("cong-viec/", include("reports.urls")),
    path("ke-hoach/", include("campaigns.urls")),
    path("", include("campaigns.urls_activities")),  # hoat-dong/, chuong-trinh/ (issue #9)
    path("", include("agents.urls")),
    path("quan-tri/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
