from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/tien-do/", views.job_progress, name="job_progress"),
    path("<int:pk>/tai-ve/", views.job_download, name="job_download"),
    path("<int:pk>/gui-lai/", views.job_resend, name="job_resend"),
]
