from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Cloud resources"

    def ready(self) -> None:
        # Registers every kind's actions with the operation runner, in web and worker processes alike.
        from resources.services import destroy, kinds  # noqa: F401
