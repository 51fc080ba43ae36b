"""Targets: per unit and year, the split down the tree, history, denominators, files (under /don-vi/)."""

from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("chi-tieu/", views.target_home, name="target_home"),
    path("chi-tieu/nhap/", views.target_import, name="target_import"),
    path("chi-tieu/mau/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("<int:pk>/chi-tieu/<int:year>/", views.target_overview, name="target_overview"),
    path("<int:pk>/chi-tieu/<int:year>/dat/", views.target_edit, name="target_edit"),
    path("<int:pk>/chi-tieu/<int:year>/phan-bo/<slug:indicator>/", views.target_allocate, name="target_allocate"),
    path("<int:pk>/chi-tieu/<int:year>/xuat.<str:fmt>", views.target_export, name="target_export"),
    path("<int:pk>/chi-tieu/lich-su/", views.target_history, name="target_history"),
    path("<int:pk>/dan-so/<int:year>/", views.demographics_edit, name="demographics_edit"),
    path("<int:pk>/dan-so/<int:year>/xuat.<str:fmt>", views.demographics_export, name="demographics_export"),
]
