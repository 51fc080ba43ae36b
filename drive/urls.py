from django.urls import path

from . import views, views_round

app_name = "drive"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/dan-cu/nhap/", views.resident_import, name="resident_import"),
    path("<int:pk>/<str:month>/ket-qua/", views.funnel, name="funnel"),
    path("<int:pk>/<str:month>/<str:kind>/", views.work_list, name="work_list"),
    path("<int:pk>/<str:month>/<str:kind>/mau-ket-qua/", views_round.round_template, name="round_template"),
    path("<int:pk>/<str:month>/<str:kind>/nhap-ket-qua/", views_round.contact_import, name="contact_import"),
    path("nguoi/<int:pk>/", views.item_detail, name="item_detail"),
    path("nguoi/<int:pk>/phan-cong/", views.item_assign, name="item_assign"),
]
