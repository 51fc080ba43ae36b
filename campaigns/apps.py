from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Kế hoạch, hoạt động vận động"

    def ready(self):
        # agents sits below campaigns: its access log names the logged beneficiaries through this.
        from agents.selectors import register_beneficiary_name
        from campaigns.programmes.selectors import beneficiary_name_of

        register_beneficiary_name(beneficiary_name_of)
