from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.models import User
from gonghui.orgs.models import UnionNode
from gonghui.orgs.services import ImportRejected, import_tree


class Command(BaseCommand):
    help = "Import union nodes from .xlsx or .csv (parent by USCC); any bad row refuses the whole file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--under", type=int, help="id of the node that rows without a parent go under")
        parser.add_argument("--by", help="username recorded in the audit as the importer")

    def handle(self, *args, file: Path, under=None, by=None, **options):
        if not file.exists():
            raise CommandError(f"找不到文件：{file}")
        actor = User.objects.filter(username=by).first() if by else None
        if by and actor is None:
            raise CommandError(f"找不到用户：{by}")
        parent = UnionNode.objects.unscoped().filter(pk=under).first() if under else None
        if under and parent is None:
            raise CommandError(f"找不到上级组织：{under}")
        try:
            result = import_tree(file, by=actor, under=parent)
        except ImportRejected as rejected:
            lines = [f"第{row}行：{msg}" if row else msg for row, msg in rejected.errors]
            raise CommandError("文件未导入，请修改后重试：\n" + "\n".join(lines)) from None
        self.stdout.write(f"已导入 {len(result.created_ids)} 个组织。")
