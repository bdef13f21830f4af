from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Cloud connections"

    def ready(self) -> None:
        from django.conf import settings

        from drivers import registry

        registry.configure(settings.SPIDERWEB_DRIVER_OPTIONS)
