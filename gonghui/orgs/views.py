import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import ScopedDetailView, ScopedListView, StaffRequiredMixin
from gonghui.orgs import services
from gonghui.orgs.forms import ImportForm, UnionNodeForm
from gonghui.orgs.models import UnionNode


class OrgListView(ScopedListView):
    model = UnionNode
    permission = "orgs.view"
    template_name = "orgs/list.html"
    filter_names = ("q", "kind")
    partial_template_name = "orgs/_table.html"

    def get_queryset(self):
        qs = self.base_queryset().select_related("parent")
        kind = self.request.GET.get("kind")
        if kind in UnionNode.Kind.values:
            qs = qs.filter(kind=kind)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(uscc=q.upper()))
        return qs.order_by("path")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = UnionNode.Kind.choices
        ctx["can_import"] = has_permission(self.request.user, "orgs.change")
        return ctx


class OrgDetailView(ScopedDetailView):
    model = UnionNode
    permission = "orgs.view"
    template_name = "orgs/detail.html"
    context_object_name = "node"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        node = self.object
        ctx["ancestors"] = node.ancestors()
        ctx["children"] = self.base_queryset().filter(parent=node).order_by("path")[:200]
        ctx["can_change"] = has_permission(self.request.user, "orgs.change", node.path)
        return ctx


class OrgCreateView(StaffRequiredMixin, View):
    """Add a node under a parent the user may change."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parent = get_visible_or_404(UnionNode, request.user, "orgs.view", pk=kwargs["parent_id"])
            require_permission(request.user, "orgs.change", self.parent.path)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, parent_id):
        return render(request, "orgs/form.html", {"form": UnionNodeForm(), "parent": self.parent})

    def post(self, request, parent_id):
        form = UnionNodeForm(request.POST)
        if form.is_valid():
            try:
                node = services.create_node(self.parent, form.cleaned_data, by=request.user)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("已添加“%(name)s”。") % {"name": node.name})
                return redirect("orgs:detail", pk=node.pk)
        return render(request, "orgs/form.html", {"form": form, "parent": self.parent}, status=422)


class OrgEditView(StaffRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.node = get_visible_or_404(UnionNode, request.user, "orgs.view", pk=kwargs["pk"])
            require_permission(request.user, "orgs.change", self.node.path)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        initial = {f: getattr(self.node, f) for f in services.NODE_FIELDS}
        return render(request, "orgs/form.html", {"form": UnionNodeForm(initial=initial), "node": self.node})

    def post(self, request, pk):
        form = UnionNodeForm(request.POST)
        if form.is_valid():
            try:
                services.update_node(self.node, form.cleaned_data, by=request.user)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("已保存。"))
                return redirect("orgs:detail", pk=self.node.pk)
        return render(request, "orgs/form.html", {"form": form, "node": self.node}, status=422)


class OrgImportView(StaffRequiredMixin, View):
    """Import nodes under a node the user may change; a bad row refuses the whole file."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.under = get_visible_or_404(UnionNode, request.user, "orgs.view", pk=kwargs["pk"])
            require_permission(request.user, "orgs.change", self.under.path)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return render(request, "orgs/import.html", {"form": ImportForm(), "node": self.under})

    def post(self, request, pk):
        form = ImportForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            if upload.size > services.MAX_IMPORT_BYTES:
                errors = [(0, _("文件超过20MB，请拆分后再导入。"))]
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / f"import{suffix}"
                    with path.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    try:
                        result = services.import_tree(path, by=request.user, under=self.under)
                    except services.ImportRejected as rejected:
                        errors = rejected.errors
                    else:
                        messages.success(request, _("已导入%(n)d个组织。") % {"n": len(result.created_ids)})
                        return redirect("orgs:detail", pk=self.under.pk)
        return render(request, "orgs/import.html",
                      {"form": form, "node": self.under, "import_errors": errors}, status=422)
