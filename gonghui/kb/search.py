"""Chinese full-text search over articles and answered questions, one interface on two engines.

Text is segmented into words by jieba (with a user dictionary of union terms, data/union_terms.txt)
and stored space-separated in ``SearchEntry``; the engines then only split on spaces:

- SQLite: an FTS5 table (``kb_search_fts``, external content, kept by triggers; migration 0002),
  ranked by BM25;
- PostgreSQL: a generated ``tsvector`` column over the same text ('simple' configuration), copied by
  triggers into the narrow ranking table ``kb_searchrank`` with its GIN index, ranked by ts_rank.

Indexing uses jieba's search mode (a long word also yields its parts: 金秋助学 → 金秋, 助学,
金秋助学); a query uses the precise mode, and each query word becomes an OR of itself and its
synonyms, each synonym a phrase of its words. Words are AND-ed; if that finds nothing and the
query has several words, they are OR-ed. Who may find what is written into the index as tokens
(``facet_tokens``) and matched in the same full-text query, so the engines filter and rank in one
pass:

- ``zk<kind>`` (article, question), ``zs<subkind>`` (policy, faq …), ``zc<category id>``;
- ``zx<path>``: the publishing union (a worker finds what their union and its ancestors publish);
- ``zp<prefix>`` for every ancestor-or-self path (staff find their subtree);
- ``zo<user id>``: the owner of a question (the asker finds their own questions).

User input never reaches the engines' query syntax: it is cut into words and every word is
quoted; anything that still fails returns an empty page.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from functools import lru_cache
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

log_ = logging.getLogger(__name__)

USER_DICT = Path(__file__).parent / "data" / "union_terms.txt"
MAX_QUERY_CHARS = 100          # a longer query is cut to this many characters
MAX_TERMS = 12                 # and to this many words
TITLE_WEIGHT, BODY_WEIGHT, PINYIN_WEIGHT = 10.0, 1.0, 6.0
RECENT_NEWS_DAYS = 30
RECENT_NEWS_BOOST = 1.5
MAX_LIMIT = 50

# Words that carry no meaning in a question ("欠薪怎么办" is about 欠薪); dropped from a query
# unless nothing else is left.
STOP_WORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 么 是 在 和 与 及 或 有 没有 我 我们 你 你们 他 她 它 这 那 这个 那个 就 都 也 还 要
    想 能 能否 可以 可不可以 会 怎么 怎么办 怎样 怎么样 如何 什么 哪些 哪里 哪个 为什么 是否 请问 一下 一个 一些
    应该 需要 该 被 把 给 对 向 从 到 为 请 帮 帮忙 谢谢 如果 但是 因为 所以 去 来 上 下 中 等 个 之 其""".split()
)

_WORD_RE = re.compile(r"[^\w]|_", re.UNICODE)
_ASCII_WORD = re.compile(r"^[a-z]+$")


# ----- segmentation -----

_tokenizer = None
_tokenizer_lock = threading.Lock()


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.load_userdict(str(USER_DICT))
                tok.initialize()
                _tokenizer = tok
    return _tokenizer


def _clean(word: str) -> str:
    return _WORD_RE.sub("", word).lower()


def segment(text: str) -> str:
    """Index form of ``text``: jieba's search-mode words, cleaned, space-separated."""
    if not text:
        return ""
    words = (_clean(w) for w in _jieba().cut_for_search(text, HMM=False))
    return " ".join(w for w in words if w)


def query_words(text: str) -> list[str]:
    """Precise-mode words of a query (cleaned), without stop words unless nothing else is left."""
    words = [w for w in (_clean(w) for w in _jieba().cut(text, HMM=False)) if w]
    kept = [w for w in words if w not in STOP_WORDS]
    words = kept or words
    unique: list[str] = []
    for w in words:
        if w not in unique:
            unique.append(w)
    return unique[:MAX_TERMS]


def _phrase(term: str) -> list[str]:
    """The words of one synonym term, as the index would hold them consecutively."""
    return [w for w in (_clean(w) for w in _jieba().cut(term, HMM=False)) if w]


def pinyin_keys(title: str) -> str:
    """Pinyin keys of a title, so "jinqiu" and "jqzx" find 金秋助学…: from the start of each word
    to the end of the title, its syllables and its initials (a prefix query then matches)."""
    from pypinyin import Style, lazy_pinyin

    chinese = re.sub(r"[^\u3400-\u9fff]", "", title or "")[:40]
    if not chinese:
        return ""
    syllables = [s.lower() for s in lazy_pinyin(chinese, style=Style.NORMAL, errors="ignore")]
    if len(syllables) != len(chinese):
        return ""
    keys: list[str] = []
    starts = sorted({start for _w, start, _end in _jieba().tokenize(chinese, mode="search", HMM=False)})
    for start in starts:
        rest = syllables[start:]
        for key in ("".join(rest)[:120], "".join(s[0] for s in rest if s)[:40]):
            if key and key not in keys:
                keys.append(key)
    return " ".join(keys)


# ----- synonyms -----

_synonyms_cache: dict = {"at": 0.0, "map": {}}
SYNONYM_TTL = 30.0


def synonyms_map() -> dict[str, list[str]]:
    """term → the terms of its group (cached for SYNONYM_TTL seconds; cleared on edit)."""
    now = time.monotonic()
    if now - _synonyms_cache["at"] > SYNONYM_TTL:
        from gonghui.kb.models import Synonym

        mapping: dict[str, list[str]] = {}
        try:
            for syn in Synonym.objects.filter(active=True):
                terms = syn.term_list()
                for t in terms:
                    group = mapping.setdefault(t, [t])
                    group.extend(x for x in terms if x not in group)
        except DatabaseError:  # pragma: no cover - during migrations
            mapping = {}
        _synonyms_cache.update(at=now, map=mapping)
    return _synonyms_cache["map"]


def clear_synonyms_cache() -> None:
    _synonyms_cache["at"] = 0.0


def expand(word: str) -> list[list[str]]:
    """The word and its synonyms, each as a list of words (a phrase)."""
    group = synonyms_map().get(word, [word])
    phrases: list[list[str]] = []
    for term in group:
        words = [word] if term == word else _phrase(term)
        if words and words not in phrases:
            phrases.append(words)
    return phrases


# ----- indexing -----

def _facet_tokens(kind, subkind, category_id, node_path, owner_id, step=4) -> str:
    tokens = [f"zk{kind}"]
    if subkind:
        tokens.append(f"zs{_clean(subkind)}")
    if category_id:
        tokens.append(f"zc{int(category_id)}")
    if node_path:
        if kind == "article":
            tokens.append(f"zx{node_path.lower()}")
        tokens.extend(f"zp{node_path[:i].lower()}" for i in range(step, len(node_path) + 1, step))
    if owner_id and kind == "question":
        tokens.append(f"zo{int(owner_id)}")
    return " ".join(tokens)


def entry_fields(kind, obj_id, *, title, body, node_path, url, published_at, boost=1.0, facets=None,
                 owner_id=None) -> dict:
    """The SearchEntry columns of one item (used by index_item and by bulk loads)."""
    facets = dict(facets or {})
    owner_id = owner_id if owner_id is not None else facets.get("owner_id")
    subkind = str(facets.get("subkind") or facets.get("article_kind") or "")
    category_id = facets.get("category_id") or None
    body = body or ""
    return {
        "kind": kind, "obj_id": obj_id, "title": (title or "")[:300], "body": body,
        "title_seg": segment(title), "body_seg": segment(body[:20000]), "pinyin": pinyin_keys(title),
        "facet_tokens": _facet_tokens(kind, subkind, category_id, node_path, owner_id),
        "node_path": node_path or "", "owner_id": owner_id, "url": url, "published_at": published_at,
        "boost": float(boost), "subkind": subkind, "category_id": category_id, "facets": facets,
    }


def index_item(kind, obj_id, *, title, body, node_path, url, published_at, boost=1.0, facets=None,
               owner_id=None) -> None:
    """Add or replace one item. ``facets`` may carry "subkind", "category_id", "owner_id" (a
    question's asker, who alone among workers finds it) and anything the caller wants back in Hit.facets."""
    from gonghui.kb.models import SearchEntry

    fields = entry_fields(kind, obj_id, title=title, body=body, node_path=node_path, url=url,
                          published_at=published_at, boost=boost, facets=facets, owner_id=owner_id)
    # One statement (INSERT … ON CONFLICT DO UPDATE) on both engines; the FTS5 triggers follow it.
    SearchEntry.objects.bulk_create(
        [SearchEntry(**fields)], update_conflicts=True, unique_fields=["kind", "obj_id"],
        update_fields=[f for f in fields if f not in ("kind", "obj_id")] + ["updated_at"],
    )


def unindex_item(kind, obj_id) -> None:
    from gonghui.kb.models import SearchEntry

    SearchEntry.objects.filter(kind=kind, obj_id=obj_id).delete()


def rebuild_fts() -> None:
    """Rebuild the SQLite FTS5 index from kb_searchentry (after a bulk load without triggers)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("INSERT INTO kb_search_fts(kb_search_fts) VALUES ('rebuild')")
            cur.execute("INSERT INTO kb_search_fts(kb_search_fts) VALUES ('optimize')")


# ----- the audience -----

def _worker_paths(user) -> list[str]:
    cached = getattr(user, "_kb_worker_paths", None)
    if cached is None:
        from gonghui.members.models import Membership

        cached = list(
            Membership.objects.unscoped()
            .filter(worker__user=user, status__in=Membership.CURRENT)
            .values_list("node_path", flat=True)
        )
        try:
            user._kb_worker_paths = cached
        except AttributeError:  # pragma: no cover
            pass
    return cached


@lru_cache(maxsize=1)
def _root_paths_cached(_stamp: int) -> tuple[str, ...]:
    from gonghui.orgs.models import UnionNode

    return tuple(UnionNode.objects.unscoped().filter(parent__isnull=True).values_list("path", flat=True))


def _root_paths() -> tuple[str, ...]:
    return _root_paths_cached(int(time.monotonic() // 60))


def _self_and_ancestors(path: str, step: int = 4) -> list[str]:
    return [path[:i] for i in range(step, len(path) + 1, step)]


def audience_clause(user, kind: str) -> str | None:
    """Facet tokens any of which an item of ``kind`` must carry for ``user`` to find it.

    None: no restriction (a superuser); "": nothing.
    """
    from gonghui.core.scope import paths_with_permission

    is_auth = getattr(user, "is_authenticated", False)
    if is_auth and getattr(user, "is_superuser", False) and user.is_active:
        return None
    tokens: list[str] = []
    if kind == "question":
        if is_auth:
            tokens.append(f"zo{int(user.pk)}")
            for p in paths_with_permission(user, "requests.view") or []:
                tokens.append(f"zp{p.lower()}")
    else:
        exact: set[str] = set()
        if is_auth:
            for path in _worker_paths(user):
                exact.update(_self_and_ancestors(path))
            for p in paths_with_permission(user, "kb.view") or []:
                tokens.append(f"zp{p.lower()}")
                exact.update(_self_and_ancestors(p))
        exact.update(_root_paths())
        tokens.extend(f"zx{p.lower()}" for p in sorted(exact))
    return " ".join(f'"{t}"' for t in tokens)


def searcher_path(user) -> str:
    """The union a search is counted at (SearchLog.node_path)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    paths = _worker_paths(user)
    if paths:
        return paths[0]
    from gonghui.core.scope import _grant_rows

    rows = sorted(_grant_rows(user), key=lambda row: len(row[0]))
    return rows[0][0] if rows else ""


# ----- searching -----

@dataclass
class Hit:
    kind: str
    obj_id: int
    title: str
    snippet_html: str
    url: str
    score: float
    facets: dict = field(default_factory=dict)
    title_html: str = ""
    published_at: object = None


@dataclass
class SearchPage:
    total: int = 0                # capped at COUNT_CAP
    total_exact: bool = True      # False: past the ranking window on PostgreSQL, ``total`` is estimated
    hits: list[Hit] = field(default_factory=list)
    query: str = ""
    words: list[str] = field(default_factory=list)
    error: str = ""


def normalise_query(query) -> str:
    if not isinstance(query, str):
        return ""
    query = query.replace("\x00", " ").strip()
    return query[:MAX_QUERY_CHARS]


# Facet tokens that only one kind carries (``_facet_tokens``): they need no ``zk…`` beside them.
_KIND_OF_TOKEN = {"zx": "article", "zo": "question"}
ALL_KINDS = ("article", "question")


class _Plan:
    """The parts of one query, rendered for either engine.

    ``facets``: None (no restriction) or an OR of clauses, a clause an AND of token lists, a token
    list an OR of tokens; ``filters`` (an AND of token lists) apply to every clause. Tokens are bare.
    """

    def __init__(self, groups: list[list[list[str]]], pinyin: str, facets, filters: list[list[str]]):
        self.groups = groups          # AND of groups; a group is an OR of phrases; a phrase a list of words
        self.pinyin = pinyin          # a pinyin prefix, or ""
        self.facets = facets
        self.filters = filters

    # SQLite FTS5. No column filters in the main query: they make FTS5 read the position list of every
    # candidate row to check its column, and none is needed — facet tokens (zk…, zx…) never occur in
    # the text columns, and a pinyin key found in the text would be just as good a match.
    def fts5_text(self, op: str, *, titles_only: bool = False) -> str:
        def q(w):
            return '"' + w.replace('"', '""') + '"'

        parts = []
        for group in self.groups:
            alts = [q(" ".join(phrase)) for phrase in group]
            parts.append("(" + " OR ".join(alts) + ")")
        text = f" {op} ".join(parts)
        if titles_only and text:
            text = "{title_seg pinyin} : (" + text + ")"
        if self.pinyin:
            py = f"{q(self.pinyin)} *"
            text = f"({text}) OR {py}" if text else py
        return f"({text})"

    def fts5(self, op: str, *, titles_only: bool = False) -> str:
        facets = self.fts5_facets()
        text = self.fts5_text(op, titles_only=titles_only)
        return f"{text} AND ({facets})" if facets else text

    def fts5_facets(self) -> str:
        def q(t):
            return f'"{t}"'

        def ands(lists):
            return " AND ".join("(" + " OR ".join(q(t) for t in alts) + ")" for alts in lists)

        parts = []
        if self.facets is not None:
            parts.append(" OR ".join("(" + ands(c) + ")" for c in self.facets))
        if self.filters:
            parts.append(ands(self.filters))
        return " AND ".join(f"({p})" for p in parts)

    # PostgreSQL tsquery. No weight labels (':AB'): GIN cannot check weights, so every match would be
    # rechecked against its whole vector; pinyin keys and facet tokens never occur in the text anyway.
    def tsquery_text(self, op: str, weights: str = "") -> str:
        """``weights`` ("AC": title and pinyin in tsv_rank) limits every word to those parts."""
        label = f":{weights}" if weights else ""
        parts = []
        for group in self.groups:
            alts = [" <-> ".join(_pg_lexeme(w) + label for w in phrase) for phrase in group]
            parts.append("(" + " | ".join(f"({a})" for a in alts) + ")")
        text = ""
        if parts:
            text = "(" + (" & " if op == "AND" else " | ").join(parts) + ")"
        if self.pinyin:
            py = _pg_lexeme(self.pinyin) + ":*" + weights
            text = f"({text} | {py})" if text else py
        return text

    def tsquery_facets(self) -> str:
        q = _pg_lexeme

        def ands(lists):
            return " & ".join("(" + " | ".join(q(t) for t in alts) + ")" for alts in lists)

        parts = []
        if self.facets is not None:
            parts.append(" | ".join("(" + ands(c) + ")" for c in self.facets))
        if self.filters:
            parts.append(ands(self.filters))
        return " & ".join(f"({p})" for p in parts)

    def tsquery(self, op: str) -> str:
        facets = self.tsquery_facets()
        text = self.tsquery_text(op)
        return f"({text}) & ({facets})" if facets else f"({text})"


def _pg_lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "") + "'"


def _filter_tokens(filters: dict) -> list[list[str]]:
    out: list[list[str]] = []
    if not filters:
        return out

    def as_list(v):
        if v in (None, "", [], ()):
            return []
        return list(v) if isinstance(v, (list, tuple, set)) else [v]

    subkinds = [_clean(str(v)) for v in as_list(filters.get("subkind") or filters.get("article_kind"))]
    if subkinds:
        out.append([f"zs{s}" for s in subkinds if s] or ["zsnone"])
    cats = []
    for v in as_list(filters.get("category") or filters.get("category_id")):
        try:
            cats.append(int(v))
        except (TypeError, ValueError):
            cats.append(0)
    if cats:
        out.append([f"zc{c}" for c in cats])
    nodes = as_list(filters.get("node_path") or filters.get("union"))
    if nodes:
        out.append([f"zp{_clean(str(p))}" for p in nodes if _clean(str(p))] or ["zpnone"])
    return out


def _facets(audiences: dict[str, list[str] | None]):
    """The facet clauses for {kind: its audience tokens (None: all of that kind)}, as few and as short
    as they can be: every token list the engines read costs time in proportion to its length (zkquestion
    alone is every question), so a kind token is written only where the audience token does not imply
    the kind already. None: no restriction at all."""
    every_kind = set(audiences) >= set(ALL_KINDS)
    if every_kind and all(a is None for a in audiences.values()):
        return None
    bare: list[str] = []
    clauses: list[list[list[str]]] = []
    # A path token found in every kind's audience, when every kind is searched, needs no kind.
    shared = set.intersection(*(set(a or ()) for a in audiences.values())) if every_kind else set()
    for kind, audience in audiences.items():
        if audience is None:
            clauses.append([[f"zk{kind}"]])
            continue
        rest = []
        for t in audience:
            if t in shared or _KIND_OF_TOKEN.get(t[:2]) == kind:
                if t not in bare:
                    bare.append(t)
            else:
                rest.append(t)
        if rest:
            clauses.append([[f"zk{kind}"], rest])
    if bare:
        clauses.insert(0, [bare])
    return clauses


def _plan(query: str, user, kinds, filters) -> _Plan | None:
    words = query_words(query)
    groups = [expand(w) for w in words]
    pinyin = ""
    compact = re.sub(r"\s+", "", query.lower())
    if _ASCII_WORD.match(compact) and 2 <= len(compact) <= 60:
        pinyin = compact
    if not groups and not pinyin:
        return None
    audiences: dict[str, list[str] | None] = {}
    for kind in kinds:
        kind = _clean(str(kind))
        if not kind or kind in audiences:
            continue
        audience = audience_clause(user, kind)
        if audience == "":
            continue
        audiences[kind] = None if audience is None else [t.strip('"') for t in audience.split()]
    if not audiences:
        return None
    return _Plan(groups, pinyin, _facets(audiences), _filter_tokens(filters or {}))


# SQLite. BM25 costs microseconds per row it scores (FTS5 reads every phrase's positions and the row's
# length), and before the first row it counts the rows of every phrase in the query (its IDF) — for a
# facet token such as a district's path that is a third of the index. So a search never runs BM25 over
# all matches, nor over a query with facet tokens when it can help it:
#
# 1. the newest matches (text AND audience), streamed in descending rowid order and cut at COUNT_CAP:
#    that is the count, and the newest WINDOW of them are the ranking window;
# 2. older items whose title matches still compete: the newest TITLE_WINDOW of them (streamed too);
# 3. one BM25 pass over the rowid range of those rows, with the text alone (no facet tokens, so no
#    IDF over a whole subtree) and the rows outside the two sets skipped before BM25 is computed
#    (``+rowid IN``: the plus keeps SQLite from handing the list to FTS5, which would restart the
#    query — and its IDF — once per value). If the range holds too many text matches (a narrow
#    audience: a worker's union), the whole query is scored instead; its facet tokens are then short.
#
# Then the few best are re-ranked with their boost (policies in force, recent news).
CANDIDATES = 200
_BM25 = f"bm25(kb_search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}, {PINYIN_WEIGHT}, 0.0)"
WINDOW = 500
TITLE_WINDOW = 100
TEXT_RANGE_MAX = 5000   # text matches in the scored range above which BM25 takes the whole query
COUNT_CAP = 1000


def _newest(cur, match: str, n: int, below: int | None = None) -> list[int]:
    if below is None:
        cur.execute("SELECT rowid FROM kb_search_fts WHERE kb_search_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
                    [match, n])
    else:
        cur.execute("SELECT rowid FROM kb_search_fts WHERE kb_search_fts MATCH %s AND rowid < %s "
                    "ORDER BY rowid DESC LIMIT %s", [match, below, n])
    return [r[0] for r in cur.fetchall()]


def _bm25_among(cur, text: str, match: str, ids: list[int], pool: int) -> list[tuple[int, float]]:
    """[(rowid, bm25)] of ``ids`` (all matching ``match``), best first, at most ``pool``."""
    lo, hi = min(ids), max(ids)
    query = match
    if text != match:
        cur.execute("SELECT count(*) FROM (SELECT 1 FROM kb_search_fts WHERE kb_search_fts MATCH %s "
                    "AND rowid BETWEEN %s AND %s LIMIT %s)", [text, lo, hi, TEXT_RANGE_MAX + 1])
        if cur.fetchone()[0] <= TEXT_RANGE_MAX:
            query = text
    marks = ", ".join(["%s"] * len(ids))
    cur.execute(f"SELECT rowid, {_BM25} FROM kb_search_fts WHERE kb_search_fts MATCH %s AND rowid BETWEEN %s AND %s "
                f"AND +rowid IN ({marks}) ORDER BY {_BM25} LIMIT %s", [query, lo, hi, *ids, pool])
    return cur.fetchall()


def _sqlite_candidates(cur, plan, op: str, pool: int, window: int) -> tuple[int, list[tuple[int, float]]]:
    """(number of matches up to COUNT_CAP, [(rowid, bm25)] best first)."""
    match = plan.fts5(op)
    ids = _newest(cur, match, max(window, COUNT_CAP) + 1)  # one more: are there older matches?
    if not ids:
        return 0, []
    wanted = ids[:window]
    if len(ids) > window and plan.groups:  # older items whose title matches still compete
        wanted += _newest(cur, plan.fts5(op, titles_only=True), TITLE_WINDOW, below=wanted[-1])
    return min(len(ids), COUNT_CAP), _bm25_among(cur, plan.fts5_text(op), match, wanted, pool)


def _recent_factor(subkind: str, published_at, cutoff) -> float:
    if subkind == "news" and published_at is not None:
        if isinstance(published_at, str):
            from django.utils.dateparse import parse_datetime

            published_at = parse_datetime(published_at)
        if published_at is not None and timezone.is_naive(published_at):  # SQLite keeps UTC, naive
            published_at = published_at.replace(tzinfo=UTC)
        if published_at is not None and published_at >= cutoff:
            return RECENT_NEWS_BOOST
    return 1.0


# PostgreSQL. Matching and ranking read the ranking table, ``kb_searchrank`` (migration 0008: one narrow
# row per entry, ``tsv_rank`` kept in the row, the GIN indexes), never the wide ``kb_searchentry`` rows.
# Few estimated matches (a worker's unions) are all ranked. A search with many matches never visits them
# all: like SQLite it ranks the newest ones — whole recency buckets (PG_BUCKET ids each, a token zr<n> in
# the vector), as many as the planner's estimate of the matches (EXPLAIN, nothing executed) and then the
# density found call for. The buckets' tokens are one more key of the GIN scan, so GIN skips straight to
# them instead of reading every match of a common word. When too few of those matches have the words in
# their title, older title matches compete too (a GIN index of the title's words and pinyin keys, over as
# many ids again below). Past the window the count is an estimate (SearchPage.total_exact is False).
PG_WINDOW = 300
PG_TITLE_SPANS = 1   # older title matches compete over this many windows of ids below the window
PG_RANK_ALL = 2000   # estimated matches up to which every match is ranked (a worker's union: few rows)
PG_TITLE_TSV = "ts_filter(e.tsv_rank, '{a,c}')"   # the title's words and pinyin keys; indexed (0008)
PG_BUCKET = 2000     # ids per recency token zr<id // PG_BUCKET> in kb_searchrank.tsv (0008.RECENCY_BUCKET)


def _pg_estimate(cur, tsq: str, vector: str = "e.tsv") -> int:
    cur.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM kb_searchrank e WHERE {vector} @@ to_tsquery('simple', %s)",
                [tsq])
    plan = cur.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _pg_estimates(cur, plan, op: str) -> tuple[int, int]:
    """(estimated matches, an upper bound of them) from the planner's statistics."""
    est = _pg_estimate(cur, plan.tsquery(op))
    if plan.pinyin:
        # On ``tsv`` a prefix gets a default share of the rows (0.5 %, ×20 too few for "jqzx"); the title
        # index's statistics hold the pinyin keys: scale by what they expect of the text alone.
        text = plan.tsquery_text(op)
        est = int(est * max(1.0, _pg_estimate(cur, text, PG_TITLE_TSV) / max(1, _pg_estimate(cur, text))))
        return est, est
    if len(plan.groups) > 1 and op == "AND":
        # The planner takes words as independent, so it underestimates words that come together (技能培训
        # 补贴: ×15); the rarest word alone bounds the count from above.
        high = min(_pg_estimate(cur, _Plan([g], "", plan.facets, plan.filters).tsquery(op)) for g in plan.groups)
        return int((est * high) ** 0.5), high
    return est, est


def _recency(first: int, last: int) -> str:
    """The tsquery of the recency buckets ``first``..``last`` (their ids: migration 0008)."""
    return " | ".join(f"'zr{b}'" for b in range(first, last + 1))


def _pg_ranked(cur, plan, op: str, pool: int, cutoff, buckets: tuple[int, int] | None = None) -> list:
    """[(matches, of them title matches, id, score)] best first, at most ``pool``: the matches in the
    recency ``buckets`` (first, last) — all if None."""
    text_q = plan.tsquery_text(op)
    if buckets and plan.tsquery_facets():
        # A window's words are common: GIN checks each of their items against the audience, and does it
        # a fifth faster with the words and the audience as two keys of one scan than mixed in one query.
        conds = ["e.tsv @@ to_tsquery('simple', %s)"] * 2
        params = [text_q, plan.tsquery_facets()]
    else:
        conds, params = ["e.tsv @@ to_tsquery('simple', %s)"], [plan.tsquery(op)]
    if buckets:
        # One more key of the same GIN scan: it skips through the words' items straight to the buckets'.
        conds.append("e.tsv @@ to_tsquery('simple', %s)")
        params.append(_recency(*buckets))
    return _pg_scored(cur, plan, op, pool, cutoff, conds, params, in_title=bool(buckets))


def _pg_titles_below(cur, plan, op: str, pool: int, cutoff, below: int, floor: int) -> list:
    """Like _pg_ranked, the matches with floor <= id < below whose title matches. They are few: found by the
    title index ANDed with the primary key's range, then checked against the whole query row by row
    (ts_match_vq is @@ without the operator: the planner cannot read every match from tsv's index; an OR of
    recency tokens over a wide range would cost GIN ten times the primary key's range)."""
    conds = ["ts_match_vq(e.tsv, to_tsquery('simple', %s))", f"{PG_TITLE_TSV} @@ to_tsquery('simple', %s)",
             "e.id >= %s", "e.id < %s"]
    params = [plan.tsquery(op), plan.tsquery_text(op), floor, below]
    # The primary key would rather be walked with a filter that unpacks every row's tsv: keep bitmaps.
    cur.execute("SELECT set_config('enable_indexscan', 'off', true)")
    try:
        return _pg_scored(cur, plan, op, pool, cutoff, conds, params, in_title=False)
    finally:
        cur.execute("SELECT set_config('enable_indexscan', 'on', true)")


def _pg_scored(cur, plan, op: str, pool: int, cutoff, conds: list[str], params: list, *,
               in_title: bool) -> list:
    """[(matches, of them title matches — counted if ``in_title`` —, id, score)] of the rows meeting
    ``conds``, best first, at most ``pool``."""
    text_q = plan.tsquery_text(op)
    title_match = "e.tsv_rank @@ to_tsquery('simple', %s)" if in_title else "false"
    # The score is computed below the counts (OFFSET 0 keeps the subquery apart): else the window
    # function would carry every match's tsv_rank, and spill past work_mem from about 2,000 matches.
    cur.execute(
        f"""SELECT count(*) OVER (), count(*) FILTER (WHERE s.in_title) OVER (), s.id, s.score FROM (
                SELECT e.id, {title_match} AS in_title,
                       ts_rank(e.tsv_rank, to_tsquery('simple', %s)) * e.boost
                       * (CASE WHEN e.subkind = 'news' AND e.published_at >= %s THEN {RECENT_NEWS_BOOST} ELSE 1.0 END)
                       AS score
                FROM kb_searchrank e
                WHERE {" AND ".join(conds)}
                OFFSET 0) s
            ORDER BY s.score DESC, s.id DESC LIMIT %s""",
        [*([plan.tsquery_text(op, "AC")] if in_title else []), text_q, cutoff, *params, pool])
    return cur.fetchall()


def _pg_window(cur, plan, op: str, window: int, pool: int, cutoff,
               est: int) -> tuple[list, int, int, int, int]:
    """The newest ``window`` matches or more, whole recency buckets: (their best rows, their number, of them
    title matches, the first bucket — 0: every match —, the number of buckets)."""
    cur.execute("SELECT max(id) FROM kb_searchrank")
    last = (cur.fetchone()[0] or 0) // PG_BUCKET
    # Never start with more than a quarter of the index; size the next try from the density found.
    count = max(1, min(last // 4, int(last * 2.5 * window / max(est, 1))))
    while True:
        first = max(0, last - count + 1)
        rows = _pg_ranked(cur, plan, op, pool, cutoff, buckets=(first, last) if first > 0 else None)
        n, in_title = (rows[0][0], rows[0][1]) if rows else (0, 0)
        if n >= window or first == 0:
            return rows, n, in_title, first, count
        count = last + 1 if n == 0 else int(count * 2 * window / n) + 1


def _pg_run(cur, plan, op: str, limit: int, offset: int, cutoff) -> tuple[int, bool, list[tuple[int, float]]]:
    est, est_high = _pg_estimates(cur, plan, op)
    window = max(PG_WINDOW, offset + limit)
    pool = max(CANDIDATES, (offset + limit) * 2)
    first = 0
    if est_high <= max(PG_RANK_ALL, 2 * window):  # few matches (a worker's unions): rank them all
        rows = _pg_ranked(cur, plan, op, pool, cutoff)
        n = rows[0][0] if rows else 0
    else:
        rows, n, in_title, first, count = _pg_window(cur, plan, op, window, pool, cutoff, est)
        # Too few title matches among the newest to fill the page: older title matches compete too,
        # ranked apart (the window's rows are not ranked twice) and merged.
        if first > 0 and plan.groups and in_title < offset + limit:
            below, floor = first * PG_BUCKET, max(0, first - PG_TITLE_SPANS * count) * PG_BUCKET
            rows = rows + _pg_titles_below(cur, plan, op, pool, cutoff, below, floor)
            rows.sort(key=lambda r: (-r[3], -r[2]))
    if first == 0:
        total, exact = n, True
    else:  # past the window the count is estimated: the larger of the planner's and the density found
        every_bucket = first + count
        total, exact = max(n, min(COUNT_CAP, max(est, n * every_bucket // count))), n >= COUNT_CAP
    ranked = [(entry_id, float(score)) for _n, _t, entry_id, score in rows]
    return min(total, COUNT_CAP), exact, ranked[offset:offset + limit]


def _run(plan: _Plan, op: str, limit: int, offset: int) -> tuple[int, bool, list[tuple[int, float]]]:
    cutoff = timezone.now() - timedelta(days=RECENT_NEWS_DAYS)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            total, exact, rows = _pg_run(cur, plan, op, limit, offset, cutoff)
        else:
            pool = max(CANDIDATES, (offset + limit) * 2)
            window = max(WINDOW, offset + limit)  # a later page widens the window: it still has rows to show
            total, candidates = _sqlite_candidates(cur, plan, op, pool, window)
            exact = True
            rows = []
            if candidates:
                bm25 = dict(candidates)
                marks = ", ".join(["%s"] * len(bm25))
                cur.execute(f"SELECT id, boost, subkind, published_at FROM kb_searchentry WHERE id IN ({marks})",
                            list(bm25))
                scored = [(entry_id, -bm25[entry_id] * boost * _recent_factor(subkind, published, cutoff))
                          for entry_id, boost, subkind, published in cur.fetchall()]
                scored.sort(key=lambda r: (-r[1], -r[0]))
                rows = scored[offset:offset + limit]
    return total, exact, rows


def search(query, *, user=None, kinds=("article",), filters=None, limit=10, offset=0, log=True) -> SearchPage:
    """Search the index. Never raises on user input: a bad query returns an empty page.

    ``filters``: {"subkind": "policy" or a list, "category": id(s), "node_path": path(s) — a subtree}.
    ``total`` is capped at COUNT_CAP (pages show "1000+").
    """
    text = normalise_query(query)
    page = SearchPage(query=text)
    try:
        limit = max(1, min(int(limit), MAX_LIMIT))
        offset = max(0, min(int(offset), 10_000))
    except (TypeError, ValueError):
        limit, offset = 10, 0
    if not text:
        return page
    try:
        plan = _plan(text, user, kinds, filters)
        if plan is None:
            _log(text, 0, user, log)
            return page
        page.words = [w for g in plan.groups for p in g for w in p]
        # A savepoint on PostgreSQL, so a failed query leaves the caller's transaction usable; none on
        # SQLite, where atomic() would take the write lock (BEGIN IMMEDIATE) for a read.
        guard = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
        with guard:
            total, exact, rows = _run(plan, "AND", limit, offset)
            if total == 0 and offset == 0 and len(plan.groups) > 1:
                total, exact, rows = _run(plan, "OR", limit, offset)
        page.total, page.total_exact = total, exact
        page.hits = _hits(rows, page.words, plan.pinyin)
    except (DatabaseError, ValueError) as exc:  # never a 500 on what someone typed
        log_.warning("kb search failed for %r: %s", text[:100], exc)
        page.error = "search-failed"
        page.total, page.hits = 0, []
    _log(text, page.total, user, log)
    return page


def _log(text: str, total: int, user, log: bool) -> None:
    if not log or not text:
        return
    from gonghui.kb.models import SearchLog

    try:
        signed_in = getattr(user, "is_authenticated", False)
        if signed_in:
            # Search-as-you-type sends 欠, 欠薪, 欠薪怎么办 within seconds: keep one row, the last words.
            last = (SearchLog.objects.unscoped().filter(user=user, created_at__gte=timezone.now() - timedelta(seconds=60))
                    .order_by("-created_at", "-pk").first())
            if last and (text.startswith(last.query) or last.query.startswith(text)):
                SearchLog.objects.unscoped().filter(pk=last.pk).update(query=text[:200], results=total)
                return
        SearchLog.objects.create(
            query=text[:200], results=total, user=user if signed_in else None, node_path=searcher_path(user),
        )
    except DatabaseError:  # pragma: no cover - a log must not break a search
        log_.warning("kb search log failed", exc_info=True)


def _hits(rows, words: list[str], pinyin: str) -> list[Hit]:
    from gonghui.kb.models import SearchEntry

    if not rows:
        return []
    # Only what a hit shows: the segmented text and the facet tokens are long and not needed here.
    entries = (SearchEntry.objects.only("kind", "obj_id", "title", "body", "url", "facets", "published_at")
               .in_bulk([r[0] for r in rows]))
    hits = []
    for entry_id, score in rows:
        e = entries.get(entry_id)
        if e is None:
            continue
        hits.append(Hit(
            kind=e.kind, obj_id=e.obj_id, title=e.title, url=e.url, score=float(score or 0),
            facets=e.facets or {}, snippet_html=highlight(snippet(e.body, words), words),
            title_html=highlight(e.title, words), published_at=e.published_at,
        ))
    return hits


# ----- snippets -----

SNIPPET_CHARS = 90


def snippet(body: str, words: list[str], size: int = SNIPPET_CHARS) -> str:
    """A window of ``body`` around the first word found (plain text)."""
    body = re.sub(r"\s+", " ", body or "").strip()
    lower = body.lower()
    first = -1
    for w in sorted(words, key=len, reverse=True):
        if len(w) < 1:
            continue
        i = lower.find(w.lower())
        if i >= 0 and (first < 0 or i < first):
            first = i
    if first < 0:
        return body[:size] + ("…" if len(body) > size else "")
    start = max(0, first - size // 3)
    end = min(len(body), start + size)
    return ("…" if start > 0 else "") + body[start:end] + ("…" if end < len(body) else "")


def highlight(text: str, words: list[str]) -> str:
    """``text`` escaped, with each occurrence of a word wrapped in <mark>."""
    words = sorted({w for w in words if w and (len(w) >= 2 or not w.isascii())}, key=len, reverse=True)
    if not text:
        return ""
    if not words:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        out.append("<mark>" + html.escape(m.group(0)) + "</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)
