from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("suc-khoe/", views.health, name="health"),
    path("don-vi/", include("targets.urls")),
    path("don-vi/", include("reports.urls_dashboard")),  # the dashboard: figures of the coverage tables
    path("bao-cao/", include("reports.urls_coverage")),
    path("cong-viec/", include("reports.urls")),
    path("", include("campaigns.urls")),  # ke-hoach/, hoat-dong/, chuong-trinh/, tinh-muc-dong/quy-tac/
    path("", include("agents.urls")),
    path("quan-ly/", include("administration.urls")),
    path("van-dong/", include("drive.urls")),
    path("thong-bao/", include("notices.urls")),
    path("quan-tri/", admin.site.urls),  # superusers only (bhxh_portal.admin_site)
]
