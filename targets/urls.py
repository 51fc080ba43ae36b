from django.urls import path

from units import views

app_name = "targets"

urlpatterns = [
    path("", views.unit_browser, name="unit_browser"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/cap-duoi/", views.unit_children_partial, name="unit_children"),
]

# Targets: per unit and year, the split down the tree, history, denominators, files.
from . import views_targets  # noqa: E402

urlpatterns += [
    path("chi-tieu/", views_targets.target_home, name="target_home"),
    path("chi-tieu/nhap/", views_targets.target_import, name="target_import"),
    path("chi-tieu/mau/<str:kind>.<str:fmt>", views_targets.import_template, name="import_template"),
    path("<int:pk>/chi-tieu/<int:year>/", views_targets.target_overview, name="target_overview"),
    path("<int:pk>/chi-tieu/<int:year>/dat/", views_targets.target_edit, name="target_edit"),
    path("<int:pk>/chi-tieu/<int:year>/phan-bo/<slug:indicator>/", views_targets.target_allocate,
         name="target_allocate"),
    path("<int:pk>/chi-tieu/<int:year>/xuat.<str:fmt>", views_targets.target_export, name="target_export"),
    path("<int:pk>/chi-tieu/lich-su/", views_targets.target_history, name="target_history"),
    path("<int:pk>/dan-so/<int:year>/", views_targets.demographics_edit, name="demographics_edit"),
    path("<int:pk>/dan-so/<int:year>/xuat.<str:fmt>", views_targets.demographics_export, name="demographics_export"),
]
