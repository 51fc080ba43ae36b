from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("tao-moi/", views.document_start, name="document_start"),
    path("kiem-tra-chu-ky/", views.verify, name="verify"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/sua/", views.document_edit, name="document_edit"),
    path("<int:pk>/khoi/them/", views.block_edit, name="block_add"),
    path("<int:pk>/khoi/<int:block_pk>/sua/", views.block_edit, name="block_edit"),
    path("<int:pk>/khoi/<int:block_pk>/xoa/", views.block_delete, name="block_delete"),
    path("<int:pk>/khoi/<int:block_pk>/<str:direction>/", views.block_move, name="block_move"),
    path("<int:pk>/chuyen/<str:action>/", views.document_transition, name="document_transition"),
    path("<int:pk>/ky-so/", views.document_sign, name="document_sign"),
    path("<int:pk>/pdf/", views.document_pdf_view, name="document_pdf"),
    path("<int:pk>/docx/", views.document_docx_view, name="document_docx"),
]
