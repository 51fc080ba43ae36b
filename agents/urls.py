from django.urls import path

from . import views

app_name = "agents"

urlpatterns = [
    path("dai-ly/", views.agent_list, name="agent_list"),
    path("dai-ly/<int:pk>/", views.agent_detail, name="agent_detail"),
    path("dai-ly/<int:pk>/thu-tien/", views.collection_create, name="collection_create"),
    path("tinh-muc-dong/", views.calculator, name="calculator"),
    path("nguoi-tham-gia/", views.participant_list, name="participant_list"),
    path("nguoi-tham-gia/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("nguoi-tham-gia/so-lieu/<int:pk>/", views.registry_counts, name="registry_counts"),
    path("nguoi-tham-gia/nhap/", views.import_upload, name="import_upload"),
    path("nguoi-tham-gia/nhap/mau.xlsx", views.import_template, name="import_template"),
    path("nguoi-tham-gia/nhap/<int:pk>/", views.import_detail, name="import_detail"),
    path("nguoi-tham-gia/nhap/<int:pk>/cot/", views.import_map, name="import_map"),
    path("nguoi-tham-gia/nhap/<int:pk>/ghi/", views.import_commit, name="import_commit"),
]
