"""Drive activities under /hoat-dong/ (namespace activities) and support programmes under
/chuong-trinh/ (namespace programmes)."""

from django.urls import include, path

from . import views_activities as activities
from . import views_programmes as programmes

activity_patterns = [
    path("", activities.activity_list, name="activity_list"),
    path("nhap/", activities.activity_import, name="activity_import"),
    path("nhap/mau.xlsx", activities.activity_import_template, name="activity_import_template"),
    path("ke-hoach-thang/<int:unit_pk>/", activities.monthly_plan, name="monthly_plan"),
    path("lich/<int:unit_pk>/", activities.activity_calendar, name="calendar"),
    path("<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("<int:pk>/huy/", activities.activity_cancel, name="activity_cancel"),
    path("<int:pk>/tep/<int:attachment_pk>/", activities.attachment_download, name="attachment_download"),
]

programme_patterns = [
    path("", programmes.programme_list, name="programme_list"),
    path("<int:pk>/", programmes.programme_detail, name="programme_detail"),
    path("<int:pk>/nhap/", programmes.list_import, name="list_import"),
    path("<int:pk>/qua-han/", programmes.overdue_list, name="overdue"),
    path("mau/<str:form_code>.xlsx", programmes.list_template, name="list_template"),
    path("danh-sach/<int:pk>/", programmes.list_detail, name="list_detail"),
    path("danh-sach/<int:pk>/xlsx/", programmes.list_export, name="list_export"),
    path("doi-tuong/<int:pk>/cap-the/", programmes.beneficiary_issue, name="beneficiary_issue"),
    path("doi-tuong/<int:pk>/bien-dong/", programmes.beneficiary_change, name="beneficiary_change"),
]

urlpatterns = [
    path("hoat-dong/", include((activity_patterns, "activities"))),
    path("chuong-trinh/", include((programme_patterns, "programmes"))),
]
