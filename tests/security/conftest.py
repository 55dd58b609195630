from tests.security.serving import served  # noqa: F401 (a real `filmroll serve`, started once)
