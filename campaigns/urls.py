"""Every page of campaigns, one feature per prefix; each feature's urls module names its own
namespace (campaigns for the plan documents, activities, programmes, rules)."""

from django.urls import include, path

urlpatterns = [
    path("ke-hoach/", include("campaigns.documents.urls")),
    path("hoat-dong/", include("campaigns.activities.urls")),
    path("chuong-trinh/", include("campaigns.programmes.urls")),
    path("tinh-muc-dong/quy-tac/", include("campaigns.rules.urls")),
]
