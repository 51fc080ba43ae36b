from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("don-vi/<int:pk>/", views.unit_settings, name="unit_settings"),
    path("don-vi/<int:pk>/xem-truoc/<str:kind>/<int:index>/", views.notice_preview, name="notice_preview"),
    path("huy/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
