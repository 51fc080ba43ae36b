from django.urls import path

from . import views_dashboard

app_name = "dashboard"

urlpatterns = [
    path("<int:pk>/tong-quan/", views_dashboard.results_dashboard, name="unit"),
]
