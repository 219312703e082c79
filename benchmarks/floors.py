"""The floors alliance-data is measured against: the same work written by hand, as short as
it can be, run as scripts in cold processes like the commands they are compared with.

A floor does what the command does, in the same way, and nothing else: the diff floor reads
both packages, joins on the keys and compares every cell; the SQLite floor builds the same
database (same tables, rows, types, indexes, full-text tables and views), streaming the rows
in one transaction. run.py checks that the SQLite floor's database is the same as ours.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

# python -c DIFF_FLOOR OLD NEW: every table read as text, joined on its key (a full outer join:
# added and removed rows), every cell of the matched rows compared, and the changed rows printed.
DIFF_FLOOR = """import sys, csv, json, pyarrow as pa, pyarrow.csv as pcsv, pyarrow.compute as pc
old, new = sys.argv[1:3]
def read(path):
    with open(path, encoding='utf-8') as handle:
        names = next(csv.reader(handle))
    return pcsv.read_csv(path, parse_options=pcsv.ParseOptions(newlines_in_values=True), convert_options=pcsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False, null_values=[]))
for r in json.load(open(new + '/datapackage.json'))['resources']:
    key = json.load(open(new + '/' + r['schema']))['primaryKey']
    key = [key] if isinstance(key, str) else key
    a, b = read(old + '/' + r['path']), read(new + '/' + r['path'])
    a = a.append_column('__old', pa.array(range(a.num_rows), pa.int64()))
    b = b.append_column('__new', pa.array(range(b.num_rows), pa.int64()))
    joined = b.join(a, key, join_type='full outer', right_suffix='__before')
    added = joined.filter(pc.is_null(joined['__old']))
    removed = joined.filter(pc.is_null(joined['__new']))
    both = joined.filter(pc.and_(pc.is_valid(joined['__old']), pc.is_valid(joined['__new'])))
    columns = [c for c in b.column_names if c not in key and c != '__new']
    differs = pa.array([False] * both.num_rows)
    for c in columns:
        differs = pc.or_(differs, pc.not_equal(both[c], both[c + '__before']))
    changed = both.filter(differs)
    print(r['name'], added.num_rows, 'added', removed.num_rows, 'removed', changed.num_rows, 'changed')
    for row in changed.select(key + columns + [c + '__before' for c in columns]).to_pylist():
        print(' / '.join(row[k] for k in key), '; '.join(f'{c}: {row[c + "__before"]} -> {row[c]}' for c in columns if row[c] != row[c + '__before']))
"""

# python -c SQLITE_FLOOR RECIPE PACKAGE OUT: the database of export_sqlite() built with the standard
# library. The SQL (tables, indexes, full-text tables, views, the rows derived in SQL) comes from
# the recipe; the rows are read from the package's Parquet files a batch at a time, as ours are.
SQLITE_FLOOR = """import sys, json, os, sqlite3, pyarrow as pa, pyarrow.parquet as pq
recipe, package, out = sys.argv[1:4]
if os.path.exists(out):
    os.remove(out)
plan = json.load(open(recipe))
files = {r['name']: package + '/' + r['path'].rsplit('.', 1)[0] + '.parquet'
         for d in ('datapackage.json', 'schemas/derived.json') for r in json.load(open(package + '/' + d))['resources']}
con = sqlite3.connect(out, isolation_level=None)
for name, sql in plan['tables']:
    con.execute(sql)
con.execute('begin')
for name, _ in plan['tables']:
    if name in plan['codes']:
        rows = plan['codes'][name]
        con.executemany(f"insert into [{name}] values ({', '.join('?' for _ in rows[0])})", rows)
    elif name in plan['derived']:
        con.execute(*plan['derived'][name])
    else:
        with pq.ParquetFile(files[name]) as parquet:
            for batch in parquet.iter_batches(batch_size=10_000):
                columns = [(c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c).to_pylist() for c in batch.columns]
                con.executemany(f"insert into [{name}] ({', '.join(f'[{n}]' for n in batch.schema.names)}) "
                                f"values ({', '.join('?' for _ in columns)})", zip(*columns))
con.execute('commit')
for sql in plan['views'] + plan['indexes']:
    con.execute(sql)
for name, sql, columns in plan['fts']:
    con.execute(sql)
    con.execute(f"insert into [{name}_fts] (rowid, {columns}) select rowid, {columns} from [{name}]")
assert not con.execute('pragma foreign_key_check').fetchall()
con.close()
"""


def sqlite_recipe(database: Path, package: Path, recipe: Path) -> None:
    """Write to ``recipe`` what SQLITE_FLOOR needs to build ``database`` again: the SQL of every
    table, view, index and full-text table in the order they were made, the code tables' rows,
    and the SQL of the tables ours derives in SQLite (agreements_wide, the citation tables)."""
    con = sqlite3.connect(database)
    master = con.execute("select type, name, sql from sqlite_master where sql is not null order by rowid").fetchall()
    virtual = [name for kind, name, sql in master if kind == "table" and sql.upper().startswith("CREATE VIRTUAL")]
    shadow = {name for _, name, _ in master for v in virtual if name.startswith(v + "_")}
    resources = {r["name"] for d in ("datapackage.json", "schemas/derived.json")
                 for r in json.loads((package / d).read_text(encoding="utf-8"))["resources"]}
    tables, indexes, views, fts = [], [], [], []
    codes, derived = {}, {}
    for kind, name, sql in master:
        if kind == "table" and name not in virtual and name not in shadow:
            tables.append([name, sql])
            if name.startswith("codes_"):
                codes[name] = con.execute(f"select * from [{name}] order by rowid").fetchall()
            elif name not in resources:
                derived[name] = derived_sql(con, name)
        elif kind == "index":
            indexes.append(sql)
        elif kind == "view":
            views.append(sql)
        elif name in virtual:
            columns = ", ".join(f"[{row[1]}]" for row in con.execute(f"pragma table_info([{name}])"))
            fts.append([name.removesuffix("_fts"), sql, columns])
    con.close()
    plan = {"tables": tables, "codes": codes, "derived": derived, "indexes": indexes, "views": views, "fts": fts}
    recipe.write_text(json.dumps(plan), encoding="utf-8")


def derived_sql(con: sqlite3.Connection, name: str) -> list[object]:
    """The statement (and its parameters) that fills a table ours derives from the loaded rows."""
    if name.endswith("_citations"):
        fact = name.removesuffix("_citations")
        return [f"insert into [{name}] select record_id, source_id, locator, stance, note from citations where record_table = ?", [fact]]
    # agreements_wide: the agreement's own columns, each role's actors sorted and joined, the sources counted.
    columns = [row[1] for row in con.execute(f"pragma table_info([{name}])")]
    own = {row[1] for row in con.execute("pragma table_info(agreements)")}
    roles = [c for c in columns if c not in own and c != "n_sources"]
    by_role = ", ".join(f"group_concat(case when role = '{r}' then actor_id end, '; ') as [{r}]" for r in roles)
    select = ", ".join(f"a.[{c}]" if c in own else f"p.[{c}]" if c in roles else "coalesce(s.n, 0)" for c in columns)
    return [f"insert into [{name}] select {select} from agreements a left join (select agreement_id, {by_role} from "
            "(select agreement_id, role, actor_id from agreement_parties order by agreement_id, actor_id) group by agreement_id) p "
            "on p.agreement_id = a.agreement_id left join (select record_id, count(distinct source_id) as n from citations "
            "where record_table = 'agreements' and stance = 'supports' group by record_id) s on s.record_id = a.agreement_id "
            "order by a.rowid", []]


def database_digest(database: Path) -> str:
    """A digest of a database's content: the SQL of every object, and every table's rows in
    rowid order with the type of each value (so 1 and 1.0 differ)."""
    con = sqlite3.connect(database)
    digest = hashlib.sha256()
    master = con.execute("select type, name, tbl_name, sql from sqlite_master order by type, name").fetchall()
    digest.update(repr(master).encode())
    for kind, name, _, sql in master:
        if kind == "table" and "WITHOUT ROWID" not in (sql or "").upper():
            for row in con.execute(f"select rowid, * from [{name}] order by rowid"):
                digest.update(repr([(type(v).__name__, v) for v in row]).encode())
    con.close()
    return digest.hexdigest()


CONNECT_FLOOR = """import duckdb, alliance_data
con = duckdb.connect()
for n in alliance_data.tables():
    con.execute(f"create view {n} as select * from read_parquet('{alliance_data.path(n)}')")
con.execute('select count(*) from events').fetchall()
"""
