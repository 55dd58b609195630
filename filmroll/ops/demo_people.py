"""The demo's community: who they are, what they photograph, and what they say to each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    bio: str
    themes: tuple[str, ...]  # what they post (demo_photos.Photo.theme)


PEOPLE = [
    # ana first: the demo's log-in
    Person("ana", "Ana Sousa", "Lisbon → Brisbane. Architecture student, coffee first.",
           ("campus", "paris", "wander")),
    Person("bo", "Bo Lindqvist", "Exchange semester in Brisbane. Mostly trees.", ("campus",)),
    Person("chen", "Chen Wei", "Structural engineer. I photograph buildings so you don't have to.",
           ("campus", "paris", "home")),
    Person("dara", "Dara Okafor", "PhD student, robotics lab. Chasing the 4 pm light.",
           ("campus",)),
    Person("emil", "Emil Novák", "Black and white, mostly. Prague, or wherever the train stops.",
           ("home", "paris")),
    Person("fatima", "Fatima Zahra", "Paris 11e. Walking, always walking.", ("paris",)),
    Person("gus", "Gus Ramírez", "Road trips and petrol-station coffee.", ("wander",)),
    Person("hana", "Hana Sato", "Gardener. Tulip season is my whole personality.", ("garden",)),
    Person("ivo", "Ivo Petrov", "Sunday photographer, weekday accountant.", ("garden", "wander")),
    Person("jules", "Jules Martin", "Parisien. Bakery, river, bakery.", ("paris",)),
    Person("kiri", "Kiri Walker", "Brisbane born. Fig trees are people too.", ("campus", "garden")),
    Person("lena", "Lena Vogel", "Allotment 14. Tomatoes, beans, opinions.", ("home", "garden")),
    Person("mo", "Mo Haddad", "Film camera, borrowed lenses.", ("home", "wander")),
    Person("nia", "Nia Evans", "Cape Town and Cardiff. Penguins over people.", ("wander",)),
    Person("oskar", "Oskar Berg", "Churches, lighthouses, things that stand still.", ("wander",)),
    Person("priya", "Priya Nair", "Botanist at weekends. Latin names on request.", ("garden",)),
    Person("quinn", "Quinn Taylor", "Unofficial campus tour guide. Ask me where the good coffee is.",
           ("campus",)),
    Person("rafa", "Rafa Costa", "Brick walls and window frames.", ("home", "paris")),
    Person("sofia", "Sofía Herrera", "Flowers, then coffee, then more flowers.", ("garden",)),
    Person("tomas", "Tomás Ruiz", "Long roads, short stories.", ("wander",)),
    Person("uma", "Uma Iyer", "Learning to see light. Be kind in the comments.",
           ("garden", "campus")),
    Person("wren", "Wren Hughes", "Parks, and the paths through them.", ("home", "garden")),
    Person("zoe", "Zoë Laurent", "Visiting Paris for the first time (again).", ("paris",)),
    Person("finn", "Finn Murphy", "Geologist. I will photograph your rocks.", ("wander", "home")),
]  # fmt: skip

COMMENTS = {
    "garden": ["These colours!", "Is this Floriade? Going next weekend", "The red ones in front 😍",
               "What variety is the white one?", "Spring, finally", "Saving this for my garden plans"],
    "campus": ["I had lectures in that building for three years", "Best coffee on campus is under"
               " those umbrellas", "That tree is older than the university", "Miss this place",
               "The light on the sandstone!"],
    "paris": ["Was it busy?", "Take me back", "The classic shot, and still great", "Those clouds!",
              "Bring me a croissant"],
    "wander": ["Where is this?", "How long did you drive?", "This looks like a film still",
               "Adding it to the list"],
    "home": ["Love the texture", "Great framing", "The grain on this", "Those look delicious"],
    "any": ["Beautiful light", "Love this one", "So calm", "This is gorgeous", "👏👏"],
}  # fmt: skip
REPLIES = ["@{fan} thank you!", "@{fan} right? it was so quiet", "@{fan} early morning, before"
           " the crowds", "@{fan} next time come along"]  # fmt: skip
