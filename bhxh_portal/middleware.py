"""Response headers that hold for every page."""

from django.utils.cache import patch_cache_control


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user that sets no caching itself.

    Nearly every page behind the login shows personal data or figures scoped to the user's units
    (participants, import checks, beneficiary lists, work lists, jobs), and the few that do not gain
    nothing from a cache: one rule for all of them cannot forget a page, and a browser's back button
    or a shared proxy then never shows one user's page to the next person at the same desk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
        return response
