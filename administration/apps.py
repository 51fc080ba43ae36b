from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "administration"
    verbose_name = "Quản lý trong phạm vi đơn vị"
