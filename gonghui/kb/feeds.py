"""RSS and Atom feeds per union, for its new-media accounts: what the union's workers read
(the union's own articles and those of the unions above it), newest first."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from gonghui.kb.models import Article
from gonghui.kb.sanitize import html_to_text
from gonghui.orgs.models import UnionNode

FEED_KINDS = (Article.Kind.NEWS, Article.Kind.NOTICE, Article.Kind.POLICY, Article.Kind.GUIDE, Article.Kind.FAQ)


class UnionRssFeed(Feed):
    def get_object(self, request, node_id):
        node = UnionNode.objects.unscoped().filter(pk=node_id, active=True).first()
        if node is None:
            raise Http404
        return node

    def title(self, node):
        return _("%(name)s · 政策资讯") % {"name": node.name}

    def link(self, node):
        return "/kb/"

    def description(self, node):
        return _("%(name)s发布的工会新闻、通知公告和政策文件。") % {"name": node.name}

    def items(self, node):
        paths = node.ancestor_paths() + [node.path]
        return (Article.objects.unscoped().filter(status=Article.Status.PUBLISHED, node_path__in=paths,
                                                  kind__in=FEED_KINDS)
                .select_related("node").order_by("-published_at", "-pk")[:30])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or html_to_text(item.body_html)[:200]

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.node.name

    def item_categories(self, item):
        return [item.kind_label]

    def item_guid(self, item):
        return f"gonghui-kb-article-{item.pk}"

    item_guid_is_permalink = False


class UnionAtomFeed(UnionRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, node):
        return self.description(node)
