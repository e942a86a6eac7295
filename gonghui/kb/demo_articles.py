"""Demo data of the kb app's articles part: a few hundred articles of the city and its districts.

Policies with document numbers, FAQs (欠薪, 工伤, 劳动合同, 金秋助学, 困难帮扶, 入会 …), guides, news
and notices, composed from articles_corpus; bulk-inserted (seed_demo's one audit entry covers the
batch) and indexed for search.
"""

import datetime

from django.utils import timezone

from gonghui.kb import search
from gonghui.kb import services_articles as svc
from gonghui.kb.articles_corpus import (
    GUIDE_TITLES,
    NEWS_TEMPLATES,
    NOTICE_TEMPLATES,
    POLICY_TITLES,
    QUESTIONS,
    TOPICS,
)
from gonghui.kb.models import Article, Category, SearchEntry, Tag
from gonghui.kb.sanitize import html_to_text
from gonghui.orgs.models import UnionNode

K = Article.Kind
S = Article.Status
P = Article.PolicyStatus


def _paras(sentences) -> str:
    return "".join(f"<p>{s}</p>" for s in sentences)


def _answer(rng, topic: str) -> str:
    sentences = TOPICS[topic]["sentences"]
    picked = rng.sample(sentences, k=min(len(sentences), rng.randint(3, 5)))
    return _paras(picked) + "<p>如需进一步帮助，请拨打12351职工服务热线或在网上工会“我要咨询”留言。</p>"


def _policy_body(rng, topic: str) -> str:
    sentences = TOPICS[topic]["sentences"]
    chapters = ["第一章 总则", "第二章 主要内容", "第三章 保障措施", "第四章 附则"]
    body = []
    n = 1
    picked = rng.sample(sentences, k=len(sentences))
    per = max(1, len(picked) // len(chapters))
    for i, chapter in enumerate(chapters):
        body.append(f"<h3>{chapter}</h3>")
        for s in picked[i * per:(i + 1) * per]:
            body.append(f"<p><strong>第{_cn(n)}条</strong> {s}</p>")
            n += 1
    body.append(f"<p><strong>第{_cn(n)}条</strong> 本办法自发布之日起施行。</p>")
    return "".join(body)


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _guide_body(rng, topic: str, place: str) -> str:
    sentences = TOPICS[topic]["sentences"]
    steps = rng.sample(sentences, k=min(len(sentences), 4))
    return (
        "<h3>适用对象</h3>" + f"<p>{sentences[0]}</p>"
        + "<h3>办理流程</h3><ol>" + "".join(f"<li>{s}</li>" for s in steps) + "</ol>"
        + "<h3>办理地点</h3>" + f"<p>{place}职工服务中心一楼服务窗口，或登录网上工会在线办理。</p>"
        + "<table><thead><tr><th>事项</th><th>时限</th></tr></thead><tbody>"
        + "<tr><td>受理</td><td>1个工作日</td></tr><tr><td>办结</td><td>5个工作日</td></tr></tbody></table>"
    )


def seed(rng) -> dict:
    svc.ensure_defaults()
    categories = {c.code: c for c in Category.objects.all()}
    city = UnionNode.objects.unscoped().filter(parent__isnull=True).order_by("path").first()
    if city is None:
        return {}
    districts = list(UnionNode.objects.unscoped().filter(parent=city, kind=UnionNode.Kind.DISTRICT_FEDERATION)
                     .order_by("path"))
    grassroots = {
        d.pk: list(UnionNode.objects.unscoped().filter(path__startswith=d.path, kind=UnionNode.Kind.GRASSROOTS_UNION)
                   .order_by("path")[:4])
        for d in districts
    }
    now = timezone.now()
    rows: list[Article] = []
    tags_of: list[list[str]] = []

    def add(node, kind, title, body, topic, *, days=None, status=S.PUBLISHED, tags=(), **fields):
        published = now - datetime.timedelta(days=days if days is not None else rng.uniform(1, 540),
                                             hours=rng.uniform(0, 12))
        a = Article(node=node, node_path=node.path, kind=kind, title=title, body_html=body,
                    summary=fields.pop("summary", ""), category=categories.get(TOPICS[topic]["category"]),
                    status=status, views=rng.randint(0, 3000) if status == S.PUBLISHED else 0,
                    published_at=published if status == S.PUBLISHED else None, **fields)
        rows.append(a)
        tags_of.append(list(tags) or rng.sample(TOPICS[topic]["terms"], k=2))
        return a

    # The city: policies, FAQs, guides, news and notices.
    for i, (topic, title, body_name, prefix) in enumerate(POLICY_TITLES):
        year = rng.choice([2022, 2023, 2024, 2025])
        issued = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        add(city, K.POLICY, title, _policy_body(rng, topic), topic, days=(now.date() - issued).days,
            issuing_body=body_name, doc_number=f"{prefix}〔{year}〕{rng.randint(1, 60)}号", issued_on=issued,
            effective_on=issued + datetime.timedelta(days=rng.choice([0, 15, 30])), policy_status=P.IN_FORCE,
            summary=TOPICS[topic]["sentences"][0])
        if i % 5 == 0:  # an older version, now repealed
            old = issued.replace(year=year - 4)
            add(city, K.POLICY, title + "（" + str(old.year) + "年版）", _policy_body(rng, topic), topic,
                days=(now.date() - old).days, issuing_body=body_name,
                doc_number=f"{prefix}〔{old.year}〕{rng.randint(1, 60)}号", issued_on=old, effective_on=old,
                policy_status=P.REPEALED)
    for topic, questions in QUESTIONS.items():
        for q in questions:
            add(city, K.FAQ, q, _answer(rng, topic), topic)
    for topic, title in GUIDE_TITLES.items():
        add(city, K.GUIDE, title, _guide_body(rng, topic, "江海市"), topic)
    for topic, title, lead in rng.sample(NEWS_TEMPLATES, k=len(NEWS_TEMPLATES)):
        for _ in range(2):
            add(city, K.NEWS, title.format(node="市总工会"),
                _paras([lead.format(node="市总工会", n=rng.randint(20, 900), m=rng.randint(5, 300))]
                       + rng.sample(TOPICS[topic]["sentences"], k=3)), topic, days=rng.uniform(0, 200))
    for topic, title, lead in NOTICE_TEMPLATES:
        year = rng.choice([2025, 2026])
        add(city, K.NOTICE, title.format(year=year), _paras([lead.format(node="市总工会")]
                                                            + rng.sample(TOPICS[topic]["sentences"], k=2)), topic)

    # Each district: its own rules, FAQs, guides, plenty of news and notices.
    for d in districts:
        short = d.short_name or d.name
        place = short.replace("总工会", "")
        for topic, title in (("hardship", "困难职工帮扶实施细则"), ("legal", "职工法律援助工作规程"),
                             ("education", "金秋助学活动实施方案"), ("wages", "根治欠薪工作联席会议制度")):
            year = rng.choice([2024, 2025])
            issued = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
            add(d, K.POLICY, f"{short}{title}", _policy_body(rng, topic), topic, days=(now.date() - issued).days,
                issuing_body=short, doc_number=f"{place[:1]}工发〔{year}〕{rng.randint(1, 40)}号",
                issued_on=issued, effective_on=issued, policy_status=rng.choice([P.IN_FORCE] * 4 + [P.AMENDED]))
        for topic in ("wages", "injury", "legal", "membership", "hardship", "education", "contract", "women"):
            q = rng.choice(QUESTIONS[topic])
            add(d, K.FAQ, f"{place}：{q}", _answer(rng, topic)
                + f"<p>{place}职工服务中心地址和电话请见“办事指南”。</p>", topic)
        for topic in rng.sample(list(GUIDE_TITLES), k=3):
            add(d, K.GUIDE, f"{place}{GUIDE_TITLES[topic]}", _guide_body(rng, topic, place), topic)
        for _ in range(35):
            topic, title, lead = rng.choice(NEWS_TEMPLATES)
            add(d, K.NEWS, title.format(node=short),
                _paras([lead.format(node=short, n=rng.randint(10, 500), m=rng.randint(2, 120))]
                       + rng.sample(TOPICS[topic]["sentences"], k=2)), topic, days=rng.uniform(0, 300))
        for _ in range(10):
            topic, title, lead = rng.choice(NOTICE_TEMPLATES)
            add(d, K.NOTICE, f"{short}" + title.format(year=rng.choice([2025, 2026])),
                _paras([lead.format(node=short)] + rng.sample(TOPICS[topic]["sentences"], k=2)), topic)
        for g in grassroots.get(d.pk, []):
            topic, title, lead = rng.choice(NEWS_TEMPLATES)
            gshort = g.short_name or g.name
            add(g, K.NEWS, title.format(node=gshort),
                _paras([lead.format(node=gshort, n=rng.randint(5, 200), m=rng.randint(1, 20))]), topic,
                days=rng.uniform(0, 120))
        # A few in the pipeline, for the console.
        add(d, K.NOTICE, f"{short}关于开展职工运动会的通知（草稿）", _paras(["运动会定于下月举行。"]), "service",
            status=S.DRAFT)
        add(d, K.NEWS, f"{short}劳模工匠进校园活动", _paras(["劳模走进中小学讲述奋斗故事。"]), "skills",
            status=S.REVIEW)
        add(d, K.NOTICE, f"{short}关于春节期间服务安排的通知", _paras(["春节期间服务窗口轮流值班。"]), "service",
            status=S.SCHEDULED, publish_at=now + datetime.timedelta(days=3))

    for a in rows:
        a.body_html = svc.clean_html(a.body_html)
    Article.objects.unscoped().bulk_create(rows, batch_size=200)
    # Tags.
    names = sorted({t for ts in tags_of for t in ts})
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    through = Article.tags.through
    through.objects.bulk_create([through(article_id=a.pk, tag_id=tag_ids[t]) for a, ts in zip(rows, tags_of, strict=True)
                                 for t in ts], ignore_conflicts=True)
    # The index.
    entries = []
    for a, ts in zip(rows, tags_of, strict=True):
        if a.status != S.PUBLISHED:
            continue
        extra = " ".join(x for x in (a.summary, a.doc_number, a.issuing_body) if x)
        entries.append(SearchEntry(**search.entry_fields(
            "article", a.pk, title=a.title, body=f"{extra}\n{html_to_text(a.body_html)}\n{' '.join(ts)}".strip(),
            node_path=a.node_path, url=a.get_absolute_url(), published_at=a.published_at, boost=svc.boost_of(a),
            facets={"subkind": a.kind, "category_id": a.category_id, "policy_status": a.policy_status,
                    "node": a.node_id})))
    SearchEntry.objects.bulk_create(entries, batch_size=200)
    return {"kb_articles": len(rows), "kb_articles_published": len(entries)}
