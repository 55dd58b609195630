"""The media package's tables on every logical shard (sharding/schema.py says how steps work)."""

from filmroll.sharding.schema import Step

STEPS = [
    Step(
        "0001_users_media_graph",
        """
        CREATE TABLE {s}media (
            {id},
            user_id bigint NOT NULL,
            caption text NOT NULL DEFAULT '',
            filter text NOT NULL DEFAULT 'normal',
            location_id bigint,
            latitude double precision,
            longitude double precision,
            images text NOT NULL,
            blurhash text NOT NULL DEFAULT '',
            likes integer NOT NULL DEFAULT 0,
            comments integer NOT NULL DEFAULT 0
        );
        CREATE INDEX media_by_user ON {s}media (user_id, id);
        """,
    ),
    Step(
        "0002_requests_blocks_likes_comments_feeds_activity",
        """
        CREATE TABLE {s}likes (
            media_id bigint NOT NULL,
            user_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (media_id, user_id)
        );
        CREATE TABLE {s}user_likes (
            user_id bigint NOT NULL,
            media_id bigint NOT NULL,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, media_id)
        );
        CREATE TABLE {s}comments (
            {id},
            media_id bigint NOT NULL,
            user_id bigint NOT NULL,
            text text NOT NULL
        );
        CREATE INDEX comments_by_media ON {s}comments (media_id, id);
        """,
    ),
    Step(
        "0004_media_alt_text",
        "ALTER TABLE {s}media ADD COLUMN alt_text text NOT NULL DEFAULT '';",
    ),
    Step(
        "0005_media_content_warning",
        """
        ALTER TABLE {s}media ADD COLUMN sensitive boolean NOT NULL DEFAULT false;
        ALTER TABLE {s}media ADD COLUMN spoiler_text text NOT NULL DEFAULT '';
        """,
    ),
    Step(
        "0005_saved_media",
        """
        CREATE TABLE {s}saved_media (
            {id},
            user_id bigint NOT NULL,
            media_id bigint NOT NULL,
            UNIQUE (user_id, media_id)
        );
        CREATE INDEX saved_media_by_user ON {s}saved_media (user_id, id);
        """,
    ),
    Step(
        "0005_people_in_photos",
        # The photo's people live in its row (`people`: JSON [[user_id, x, y], ...]), so the
        # media object and its cache version carry them; `photos_of` is the reverse index on
        # each tagged person's shard, kept to match by media/people.settle. `hidden`: 1 when the
        # person took the photo off their "Photos of you" tab (it stays tagged).
        """
        ALTER TABLE {s}media ADD COLUMN people text NOT NULL DEFAULT '[]';
        CREATE TABLE {s}photos_of (
            user_id bigint NOT NULL,
            media_id bigint NOT NULL,
            owner_id bigint NOT NULL,
            hidden integer NOT NULL DEFAULT 0,
            created_ms bigint NOT NULL,
            PRIMARY KEY (user_id, media_id)
        );
        """,
    ),
    Step(
        "0006_carousel",
        # An album (a carousel post): the row is the post and its first photo, the cover, so
        # grids, feeds and search read it as any photo; the other photos of the album are a
        # JSON list here, each [{"images": {size: {key, width, height}}, "filter", "alt_text",
        # "blurhash"}, ...] (media/albums.py). '[]' for a single photo.
        "ALTER TABLE {s}media ADD COLUMN carousel text NOT NULL DEFAULT '[]';",
    ),
]
