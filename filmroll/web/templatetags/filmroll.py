from django import template

from filmroll.web import placeholders

register = template.Library()


@register.filter
def placeholder(hash_: str | None) -> str:
    """A CSS background showing the photo's blurhash while it loads."""
    url = placeholders.data_url(hash_)
    return f"background: url({url}) center / cover no-repeat" if url else ""
