from django.urls import path

from . import views

app_name = "administration"

urlpatterns = [
    path("", views.index, name="index"),
    path("nguoi-dung/", views.user_list, name="user_list"),
    path("nguoi-dung/them/", views.user_create, name="user_create"),
    path("nguoi-dung/<int:pk>/", views.user_detail, name="user_detail"),
    path("nguoi-dung/<int:pk>/phan-quyen/", views.membership_add, name="membership_add"),
    path("nguoi-dung/<int:pk>/phan-quyen/<int:membership_pk>/go/", views.membership_remove,
         name="membership_remove"),
    path("nguoi-dung/<int:pk>/trang-thai/", views.user_set_active, name="user_set_active"),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/nhap/", views.unit_import, name="unit_import"),
    path("don-vi/nap-danh-muc/", views.unit_official_load, name="unit_official_load"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("don-vi/<int:pk>/them/", views.unit_add_child, name="unit_add_child"),
    path("don-vi/<int:pk>/ket-thuc/", views.unit_end, name="unit_end"),
    path("dai-ly/", views.agent_list, name="agent_list"),
    path("dai-ly/them/", views.agent_create, name="agent_create"),
    path("dai-ly/<int:pk>/", views.agent_detail, name="agent_detail"),
    path("dai-ly/<int:pk>/trang-thai/", views.agent_set_active, name="agent_set_active"),
    path("dai-ly/<int:pk>/nhan-vien/them/", views.collector_create, name="collector_create"),
    path("dai-ly/<int:pk>/nhan-vien/<int:collector_pk>/", views.collector_detail, name="collector_detail"),
    path("danh-muc/", views.reference_data, name="reference_data"),
]
