"""Import a member roster from the command line: the same action as the console page and the API.

    manage.py import_members FILE --union <id|USCC> [--commit] [--user USERNAME]
                             [--map "证件号=id_number" …] [--ignore-unknown]

Without --commit it is a dry run: it prints the report and writes nothing. With --commit it
checks the file and then writes every valid row (all or none). Exit code 1 when the file is
refused or the import fails.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.models import User
from gonghui.members import importing
from gonghui.members.importing_rows import FIELDS, IGNORE
from gonghui.members.models import ImportBatch


class Command(BaseCommand):
    help = "Import a member roster (.xlsx/.xls/.et/.ods/.csv) into a grassroots union; dry run unless --commit."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--union", required=True, help="id or unified social credit code of the union")
        parser.add_argument("--commit", action="store_true", help="write the valid rows (default: dry run)")
        parser.add_argument("--user", help="username recorded as the importer (needs members.import there)")
        parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                            help=f"map a column to a field ({', '.join(FIELDS)}) or to nothing (HEADER=)")
        parser.add_argument("--ignore-unknown", action="store_true", help="do not import unrecognised columns")

    def handle(self, *args, file: Path, union: str, commit: bool, user=None, map=(), ignore_unknown=False,
               **options):
        if not file.exists():
            raise CommandError(f"找不到文件：{file}")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"找不到用户：{user}")
        node = importing.find_union(union)
        if node is None:
            raise CommandError(f"找不到基层工会或联合基层工会：{union}")
        mapping = {}
        for item in map:
            header, _sep, field = item.partition("=")
            mapping[header.strip()] = field.strip()
        try:
            batch = importing.start_import(file, node, by=actor, file_name=file.name, mapping=mapping or None)
        except importing.BadFile as e:
            self.stderr.write(f"文件未导入：{e.message}")
            sys.exit(1)
        except Exception as e:  # PermissionDenied, ValidationError
            raise CommandError(" ".join(getattr(e, "messages", [str(e) or "您没有执行此操作的权限。"]))) from None
        if batch.status == ImportBatch.Status.MAPPING and ignore_unknown:
            unknown = {h: IGNORE for h in batch.report.get("unknown", [])}
            batch = importing.choose_columns(batch, unknown, by=actor)
        self.report(batch)
        if batch.status != ImportBatch.Status.CHECKED:
            sys.exit(1)
        if not commit:
            self.stdout.write("这是试运行，没有写入任何数据；确认无误后加 --commit 导入。")
            return
        try:
            batch = importing.commit(batch, by=actor)
        except importing.ImportRefused as e:
            self.stderr.write(e.message)
            sys.exit(1)
        self.report(batch)
        if batch.status != ImportBatch.Status.COMMITTED:
            sys.exit(1)

    def report(self, batch: ImportBatch) -> None:
        out = self.stdout.write
        report = batch.report or {}
        out(f"批次 {batch.pk}：{batch.file_name} → {batch.union.name}（{batch.status_label}）")
        if batch.error:
            self.stderr.write(batch.error)
        if batch.status == ImportBatch.Status.MAPPING:
            for problem in report.get("mapping_problems", []):
                self.stderr.write(problem)
            self.stderr.write("可用 --map \"列名=字段\" 指定，或 --ignore-unknown 忽略认不出的列。")
            return
        if report.get("imported_before"):
            out(f"注意：这个文件以前已导入过（批次 {report['imported_before']['id']}），其中的会员会显示为已在册。")
        valid = batch.created_rows if batch.status == ImportBatch.Status.COMMITTED else batch.valid_rows
        label = "已导入" if batch.status == ImportBatch.Status.COMMITTED else "可导入"
        out(f"总行数 {batch.total_rows}，{label} {valid}，已在册 {batch.existing_rows}，有错误 {batch.rejected_rows}"
            f"（用时 {report.get('seconds', 0)} 秒）")
        for reason in report.get("reasons", []):
            out(f"  {reason['label']}：{reason['count']} 行")
        for sample in report.get("samples", [])[:20]:
            out(f"  第{sample['row']}行 {sample['name']}：{'；'.join(sample['messages'])}")
        if batch.rejected_file:
            out(f"有错误的行：{batch.rejected_file.path}")
