"""Support programmes and their beneficiary lists, under /chuong-trinh/."""

from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/nhap/", views.list_import, name="list_import"),
    path("<int:pk>/qua-han/", views.overdue_list, name="overdue"),
    path("mau/<str:form_code>.xlsx", views.list_template, name="list_template"),
    path("danh-sach/<int:pk>/", views.list_detail, name="list_detail"),
    path("danh-sach/<int:pk>/xlsx/", views.list_export, name="list_export"),
    path("doi-tuong/<int:pk>/cap-the/", views.beneficiary_issue, name="beneficiary_issue"),
    path("doi-tuong/<int:pk>/bien-dong/", views.beneficiary_change, name="beneficiary_change"),
]
