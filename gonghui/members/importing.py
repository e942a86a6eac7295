"""Importing a member roster (批量导入会员): one action for the console page, the API and the
``import_members`` command.

1. ``start_import`` refuses what is not a readable table (by its bytes; empty; too big), stores the
   file under its SHA-256 and creates an ImportBatch, then checks it (a dry run): inline for a small
   file, as a task for a large one.
2. The check reads the header (mapping Chinese column names and their synonyms to fields; unknown
   columns wait for the person on the mapping screen, ``choose_columns``), checks every row
   (importing_rows), finds duplicates inside the file and conflicts with current members in the
   tree, and keeps a report and a file of the rejected rows with a 错误原因 column.
3. ``commit`` writes all valid rows or none: it reads and checks the file again and writes chunk by
   chunk (GONGHUI_IMPORT_CHUNK_ROWS rows per short transaction, so other people can sign in and
   work meanwhile), tagging every created Worker and Membership with the batch; on any failure the
   batch's memberships and then the workers it created are deleted and the batch is marked failed.
   Rows go in with one executemany (SQLite) or COPY (PostgreSQL) per table and chunk, with ids
   allocated inside the chunk's transaction, never through bulk_create.

Large files are checked by worker processes (one per CPU) while this process reads the file and
writes; see docs/members-import.md for the figures.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import logging
import multiprocessing
import operator
import os
import tempfile
import time
import uuid
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core import crypto
from gonghui.core.scope import paths_with_permission, require_permission
from gonghui.members import numbers
from gonghui.members.importing_files import (
    BadFile,
    Header,
    check_size,
    column_letter,
    open_table,
    read_header,
    resolve_mapping,
    setting,
    sniff,
)
from gonghui.members.importing_rows import (
    FIELDS,
    IGNORE,
    P_HASH,
    P_JOINED,
    P_MEMBER_NUMBER,
    P_PINYIN,
    REQUIRED_FIELDS,
    WORKER_VALUES,
    RowChecker,
    cell_text,
    check_chunk_in_worker,
    group_label,
    group_of,
    init_worker,
    message,
)
from gonghui.members.models import ImportBatch, Membership, Worker
from gonghui.orgs.models import UnionNode

log = logging.getLogger("gonghui.members.import")

SAMPLE_ROWS = 50  # rejected rows shown on the report
PROCESS_ROWS = 5000  # rows a worker process checks at a time
CELL_SEPARATOR = "\x1f"
Status = ImportBatch.Status


class ImportRefused(Exception):
    """An action the batch's state does not allow now (commit twice, map after import…)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# ----- choices -----

def union_choices(user):
    """Unions the user may import into: grassroots and joint grassroots unions in their scope."""
    return (UnionNode.objects.visible_to(user, "members.import")
            .filter(kind__in=UnionNode.MEMBER_KINDS, active=True).order_by("path"))


def find_union(value: str | int) -> UnionNode | None:
    """A member-holding union by id or by unified social credit code (the command's --union)."""
    qs = UnionNode.objects.unscoped().filter(kind__in=UnionNode.MEMBER_KINDS)
    text = str(value).strip()
    if text.isdigit() and len(text) < 18:
        return qs.filter(pk=int(text)).first()
    return qs.filter(uscc=text.upper()).first()


def _check_union(union: UnionNode, by) -> None:
    if by is not None:
        require_permission(by, "members.import", union.path)
    if not union.holds_members:
        raise ValidationError({"union": [_("会员只能导入到基层工会或联合基层工会，请重新选择。")]})
    if not union.active:
        raise ValidationError({"union": [_("该工会已撤销，不能导入会员。")]})


# ----- start: store the file, create the batch, check it -----

def start_import(file, union: UnionNode, *, by, file_name: str | None = None,
                 mapping: dict | None = None) -> ImportBatch:
    """Store an uploaded roster and check it. ``file`` is a Path or a Django File/UploadedFile.

    Raises BadFile (nothing stored) when the file is not a readable table."""
    _check_union(union, by)
    name = Path(file_name or getattr(file, "name", "") or "roster").name[:255]
    stored = _store(file, name)
    try:
        info = sniff(Path(default_storage.path(stored["name"])), name)
    except BadFile:
        default_storage.delete(stored["name"])
        raise
    if mapping:
        mapping = _clean_mapping(mapping)
    batch = ImportBatch(
        union=union, file=stored["name"], file_name=name, file_sha256=stored["sha256"],
        file_size=stored["size"], column_mapping=mapping or {}, created_by=_person(by),
        report={"file": info},
    )
    batch.save()
    record(by, AuditEntry.Action.CREATE, batch, event="members.import_uploaded",
           extra={"file": name, "sha256": stored["sha256"], "size": stored["size"]})
    _schedule_check(batch)
    batch.refresh_from_db()
    return batch


def _person(by):
    return by if getattr(by, "is_authenticated", False) else None


def _store(file, name: str) -> dict:
    suffix = Path(name).suffix.lower()[:8]
    target = f"members/imports/{uuid.uuid4().hex}{suffix}"
    digest = hashlib.sha256()
    size = 0
    is_path = isinstance(file, (str, Path))
    if is_path:
        source = Path(file)
        if not source.exists():
            raise BadFile(_("找不到文件：%(name)s") % {"name": source.name}, "missing_file")
        fh = source.open("rb")
        size = source.stat().st_size
    else:
        fh = file
        fh.seek(0)
        size = getattr(file, "size", None) or 0
    try:
        check_size(size)
        path = Path(default_storage.path(target))
        path.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with path.open("wb") as out:
            while block := fh.read(1 << 20):
                digest.update(block)
                out.write(block)
                written += len(block)
        check_size(written)
    except BadFile:
        if default_storage.exists(target):
            default_storage.delete(target)
        raise
    finally:
        if is_path:
            fh.close()
    return {"name": target, "sha256": digest.hexdigest(), "size": written}


def _inline(batch: ImportBatch) -> bool:
    return batch.file_size <= setting("GONGHUI_IMPORT_INLINE_BYTES", 256 * 1024)


def _schedule_check(batch: ImportBatch) -> None:
    if _inline(batch):
        run_check(batch.pk)
    else:
        from gonghui.members.tasks import check_import

        ImportBatch.objects.unscoped().filter(pk=batch.pk).update(status=Status.CHECKING, heartbeat_at=timezone.now())
        check_import.enqueue(batch.pk)


# ----- mapping -----

def _clean_mapping(mapping: dict) -> dict:
    cleaned = {}
    for header, value in (mapping or {}).items():
        value = (value or "").strip() if isinstance(value, str) else value
        if value not in FIELDS and value not in (IGNORE, None):
            raise ValidationError({"mapping": [_("“%(header)s”的对应字段“%(value)s”不存在，请从列表中选择。")
                                               % {"header": header, "value": value}]})
        cleaned[str(header)] = value or IGNORE
    return cleaned


def choose_columns(batch: ImportBatch, mapping: dict, *, by) -> ImportBatch:
    """The person's choice for columns (header text -> field or "" to ignore); checks again."""
    if by is not None:
        require_permission(by, "members.import", batch.node_path)
    cleaned = _clean_mapping(mapping)
    updated = ImportBatch.objects.unscoped().filter(
        pk=batch.pk, status__in=[Status.MAPPING, Status.CHECKED, Status.UPLOADED]
    ).update(column_mapping={**batch.column_mapping, **cleaned}, status=Status.UPLOADED)
    if not updated:
        batch.refresh_from_db()
        raise ImportRefused(_refusal(batch), "not_allowed")
    batch.refresh_from_db()
    record(by, AuditEntry.Action.CHANGE, batch, event="members.import_mapped",
           changes={"column_mapping": [None, cleaned]})
    _schedule_check(batch)
    batch.refresh_from_db()
    return batch


def _refusal(batch: ImportBatch) -> str:
    return {
        Status.COMMITTING: _("该批次正在导入，请勿重复提交，稍候刷新页面查看结果。"),
        Status.COMMITTED: _("该批次已经导入过了，不会重复写入。"),
        Status.CHECKING: _("该批次正在校验，请等校验完成后再操作。"),
        Status.FAILED: _("该批次已失败，请重新上传文件。"),
    }.get(batch.status, _("该批次当前状态不能进行此操作。"))


# ----- commit -----

def commit(batch: ImportBatch, *, by) -> ImportBatch:
    """Write the batch's valid rows (all or none). A second call does nothing and says so."""
    if by is not None:
        require_permission(by, "members.import", batch.node_path)
    if batch.status == Status.CHECKED and not batch.valid_rows:
        raise ImportRefused(_("没有可以导入的新会员：所有行都已在册或有错误。请按错误原因改正后重新上传。"), "nothing_to_import")
    # One conditional UPDATE: of two clicks (or two servers) exactly one moves the batch on.
    updated = ImportBatch.objects.unscoped().filter(pk=batch.pk, status=Status.CHECKED).update(
        status=Status.COMMITTING, committed_by=_person(by), processed_rows=0, heartbeat_at=timezone.now())
    if not updated:
        batch.refresh_from_db()
        raise ImportRefused(_refusal(batch), "already_committed" if batch.status in (
            Status.COMMITTING, Status.COMMITTED) else "not_checked")
    batch.refresh_from_db()
    if _inline(batch):
        run_commit(batch.pk)
    else:
        from gonghui.members.tasks import commit_import

        commit_import.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


# ----- the two passes -----

def run_check(batch_id: int) -> None:
    batch = ImportBatch.objects.unscoped().select_related("union").get(pk=batch_id)
    ImportBatch.objects.unscoped().filter(pk=batch.pk).update(status=Status.CHECKING, processed_rows=0,
                                                              heartbeat_at=timezone.now())
    _Pass(batch, commit=False).run()


def run_commit(batch_id: int) -> None:
    batch = ImportBatch.objects.unscoped().select_related("union", "committed_by").get(pk=batch_id)
    if batch.status != Status.COMMITTING:
        return  # a task delivered twice
    _Pass(batch, commit=True).run()


STALL = datetime.timedelta(minutes=30)


def recover_stalled(now=None) -> list[int]:
    """Batches whose task died mid-way (the server restarted, the worker was killed): a commit is
    undone completely and marked failed, a check marked failed; both say so in Chinese. A running
    pass touches ``heartbeat_at`` every few seconds, so half an hour of silence means no task."""
    now = now or timezone.now()
    recovered = []
    stalled = (ImportBatch.objects.unscoped().select_related("union", "committed_by")
               .filter(status__in=ImportBatch.RUNNING, heartbeat_at__lt=now - STALL))
    for batch in stalled:
        if batch.status == Status.COMMITTING:
            text = _("导入被中断（例如服务器重启），已写入的部分已全部撤销，没有留下任何会员。请重新上传文件后再导入。")
        else:
            text = _("校验被中断（例如服务器重启），请重新上传文件。")
        # Only one recoverer takes a batch, and only if it is still silent.
        if not ImportBatch.objects.unscoped().filter(pk=batch.pk, status=batch.status,
                                                     heartbeat_at=batch.heartbeat_at).update(
                status=Status.FAILED, error=text, finished_at=now):
            continue
        undone = undo(batch) if batch.status == Status.COMMITTING else (0, 0)
        record(None, AuditEntry.Action.IMPORT, batch, event="members.import_interrupted", extra={
            "import_batch": batch.pk, "was": batch.status, "deleted_memberships": undone[0],
            "deleted_workers": undone[1]})
        recovered.append(batch.pk)
    return recovered


def undo(batch: ImportBatch) -> tuple[int, int]:
    """Delete what the batch wrote: its memberships, then the workers it created (in chunks)."""
    deleted = []
    for model in (Membership, Worker):
        table = connection.ops.quote_name(model._meta.db_table)
        total = 0
        while True:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "  # noqa: S608
                                f"WHERE import_batch_id = %s LIMIT 20000)", [batch.pk])
                    count = cur.rowcount
            total += count
            if count < 20000:
                break
        deleted.append(total)
    return deleted[0], deleted[1]


class _Pass:
    """One pass over the file: the check (a dry run) or the commit."""

    def __init__(self, batch: ImportBatch, *, commit: bool):
        self.batch = batch
        self.commit = commit
        self.by = batch.committed_by if commit else batch.created_by
        self.union = batch.union
        self.path = Path(batch.file.path)
        self.today = timezone.localdate()
        self.counts = Counter()
        self.reasons = Counter()
        self.samples: list[dict] = []
        # The 17-digit body of each ID number seen so far (an int: smaller than a digest or the
        # text) and the row where it first appeared.
        self.seen_ids: dict[int, int] = {}
        self.seen_numbers: dict[str, int] = {}
        self.pending: list = []  # checked rows waiting for their transaction
        self.rejects: list = []  # rejected rows waiting to be reported in row order
        self.write_rows = max(int(setting("GONGHUI_IMPORT_CHUNK_ROWS", 20000)), 1)
        self.rejected = None
        self.processed = 0
        self.view_paths = None if self.by is None else paths_with_permission(self.by, "members.view")
        self.union_names: dict[int, tuple[str, str]] = {}
        self.writer = _Writer(self) if commit else None
        # Seconds spent in each step by this process (the report keeps them; bench prints them).
        self.timings: Counter = Counter()

    # -- driving --

    def run(self) -> None:
        with _sqlite_cache():
            self._run()

    def _run(self) -> None:
        started = time.monotonic()
        table = None
        try:
            info = self.batch.report.get("file") or sniff(self.path, self.batch.file_name)
            table = open_table(self.path, info)
            self.batch.report = {**self.batch.report, "file": {**info, "reader": table.reader}}
            header, ahead, consumed = read_header(table)
            mapping = self._mapping(header, ahead)
            if mapping is None:
                return
            self.header = header
            self.columns = mapping.columns
            self.estimated = max(table.estimated_rows - header.row_number, 0)
            ImportBatch.objects.unscoped().filter(pk=self.batch.pk).update(
                total_rows=self.batch.total_rows if self.commit else self.estimated)
            rows = itertools.chain(ahead, zip(itertools.count(consumed + 1), table.rows))
            chunks = self._checked_chunks(rows)
            timings = self.timings
            while True:
                t0 = time.perf_counter()
                item = next(chunks, None)
                t1 = time.perf_counter()
                timings["read_and_check"] += t1 - t0
                if item is None:
                    break
                self._handle(*item)
                timings["handle"] += time.perf_counter() - t1
            t1 = time.perf_counter()
            self._flush()
            timings["handle"] += time.perf_counter() - t1
            if not self.counts["total"]:
                raise BadFile(_("表格里只有表头，没有会员数据。请从表头下一行起每行填写一名会员后重新上传。"), "no_rows")
            if table.close:
                table.close()
                table = None
            self._finish(time.monotonic() - started)
        except BadFile as e:
            self._fail(e.message, e.code)
            return
        except Exception:
            log.exception("member import %s failed", self.batch.pk)
            self._fail(_("导入过程中出错，已全部撤销，没有写入任何会员。请稍后重试；如果再次失败，请联系管理员。")
                       if self.commit else _("校验过程中出错，请稍后重试；如果再次失败，请联系管理员。"), "server_error")
            return
        finally:
            if table is not None and table.close:
                table.close()
            if self.rejected is not None and not self.rejected.closed:
                self.rejected.close()
                self.rejected.path.unlink(missing_ok=True)

    def _mapping(self, header: Header, ahead):
        chosen = dict(self.batch.column_mapping)
        remembered = []
        if not self.commit:
            for header_text, value in _remembered_mapping(self.batch).items():
                i = header.texts.index(header_text) if header_text in header.texts else None
                if i is not None and header.auto[i] is None and header_text not in chosen:
                    chosen[header_text] = value
                    remembered.append(header_text)
        mapping = resolve_mapping(header, chosen)
        columns = [{
            "index": i, "letter": column_letter(i + header.first_column), "header": text,
            "auto": header.auto[i], "field": chosen.get(text, header.auto[i]),
            "samples": _samples(ahead, i),
        } for i, text in enumerate(header.texts) if text]
        report = {**self.batch.report, "columns": columns, "header_row": header.row_number,
                  "remembered": remembered}
        problems = []
        for field, cols in mapping.conflicts:
            problems.append(_("“%(headers)s”都对应“%(field)s”，请只保留一列，把其余的设为“不导入”。") % {
                "headers": "”和“".join(header.texts[i] for i in cols), "field": FIELDS[field]})
        if mapping.missing and not mapping.unknown:
            have_choices = any(chosen.get(t) == IGNORE for t in header.texts if t)
            text = _("缺少必填列：%(fields)s。表头需要有“姓名”和“身份证号”两列（也可以写作“公民身份号码”“身份证号码”等）。") % {
                "fields": "、".join(str(FIELDS[f]) for f in mapping.missing)}
            if not have_choices:
                raise BadFile(text, "missing_columns")
            problems.append(text)
        if mapping.unknown:
            problems.insert(0, _("还有%(n)d列没有确定：%(headers)s。请为它们选择对应的字段，用不到的选“不导入”。") % {
                "n": len(mapping.unknown), "headers": "、".join(f"“{header.texts[i]}”" for i in mapping.unknown)})
        if mapping.unknown or problems:
            report["mapping_problems"] = problems
            report["unknown"] = [header.texts[i] for i in mapping.unknown]
            if self.commit:
                raise BadFile(_("还有列没有确定如何导入，请先确认列的对应关系。"), "mapping_needed")
            ImportBatch.objects.unscoped().filter(pk=self.batch.pk).update(
                status=Status.MAPPING, report=report, column_mapping=chosen)
            return None
        report.pop("mapping_problems", None)
        report.pop("unknown", None)
        self.batch.report = report
        if remembered:
            self.batch.column_mapping = chosen
            ImportBatch.objects.unscoped().filter(pk=self.batch.pk).update(column_mapping=chosen)
        return mapping

    def _checked_chunks(self, rows):
        # Checked in pieces of at most PROCESS_ROWS (workers and the rows in flight stay small),
        # written GONGHUI_IMPORT_CHUNK_ROWS at a time.
        chunks = _chunks(rows, min(self.write_rows, PROCESS_ROWS))
        hash_key = crypto._hash_key(settings.GONGHUI_DATA_KEY)
        fernet_key = _fernet_key() if self.commit else None
        dates_as_text = connection.vendor == "sqlite"
        # Worker processes: by default one per CPU but one, which is left to this process (it reads,
        # looks up and writes, and is the busier side: see docs/members-import.md).
        # (negative: none, everything in this process).
        processes = int(setting("GONGHUI_IMPORT_PROCESSES", 0)) or max((os.cpu_count() or 1) - 1, 1)
        parallel = processes >= 1 and self.batch.file_size >= setting("GONGHUI_IMPORT_PARALLEL_MIN_BYTES",
                                                                      2 * 1024 * 1024)
        if not parallel:
            checker = RowChecker(self.columns, today=self.today, hash_key=hash_key, fernet_key=fernet_key,
                                 dates_as_text=dates_as_text)
            for chunk in chunks:
                yield chunk, checker.check_chunk(chunk)
            return
        # Worker processes check and encrypt; this process reads ahead a few chunks and writes.
        # spawn, not fork: the parent holds database connections and may run threads. A worker
        # that dies (killed for memory) breaks the pool: the import fails and is undone, it never
        # waits for an answer that will not come.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=context, initializer=init_worker,
                                 initargs=(self.columns, self.today, hash_key, fernet_key, dates_as_text)) as pool:
            # Enough chunks in flight that the workers keep checking while this process writes a
            # whole transaction's worth (and no more, so memory stays flat).
            in_flight = max(processes * 2, -(-self.write_rows // PROCESS_ROWS) + 1)
            pending: deque = deque()
            try:
                for chunk in chunks:
                    pending.append((chunk, pool.submit(check_chunk_in_worker, chunk)))
                    if len(pending) > in_flight:
                        done, future = pending.popleft()
                        yield done, future.result()
                while pending:
                    done, future = pending.popleft()
                    yield done, future.result()
            finally:
                for _chunk, future in pending:
                    future.cancel()

    # -- one chunk --

    def _handle(self, chunk, results) -> None:
        """One checked chunk: duplicates inside the file; valid rows wait to be written (or looked
        up, in the dry run) a transaction's worth at a time."""
        first_row = self.seen_ids.setdefault
        pending = self.pending
        for (number, cells), (_n, prepared, errors, key) in zip(chunk, results, strict=True):
            if key is not None:
                first = first_row(key, number)
                if first != number:
                    errors = [*(errors or []), ("id_duplicate", {"row": first})]
                    prepared = None
            if prepared is not None and prepared[P_MEMBER_NUMBER]:
                first = self.seen_numbers.setdefault(prepared[P_MEMBER_NUMBER], number)
                if first != number:
                    errors = [("member_number_duplicate", {"row": first})]
                    prepared = None
            if prepared is None:
                self.rejects.append((number, cells, errors))
            else:
                # The cells wait only in case the row is rejected when written (a conflict): kept
                # as one string, a third of the memory of the list.
                try:
                    cells = CELL_SEPARATOR.join(cells)
                except TypeError:
                    cells = CELL_SEPARATOR.join(map(cell_text, cells))
                pending.append((number, cells, prepared))
        self.counts["total"] += len(chunk)
        self.processed += len(chunk)
        if len(pending) >= self.write_rows:
            self._flush()
        ImportBatch.objects.unscoped().filter(pk=self.batch.pk).update(
            processed_rows=self.processed, total_rows=max(self.processed, self.estimated)
            if not self.commit else max(self.batch.total_rows, self.processed), heartbeat_at=timezone.now())

    def _flush(self) -> None:
        """Write the waiting rows in one transaction (commit) or look them up (dry run), then
        report the rejected rows in row order."""
        if not self.pending and not self.rejects:
            return
        if self.pending:
            if self.commit:
                self.writer.write(self.pending)
            else:
                self._classify(self.pending)
            self.pending = []
        if self.rejects:
            self.rejects.sort(key=_first)
            for number, cells, errors in self.rejects:
                self._reject_now(number, cells, errors)
            self.rejects = []
        _after_chunk(self)

    def _classify(self, accepted):
        """Split checked rows into rows to write (new persons and new memberships of known
        persons), rows already present in this union, and conflicts, which are rejected. Returns
        the rows to write in file order as (worker id or None, sort name, prepared values)."""
        started = time.perf_counter()
        by_hash = _existing_workers([p[P_HASH] for _n, _c, p in accepted])
        current = _current_memberships([w[0] for w in by_hash.values()])
        taken = _taken_numbers([p[P_MEMBER_NUMBER] for _n, _c, p in accepted if p[P_MEMBER_NUMBER]])
        rows = []
        for number, cells, prepared in accepted:
            worker_id, sort_name = by_hash.get(prepared[P_HASH], (None, prepared[P_PINYIN]))
            membership = current.get(worker_id) if worker_id else None
            if membership is not None:
                union_id, status = membership
                if union_id == self.union.pk:
                    self.counts["existing"] += 1
                    continue
                self._reject(number, cells, [self._conflict(union_id, status)])
                continue
            if prepared[P_MEMBER_NUMBER] and prepared[P_MEMBER_NUMBER] in taken:
                self._reject(number, cells, [("member_number_taken", {"value": prepared[P_MEMBER_NUMBER]})])
                continue
            rows.append((worker_id, sort_name, prepared))
        self.counts["valid"] += len(rows)
        self.timings["look_up"] += time.perf_counter() - started
        return rows

    def _conflict(self, union_id: int, status: str):
        if status == Membership.Status.RETIRED_RETAINED:
            return "conflict_retained", None
        if union_id not in self.union_names:
            node = UnionNode.objects.unscoped().filter(pk=union_id).values_list("name", "path").first()
            self.union_names[union_id] = node or ("", "")
        name, path = self.union_names[union_id]
        visible = self.view_paths is None or any(path.startswith(p) for p in self.view_paths)
        if name and visible:
            return "conflict_active_named", {"union": name}
        return "conflict_active", None

    def _reject(self, number: int, cells, errors) -> None:
        self.rejects.append((number, cells, errors))

    def _reject_now(self, number: int, cells, errors) -> None:
        if cells.__class__ is str:
            cells = cells.split(CELL_SEPARATOR)
        texts = [message(code, params) for code, params in errors]
        self.counts["rejected"] += 1
        for code, _params in errors:
            self.reasons[group_of(code)] += 1
        if len(self.samples) < SAMPLE_ROWS:
            name_col = self.columns.get("name")
            id_col = self.columns.get("id_number")
            id_text = cell_text(cells[id_col]) if id_col is not None and id_col < len(cells) else ""
            self.samples.append({
                "row": number,
                "name": cell_text(cells[name_col])[:30] if name_col is not None and name_col < len(cells) else "",
                "id_number": crypto.mask_id_number(id_text) if id_text.isalnum() and len(id_text) >= 15
                else id_text[:24],
                "messages": texts,
            })
        if self.rejected is None:
            self.rejected = _RejectedFile(self.header.texts, self.columns.get("id_number"))
        self.rejected.add(cells, "；".join(texts))

    # -- the end --

    def _finish(self, seconds: float) -> None:
        batch = self.batch
        counts = self.counts
        old_rejected = batch.rejected_file.name
        rejected_name = self.rejected.save(batch) if self.rejected is not None else ""
        if old_rejected and old_rejected != rejected_name:
            default_storage.delete(old_rejected)
        before = (ImportBatch.objects.unscoped().filter(
            union=batch.union, file_sha256=batch.file_sha256, status=Status.COMMITTED)
            .exclude(pk=batch.pk).order_by("-finished_at").values("pk", "finished_at").first())
        report = {
            **batch.report,
            "phase": "commit" if self.commit else "check",
            "reasons": [{"code": code, "label": group_label(code), "count": n}
                        for code, n in self.reasons.most_common()],
            "samples": self.samples,
            "seconds": round(seconds, 2),
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "imported_before": {"id": before["pk"], "at": before["finished_at"].isoformat()
                                if before["finished_at"] else ""} if before else None,
        }
        fields = {
            "total_rows": counts["total"], "processed_rows": counts["total"],
            "valid_rows": counts["valid"], "existing_rows": counts["existing"],
            "rejected_rows": counts["rejected"], "report": report, "error": "", "rejected_file": rejected_name,
        }
        if self.commit:
            report["created_workers"] = self.writer.created_workers
            report["created_memberships"] = self.writer.created_memberships
            fields.update(status=Status.COMMITTED, created_rows=self.writer.created_memberships,
                          finished_at=timezone.now())
        else:
            fields.update(status=Status.CHECKED)
        ImportBatch.objects.unscoped().filter(pk=batch.pk).update(**fields)
        if self.commit:
            batch.refresh_from_db()
            record(self.by, AuditEntry.Action.IMPORT, batch, event="members.imported", extra={
                "import_batch": batch.pk, "file": batch.file_name, "sha256": batch.file_sha256,
                "total": counts["total"], "created_workers": self.writer.created_workers,
                "created_memberships": self.writer.created_memberships,
                "existing": counts["existing"], "rejected": counts["rejected"],
                "worker_ids": self.writer.id_range(),
            })

    def _fail(self, text: str, code: str) -> None:
        batch = self.batch
        undone = (0, 0)
        if self.commit:
            try:
                undone = undo(batch)
            except Exception:
                log.exception("undoing member import %s failed", batch.pk)
                text = _("导入失败，撤销也未能完成（可能有其他操作引用了新导入的会员）。请联系管理员处理批次%(id)d。") % {
                    "id": batch.pk}
        report = {**batch.report, "error_code": code}
        ImportBatch.objects.unscoped().filter(pk=batch.pk).update(
            status=Status.FAILED, error=text, report=report, finished_at=timezone.now())
        if self.commit:
            batch.refresh_from_db()
            record(self.by, AuditEntry.Action.IMPORT, batch, event="members.import_failed", extra={
                "import_batch": batch.pk, "error": text, "deleted_memberships": undone[0],
                "deleted_workers": undone[1]})


def _samples(rows, index: int, count: int = 3) -> list[str]:
    """A few values of a column, for the mapping screen (ID-like values masked)."""
    found = []
    for _n, row in rows:
        text = cell_text(row[index]) if index < len(row) else ""
        if text:
            if len(text) >= 15 and text[:17].isdigit():
                text = crypto.mask_id_number(text)
            found.append(text[:30])
            if len(found) >= count:
                break
    return found


@contextlib.contextmanager
def _sqlite_cache():
    """A larger SQLite page cache while the import runs: inserts into the random-order indexes
    (hash, name, pinyin, mobile) of a big table otherwise read the same pages again and again."""
    megabytes = int(setting("GONGHUI_IMPORT_SQLITE_CACHE_MB", 32))
    if connection.vendor != "sqlite" or megabytes <= 0:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = int(cur.fetchone()[0])
        cur.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {before}")
            cur.execute("PRAGMA shrink_memory")


def _after_chunk(run: _Pass) -> None:
    """A hook between chunks (tests use it to prove other writers get in between)."""


def _chunks(rows, size: int):
    chunk = []
    for number, row in rows:
        if not any(row):
            continue  # a blank row ("" and None cells); a row of spaces is checked and reported
        chunk.append((number, row))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fernet_key() -> bytes:
    import base64

    return base64.urlsafe_b64encode(crypto._derive(b"gonghui-encryption"))


def _remembered_mapping(batch: ImportBatch) -> dict:
    """Choices made for unknown headers in this union's earlier batches, newest first."""
    remembered: dict = {}
    earlier = (ImportBatch.objects.unscoped().filter(union=batch.union).exclude(pk=batch.pk)
               .exclude(column_mapping={}).order_by("-created_at").values_list("column_mapping", flat=True)[:20])
    for mapping in earlier:
        for header, value in mapping.items():
            remembered.setdefault(header, value)
    return remembered


def _in_batches(values, size=5000):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _select_in(sql: str, values) -> list[tuple]:
    """Rows of ``sql`` (one ``IN ({})`` placeholder) for many values, a few thousand per query.

    On PostgreSQL the list goes as one array parameter (``= ANY(%s)``): a statement with
    thousands of placeholders costs more to build and parse than the look-up itself."""
    found = []
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        for part in _in_batches(values):
            if postgresql:
                cur.execute(sql.replace(" IN ({})", " = ANY(%s)"), [part])
            else:
                cur.execute(sql.format(", ".join(["%s"] * len(part))), part)
            found.extend(cur.fetchall())
    return found


def _existing_workers(hashes) -> dict[str, tuple[int, str]]:
    table = connection.ops.quote_name(Worker._meta.db_table)
    rows = _select_in(f"SELECT id_number_hash, id, name_pinyin FROM {table} WHERE id_number_hash IN ({{}})",  # noqa: S608
                      hashes)
    return {digest: (worker_id, pinyin) for digest, worker_id, pinyin in rows}


def _current_memberships(worker_ids) -> dict[int, tuple[int, str]]:
    table = connection.ops.quote_name(Membership._meta.db_table)
    current = ", ".join(f"'{status}'" for status in Membership.CURRENT)
    found = {}
    for worker_id, union_id, status in _select_in(
            f"SELECT worker_id, union_id, status FROM {table} WHERE status IN ({current}) "  # noqa: S608
            f"AND worker_id IN ({{}})", worker_ids):
        if worker_id not in found or status == Membership.Status.ACTIVE:
            found[worker_id] = (union_id, status)
    return found


def _taken_numbers(values) -> set[str]:
    table = connection.ops.quote_name(Membership._meta.db_table)
    return {row[0] for row in _select_in(
        f"SELECT member_number FROM {table} WHERE member_number IN ({{}})", values)}  # noqa: S608


# ----- writing -----

WORKER_FIELDS = ("id", "name", "name_pinyin", "name_initials", "id_number_encrypted", "id_number_hash",
                 "id_number_masked", "gender", "birth_date", "ethnicity", "mobile", "education",
                 "household_type", "migrant_worker", "employer", "import_batch", "created_at", "updated_at")
MEMBERSHIP_FIELDS = ("worker", "union", "node_path", "sort_name", "status", "member_number", "joined_on",
                     "import_batch", "created_at")


def _columns(model, explicit):
    """Column names for raw inserts: ours, then every other column with its model default."""
    fields = [model._meta.get_field(name) for name in explicit]
    extra = [f for f in model._meta.concrete_fields if f.name not in explicit and not f.primary_key]
    for f in extra:
        if not f.null and not f.has_default() and not f.empty_strings_allowed:
            raise RuntimeError(f"{model.__name__}.{f.name} has no default: the import cannot fill it")
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    return [f.column for f in fields + extra], defaults


_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


class _Writer:
    """Writes one chunk per transaction: workers with ids allocated inside it, then memberships."""

    def __init__(self, run: _Pass):
        self.run = run
        self.vendor = connection.vendor
        self.created_workers = 0
        self.created_memberships = 0
        self.first_id = None
        self.last_id = None
        self.worker_columns, self.worker_defaults = _columns(Worker, WORKER_FIELDS)
        self.membership_columns, self.membership_defaults = _columns(Membership, MEMBERSHIP_FIELDS)

    def id_range(self):
        return [self.first_id, self.last_id] if self.first_id is not None else []

    def write(self, accepted) -> None:
        run = self.run
        with transaction.atomic():
            rows = run._classify(accepted)
            if not rows:
                return
            t0 = time.perf_counter()
            # Member numbers in file order: the given ones, else the next from the counter.
            missing = sum(1 for _w, _s, p in rows if not p[P_MEMBER_NUMBER])
            reserved = iter(numbers.reserve(missing)) if missing else iter(())
            fmt = numbers.format_number
            rows = [(worker_id, sort_name, p, p[P_MEMBER_NUMBER] or fmt(next(reserved)))
                    for worker_id, sort_name, p in rows]
            # Then in pinyin order: four of the tables' random-order indexes (pinyin, initials and
            # two on sort_name) receive neighbouring keys, which touches far fewer index pages per
            # chunk (1M rows into SQLite: 127 s unsorted, 53 s sorted, same chunks and cache).
            rows.sort(key=_second)
            new = [row for row in rows if row[0] is None]
            ids = iter(self._allocate_ids(len(new)))
            stamp = connection.ops.adapt_datetimefield_value(timezone.now()) if self.vendor == "sqlite" \
                else timezone.now()
            batch_id = run.batch.pk
            # The checked values come in Worker column order (importing_rows.PREPARED): a row is its
            # id, a slice of them and the same tail for the whole chunk.
            worker_tail = (batch_id, stamp, stamp) + self.worker_defaults
            member_head = (run.union.pk, run.union.path)
            member_tail = (batch_id, stamp) + self.membership_defaults
            active = Membership.Status.ACTIVE.value
            worker_rows = []
            member_rows = []
            for worker_id, sort_name, p, member_number in rows:
                if worker_id is None:
                    worker_id = next(ids)
                    worker_rows.append((worker_id,) + p[:WORKER_VALUES] + worker_tail)
                member_rows.append((worker_id,) + member_head + (sort_name, active, member_number, p[P_JOINED])
                                   + member_tail)
            t1 = time.perf_counter()
            self._insert(Worker._meta.db_table, self.worker_columns, worker_rows)
            t2 = time.perf_counter()
            self._insert(Membership._meta.db_table, self.membership_columns, member_rows)
            t3 = time.perf_counter()
        timings = run.timings
        timings["prepare_rows"] += t1 - t0
        timings["insert_workers"] += t2 - t1
        timings["insert_memberships"] += t3 - t2
        timings["commit_transaction"] += time.perf_counter() - t3
        self.created_workers += len(worker_rows)
        self.created_memberships += len(member_rows)
        if worker_rows:
            first, last = min(r[0] for r in worker_rows), max(r[0] for r in worker_rows)
            self.first_id = first if self.first_id is None else min(self.first_id, first)
            self.last_id = last if self.last_id is None else max(self.last_id, last)

    def _allocate_ids(self, count: int) -> list[int]:
        if not count:
            return []
        table = Worker._meta.db_table
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                            [table, count])
                return [row[0] for row in cur.fetchall()]
            # SQLite: the IMMEDIATE transaction holds the write lock, so max + 1… is ours; the
            # AUTOINCREMENT counter keeps ids of deleted rows from coming back.
            cur.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            highest = cur.fetchone()[0] or 0
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            start = max(highest, row[0] if row else 0) + 1
            return list(range(start, start + count))

    def _insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


# ----- the file of rejected rows -----

class _RejectedFile:
    """The rejected rows as .xlsx (streamed, constant memory): the original columns, the ID column
    as text so Excel keeps every digit, and a 错误原因 column."""

    def __init__(self, header_texts: list[str], id_column: int | None):
        import xlsxwriter

        fd, name = tempfile.mkstemp(prefix="gonghui-rejected-", suffix=".xlsx")
        os.close(fd)
        self.path = Path(name)
        self.book = xlsxwriter.Workbook(str(self.path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self.sheet = self.book.add_worksheet(_("未导入的行"))
        self.width = len(header_texts)
        bold = self.book.add_format({"bold": True, "bg_color": "#F2F2F2"})
        text = self.book.add_format({"num_format": "@"})
        red = self.book.add_format({"font_color": "#C8161D", "text_wrap": False})
        self.red = red
        self.text = text
        for i in range(self.width):
            self.sheet.set_column(i, i, 22 if i == id_column else 14, text if i == id_column else None)
        self.sheet.set_column(self.width, self.width, 60)
        self.sheet.write_row(0, 0, [*header_texts, _("错误原因")], bold)
        self.sheet.freeze_panes(1, 0)
        self.id_column = id_column
        self.row = 0
        self.closed = False

    def add(self, cells, reason: str) -> None:
        self.row += 1
        write = self.sheet.write_string
        r = self.row
        for i in range(self.width):
            value = cell_text(cells[i]) if i < len(cells) else ""
            if value:
                write(r, i, value, self.text if i == self.id_column else None)
        write(r, self.width, reason, self.red)

    def close(self) -> None:
        self.closed = True
        self.book.close()

    def save(self, batch: ImportBatch) -> str:
        if not self.closed:
            self.close()
        target = f"members/imports/rejected/{batch.pk}-{uuid.uuid4().hex[:8]}.xlsx"
        with self.path.open("rb") as f:
            name = default_storage.save(target, File(f))
        self.path.unlink(missing_ok=True)
        return name


def rejected_rows_file(batch: ImportBatch, *, by):
    """The .xlsx of rejected rows for download (audited: it holds the rows' personal data)."""
    if by is not None:
        require_permission(by, "members.import", batch.node_path)
    if not batch.rejected_file:
        raise ImportRefused(_("该批次没有未通过校验的行。"), "no_rejected_rows")
    record(by, AuditEntry.Action.EXPORT, batch, event="members.import_rejected_downloaded",
           extra={"rows": batch.rejected_rows})
    return batch.rejected_file.open("rb")


def download_name(batch: ImportBatch) -> str:
    stem = Path(batch.file_name).stem or "roster"
    return _("%(stem)s-未导入的行.xlsx") % {"stem": stem}


def template_workbook() -> bytes:
    """An empty roster (.xlsx) with every column the import knows, one example row and the rules."""
    import io
    import random

    import xlsxwriter

    from gonghui.demo.idnumbers import fake_id_number

    example_id = fake_id_number(random.Random(2026), born_from=1990, born_to=1990, female=True)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(_("会员花名册"))
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    text = book.add_format({"num_format": "@"})
    headers = [_("姓名"), _("性别"), _("身份证号"), _("手机号码"), _("民族"), _("学历"), _("户籍类型"),
               _("是否农民工"), _("入会日期"), _("工作单位"), _("会员号")]
    example = [_("王芳"), _("女"), example_id, "13912345678", _("汉族"), _("大专"), _("农村"), _("是"),
               "2024-03-01", _("江海市示例机械有限公司"), ""]
    for i in range(len(headers)):
        sheet.set_column(i, i, 22 if i in (2, 9) else 12, text)
    sheet.write_row(0, 0, headers, bold)
    for i, value in enumerate(example):
        sheet.write_string(1, i, value, text)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet(_("填写说明"))
    notes.set_column(0, 0, 100)
    for i, line in enumerate([
        _("第一行是列名，从第二行起每行一名会员；示例行（王芳）请删除后再上传。"),
        _("必填：姓名、身份证号（18位）。其余列可以留空或删除；入会日期留空按导入当天计。"),
        _("身份证号、手机号码所在列已设为“文本”格式，请不要改成“常规”或“数值”，否则Excel会把身份证号变成3.20102E+17这样的数字，后几位丢失。"),
        _("性别、出生日期如果填写，必须与身份证号一致。手机号码须为中国大陆11位手机号。民族写全称，如“汉族”。"),
        _("学历可填：小学及以下、初中、高中/中专/技校、大专、本科、研究生。户籍类型可填：城镇、农村。是否农民工填“是”或“否”。"),
        _("会员号可以留空，由系统统一编号；如果填写，不能与已有会员重复。"),
        _("已经在本工会在册的会员会被识别为“已在册”，不会重复导入；已是其他工会在册会员的，请办理转会。"),
    ]):
        notes.write_string(i, 0, line)
    book.close()
    return out.getvalue()


__all__ = ["BadFile", "ImportRefused", "REQUIRED_FIELDS", "start_import", "choose_columns", "commit",
           "run_check", "run_commit", "undo", "rejected_rows_file", "union_choices", "find_union"]
