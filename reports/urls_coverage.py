from django.urls import path

from . import views_coverage

app_name = "coverage"

urlpatterns = [
    path("<int:pk>/", views_coverage.coverage_page, name="page"),
    path("<int:pk>/tai-ve/", views_coverage.coverage_download, name="download"),
]
