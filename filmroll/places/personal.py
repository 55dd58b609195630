"""The places package keeps nothing about a person (sharding/personal.py says how this works)."""

from filmroll.sharding.personal import NotPersonal

PERSONAL = [
    NotPersonal("locations", "a place is shared by everyone who tags it; no column names a person"),
]
