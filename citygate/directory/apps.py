from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "citygate.directory"
    label = "directory"
    verbose_name = "Departments and districts"
