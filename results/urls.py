from django.urls import path

from . import views

app_name = "results"

# Monthly results under /don-vi/: the entry grid, the workflow, completeness, the upload, the dashboard.
urlpatterns = [
    path("ket-qua/nhap/", views.results_entry_home, name="results_entry_home"),
    path("ket-qua/duyet/", views.results_review, name="results_review"),
    path("ket-qua/tien-do/", views.results_progress_home, name="results_progress_home"),
    path("ket-qua/tong-quan/", views.results_dashboard_home, name="results_dashboard_home"),
    path("ket-qua/nhap-tep/", views.results_import, name="results_import"),
    path("ket-qua/mau.<str:fmt>", views.results_import_template, name="results_import_template"),
    path("<int:pk>/ket-qua/<str:month>/", views.results_grid, name="results_grid"),
    path("<int:pk>/ket-qua/<str:month>/o/", views.results_cell, name="results_cell"),
    path("<int:pk>/ket-qua/<str:month>/trang-thai/", views.results_transition, name="results_transition"),
    path("<int:pk>/ket-qua/<str:month>/lich-su/", views.results_history, name="results_history"),
    path("<int:pk>/ket-qua/<str:month>/xuat.<str:fmt>", views.results_export, name="results_export"),
    path("<int:pk>/tien-do/<str:month>/", views.results_completeness, name="results_completeness"),
]
