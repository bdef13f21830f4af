from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Cloud resources"

    def ready(self) -> None:
        # Registers every kind's actions with the operation runner, in web and worker processes alike.
        import importlib

        from resources import kinds
        from resources.services import adoption, anycall, destroy, tags  # noqa: F401

        for spec in kinds.all_kinds():
            if spec.service:
                importlib.import_module(spec.service)
