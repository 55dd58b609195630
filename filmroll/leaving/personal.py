"""What leaving itself keeps about a person (sharding/personal.py says how this works): the
"Download your data" archives."""

from filmroll.leaving import export
from filmroll.sharding.personal import Store

PERSONAL = [Store("data archives", export.forget)]
