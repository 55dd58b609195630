"""Places people post from and the geometry of finding photos near a point."""
