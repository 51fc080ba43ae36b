"""Drive activities, under /hoat-dong/."""

from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("nhap/", views.activity_import, name="activity_import"),
    path("nhap/mau.xlsx", views.activity_import_template, name="activity_import_template"),
    path("ke-hoach-thang/<int:unit_pk>/", views.monthly_plan, name="monthly_plan"),
    path("lich/<int:unit_pk>/", views.activity_calendar, name="calendar"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/huy/", views.activity_cancel, name="activity_cancel"),
    path("<int:pk>/tep/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
]
