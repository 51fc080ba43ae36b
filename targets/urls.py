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

# Monthly results: the entry grid, the workflow, completeness, the upload, the dashboard.
from . import views_results  # noqa: E402

urlpatterns += [
    path("ket-qua/nhap/", views_results.results_entry_home, name="results_entry_home"),
    path("ket-qua/duyet/", views_results.results_review, name="results_review"),
    path("ket-qua/tien-do/", views_results.results_progress_home, name="results_progress_home"),
    path("ket-qua/tong-quan/", views_results.results_dashboard_home, name="results_dashboard_home"),
    path("ket-qua/nhap-tep/", views_results.results_import, name="results_import"),
    path("ket-qua/mau.<str:fmt>", views_results.results_import_template, name="results_import_template"),
    path("<int:pk>/ket-qua/<str:month>/", views_results.results_grid, name="results_grid"),
    path("<int:pk>/ket-qua/<str:month>/o/", views_results.results_cell, name="results_cell"),
    path("<int:pk>/ket-qua/<str:month>/trang-thai/", views_results.results_transition, name="results_transition"),
    path("<int:pk>/ket-qua/<str:month>/lich-su/", views_results.results_history, name="results_history"),
    path("<int:pk>/ket-qua/<str:month>/xuat.<str:fmt>", views_results.results_export, name="results_export"),
    path("<int:pk>/tien-do/<str:month>/", views_results.results_completeness, name="results_completeness"),
]
