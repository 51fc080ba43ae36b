from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("", views.unit_browser, name="unit_browser"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/cap-duoi/", views.unit_children_partial, name="unit_children"),
]
