"""Every shard table is declared as personal data or as not personal (sharding/personal.py), so
that deleting an account and "Download your data" cannot miss a table a feature adds."""

from filmroll.sharding import personal, schema


def test_every_shard_table_is_declared_personal_or_not():
    undeclared = sorted(set(schema.tables()) - personal.declared_tables())
    assert undeclared == [], (
        f"shard tables {undeclared} are not declared: add to your package's personal.py an"
        " Owned(...)/OfMedia(...)/Naming(...) for rows about a person, or NotPersonal(table, why)"
        " (and the module to PERSONAL_DATA in settings.py)"
    )


def test_declarations_name_real_tables_and_columns():
    tables = set(schema.tables())
    mirrors = []
    for d in personal.declarations():
        names = d.tables if isinstance(d, personal.Store) else (d.table,)
        assert set(names) <= tables, d
        if isinstance(d, personal.Naming) and d.via:
            assert d.via[0] in tables, d
            mirrors.append(d.via[0])
            # the mirror is the person's own rows: it must go too
            assert any(isinstance(o, personal.Owned) and o.table == d.via[0]
                       for o in personal.declarations()), d  # fmt: skip
    assert len(mirrors) == len(set(mirrors)), "one Naming per mirror table"
