from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "citygate.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from citygate.campaigns import notices  # noqa: F401 - registers the templates
        from citygate.campaigns.services import campaigns_bring_in
        from citygate.inbox.sources import register

        register(campaigns_bring_in)
